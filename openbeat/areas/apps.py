from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "openbeat.areas"
    label = "openbeat_areas"
    verbose_name = "Areas"
