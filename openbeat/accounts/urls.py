from django.urls import path

from openbeat.accounts import views

urlpatterns = [
    path("nav/", views.account_nav, name="accounts_nav"),
    path("settings/", views.account_settings, name="accounts_settings"),
    path("roles/request/", views.account_role_request, name="accounts_role_request"),
    path("home-ward/", views.account_home_ward, name="accounts_home_ward"),
    path("home-ward/clear/", views.account_home_ward_clear, name="accounts_home_ward_clear"),
    path("my-data.json", views.account_export, name="accounts_export"),
    path("delete/", views.account_delete, name="accounts_delete"),
    path("deleted/", views.account_deleted, name="accounts_deleted"),
    path("demo/", views.demo_accounts, name="accounts_demo"),
]
