from django.urls import path

from openbeat.areas import views

app_name = "areas"

urlpatterns = [
    path("find/", views.area_find, name="find"),
    path("areas/", views.area_index, name="index"),
    path("areas/<str:code>/", views.area_detail, name="detail"),
    path("areas/<str:code>/charts/<slug:name>.vl.json", views.area_chart_spec, name="chart_spec"),
    path("neighbourhoods/<slug:force>/<str:neighbourhood_id>/", views.neighbourhood, name="neighbourhood"),
]
