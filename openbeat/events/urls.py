from django.urls import path

from openbeat.events import views

app_name = "events"

urlpatterns = [
    path("wards/<str:code>/events/", views.ward_events, name="ward"),
    path("wards/<str:code>/events.ics", views.ward_ics, name="ward_ics"),
    path("wards/<str:code>/events/new/", views.event_create, name="create"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/event.ics", views.event_ics, name="ics"),
    path("events/<int:pk>/register/", views.registration_create, name="register"),
    path("events/<int:pk>/cancel/", views.registration_cancel, name="cancel"),
    path("events/<int:pk>/feedback/", views.feedback_create, name="feedback"),
    path("events/<int:pk>/manage/", views.event_manage, name="manage"),
    path("events/<int:pk>/attendance/", views.attendance_record, name="attendance"),
    path("events/<int:pk>/message/", views.message_send, name="message"),
    path("events/<int:pk>/respond/", views.event_respond, name="respond"),
    path("events/feedback/<int:pk>/approve/", views.feedback_text_approve, name="feedback_approve"),
    path("team/", views.team, name="team"),
]
urlpatterns.append(path("scorecard/<str:code>/engagement/", views.scorecard_engagement, name="scorecard_engagement"))
