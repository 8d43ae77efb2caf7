from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openbeat.api"
    label = "openbeat_api"
    verbose_name = "OpenBeat open API"
