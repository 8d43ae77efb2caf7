from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "openbeat.reviews"
    label = "reviews"
    verbose_name = "Progress reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openbeat.notifications.selectors import target_kind_register
        from openbeat.reviews import selectors

        target_kind_register("review", selectors.review_follow_name)
