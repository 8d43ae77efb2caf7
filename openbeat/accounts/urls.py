from django.urls import path

from openbeat.accounts import views

urlpatterns = [
    path("settings/", views.account_settings, name="accounts_settings"),
]
