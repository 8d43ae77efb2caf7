from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "openbeat.notifications"
    label = "notifications"
    verbose_name = "Follows and notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openbeat.accounts import privacy
        from openbeat.notifications import services

        privacy.register("notifications", export=services.notifications_personal_data,
                         erase=services.notifications_personal_data_erase)
