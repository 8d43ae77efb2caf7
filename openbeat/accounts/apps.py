from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "openbeat.accounts"
    label = "accounts"  # AUTH_USER_MODEL = "accounts.User"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"


class OpenBeatAdminConfig(admin_apps.AdminConfig):
    default = False
    """The Django admin with OpenBeat's site (administrators only, allauth sign-in)."""

    default_site = "openbeat.accounts.admin_site.OpenBeatAdminSite"
