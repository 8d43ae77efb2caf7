from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "openbeat.surveys"
    label = "surveys"
    verbose_name = "Trust pulse"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from openbeat.accounts import privacy
        from openbeat.surveys import services

        privacy.register("trust_pulse", export=services.pulse_personal_data, erase=services.pulse_personal_data_erase)
