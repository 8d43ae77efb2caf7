from django.urls import path, register_converter
from django.views.decorators.http import require_safe

from openbeat.reviews import feeds, views


class QuarterConverter:
    regex = r"\d{4}-Q[1-4]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(QuarterConverter, "quarter")
app_name = "reviews"

urlpatterns = [
    path("reviews/", views.review_index, name="index"),
    path("reviews/<str:code>/", views.area_reviews, name="area"),
    path("reviews/<str:code>/feed/", require_safe(feeds.AreaReviewsFeed()), name="feed"),
    path("reviews/<str:code>/publish/", views.review_publish, name="publish"),
    path("reviews/<str:code>/<quarter:quarter>/", views.review_detail, name="latest"),
    path("reviews/<str:code>/<quarter:quarter>/v<int:version>/", views.review_detail, name="detail"),
    path("reviews/<str:code>/<quarter:quarter>/v<int:version>/review.pdf", views.review_pdf, name="pdf"),
    path("reviews/<str:code>/<quarter:quarter>/v<int:version>/comments/", views.review_comment_add,
         name="comment_add"),
]
