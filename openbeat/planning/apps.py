from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "openbeat.planning"
    label = "openbeat_planning"
    verbose_name = "Planning"
