from django.urls import path

from openbeat.planning import views

app_name = "planning"

urlpatterns = [
    path("tools/", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("highest-crime-lowest-trust/", views.targeting, name="targeting"),
    path("allocation/", views.allocation, name="allocation"),
    path("did-it-work/", views.did_it_work, name="did_it_work"),
    path("scorecard/", views.scorecard_index, name="scorecard_index"),
    path("scorecard/<str:code>/", views.scorecard, name="scorecard"),
    path("scorecard/<str:code>/chart.vl.json", views.scorecard_chart, name="scorecard_chart"),
    path("charts/<slug:tool>.vl.json", views.tool_chart, name="tool_chart"),
]
