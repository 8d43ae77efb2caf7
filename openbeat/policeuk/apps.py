from django.apps import AppConfig


class PoliceUkConfig(AppConfig):
    name = "openbeat.policeuk"
    label = "openbeat_policeuk"
    verbose_name = "police.uk-compatible API"
