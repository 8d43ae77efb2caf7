from openbeat.policeuk.api import api

urlpatterns = [*api.urls[0]]
app_name = "policeuk"
