from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openbeat.accounts"
    label = "accounts"  # AUTH_USER_MODEL = "accounts.User"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"
