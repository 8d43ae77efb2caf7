from django.urls import path

from openbeat.areas import tool_views, views

app_name = "areas"

urlpatterns = [
    path("find/", views.area_find, name="find"),
    path("areas/", views.area_index, name="index"),
    path("areas/<str:code>/", views.area_detail, name="detail"),
    path("areas/<str:code>/charts/<slug:name>.vl.json", views.area_chart_spec, name="chart_spec"),
    path("neighbourhoods/<slug:force>/<str:neighbourhood_id>/", views.neighbourhood, name="neighbourhood"),
    path("compare/", tool_views.compare, name="compare"),
    path("highest-crime-lowest-trust/", tool_views.targeting, name="targeting"),
    path("allocation/", tool_views.allocation, name="allocation"),
    path("did-it-work/", tool_views.did_it_work, name="did_it_work"),
    path("scorecard/", tool_views.scorecard_index, name="scorecard_index"),
    path("scorecard/<str:code>/", tool_views.scorecard, name="scorecard"),
    path("scorecard/<str:code>/chart.vl.json", tool_views.scorecard_chart, name="scorecard_chart"),
    path("charts/<slug:tool>.vl.json", tool_views.tool_chart, name="tool_chart"),
]
