from django.urls import path
from django.views.decorators.http import require_safe

from openbeat.reviews import feeds, views

app_name = "reviews"

#: A quarter is YYYY-Qn; any other text finds no review (404).
urlpatterns = [
    path("reviews/", views.review_index, name="index"),
    path("reviews/<str:code>/", views.area_reviews, name="area"),
    path("reviews/<str:code>/feed/", require_safe(feeds.AreaReviewsFeed()), name="feed"),
    path("reviews/<str:code>/publish/", views.review_publish, name="publish"),
    path("reviews/<str:code>/<str:quarter>/", views.review_detail, name="latest"),
    path("reviews/<str:code>/<str:quarter>/v<int:version>/", views.review_detail, name="detail"),
    path("reviews/<str:code>/<str:quarter>/v<int:version>/review.pdf", views.review_pdf, name="pdf"),
    path("reviews/<str:code>/<str:quarter>/v<int:version>/comments/", views.review_comment_add,
         name="comment_add"),
]
