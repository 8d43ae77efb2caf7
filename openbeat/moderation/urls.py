from django.urls import path

from openbeat.moderation import views

app_name = "moderation"

urlpatterns = [
    path("report/<slug:kind>/<int:pk>/", views.report_create, name="report_create"),
    path("moderation/", views.queue_index, name="index"),
    path("moderation/<slug:force>/", views.queue, name="queue"),
    path("moderation/items/<slug:kind>/<int:pk>/hide/", views.item_hide, name="item_hide"),
    path("moderation/items/<slug:kind>/<int:pk>/restore/", views.item_restore, name="item_restore"),
    path("moderation/accounts/<int:pk>/suspend/", views.account_suspend, name="account_suspend"),
    path("moderation/accounts/<int:pk>/unsuspend/", views.account_unsuspend, name="account_unsuspend"),
]
