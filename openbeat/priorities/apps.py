from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "openbeat.priorities"
    label = "priorities"
    verbose_name = "Local priorities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openbeat.accounts import privacy
        from openbeat.moderation import registry
        from openbeat.notifications.selectors import target_kind_register
        from openbeat.priorities import selectors, services
        from openbeat.priorities.models import Priority

        registry.register("priority", Priority, shown=services.priority_shown)
        target_kind_register("priority", selectors.priority_follow_name)
        privacy.register("priorities", export=services.priorities_personal_data,
                         erase=services.priorities_personal_data_erase)
