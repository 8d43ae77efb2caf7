from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "openbeat.moderation"
    label = "moderation"
    verbose_name = "Moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openbeat.accounts import privacy
        from openbeat.moderation import services

        privacy.register("moderation", export=services.moderation_personal_data,
                         erase=services.moderation_personal_data_erase)
