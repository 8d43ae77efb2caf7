from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from openbeat.api.api import api
from openbeat.api.views import api_home
from openbeat.areas import views as area_views
from openbeat.web import views

urlpatterns = [
    path("", area_views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("openbeat.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("openbeat.notifications.urls")),
    path(settings.OPENBEAT_ADMIN_URL, admin.site.urls),
    path("", include("openbeat.areas.urls")),
    path("", include("openbeat.planning.urls")),
    path("", include("openbeat.priorities.urls")),
    path("", include("openbeat.events.urls")),
    path("", include("openbeat.surveys.urls")),
    path("", include("openbeat.moderation.urls")),
    path("", include("openbeat.reviews.urls")),
    path("api/", api_home, name="api_home"),
    path("api/", api.urls),
    path("police-uk/api/", include("openbeat.policeuk.urls")),
]

handler400 = "openbeat.web.views.bad_request"
handler404 = "openbeat.web.views.page_not_found"
handler500 = "openbeat.web.views.server_error"
