from django.urls import path
from django.views.decorators.http import require_safe

from openbeat.priorities import feeds, views

app_name = "priorities"

urlpatterns = [
    path("wards/<str:code>/priorities/", views.ward_priorities, name="ward"),
    path("wards/<str:code>/priorities/panel/", views.ward_panel, name="ward_panel"),
    path("wards/<str:code>/priorities/new/", views.priority_propose, name="propose"),
    path("wards/<str:code>/priorities/feed/", require_safe(feeds.WardFeed()), name="ward_feed"),
    path("wards/<str:code>/you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
    path("priorities/<int:pk>/", views.priority_detail, name="detail"),
    path("priorities/<int:pk>/feed/", require_safe(feeds.PriorityFeed()), name="feed"),
    path("priorities/<int:pk>/support/", views.support_add, name="support_add"),
    path("priorities/<int:pk>/support/withdraw/", views.support_withdraw, name="support_withdraw"),
    path("priorities/<int:pk>/adopt/", views.priority_adopt, name="adopt"),
    path("priorities/<int:pk>/decline/", views.priority_decline, name="decline"),
    path("priorities/<int:pk>/actions/new/", views.priority_action_add, name="action_add"),
    path("priorities/<int:pk>/close/", views.priority_close, name="close"),
    path("priorities/<int:pk>/comments/", views.priority_comment_add, name="comment_add"),
]
