from django.urls import path

from openbeat.surveys import views

app_name = "surveys"

urlpatterns = [
    path("wards/<str:code>/trust-pulse/", views.ward_pulse, name="ward"),
    path("wards/<str:code>/trust-pulse/answer/", views.pulse_answer, name="answer"),
]
