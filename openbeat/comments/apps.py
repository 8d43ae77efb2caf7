from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "openbeat.comments"
    label = "comments"
    verbose_name = "Comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openbeat.accounts import privacy
        from openbeat.comments import services
        from openbeat.comments.models import Comment
        from openbeat.moderation import registry

        registry.register("comment", Comment, shown=services.comment_shown)
        privacy.register("comments", export=services.comments_personal_data,
                         erase=services.comments_personal_data_erase)
