from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openbeat.web"
    label = "openbeat_web"
    verbose_name = "OpenBeat web"
