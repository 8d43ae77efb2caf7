from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "openbeat.events"
    label = "events"
    verbose_name = "Events and feedback"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openbeat.accounts import privacy
        from openbeat.events import services

        privacy.register("events", export=services.events_personal_data, erase=services.events_personal_data_erase)
