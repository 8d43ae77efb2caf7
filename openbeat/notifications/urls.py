from django.urls import path

from openbeat.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_mark_read, name="mark_read"),
    path("follow/", views.follow, name="follow"),
    path("unfollow/", views.unfollow, name="unfollow"),
    path("follow-button/", views.follow_button, name="follow_button"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
