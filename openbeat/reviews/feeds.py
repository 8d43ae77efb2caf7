"""An Atom feed of an area's reviews (Django's syndication): one entry per published version."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from openbeat.reviews import selectors
from openbeat.reviews.models import Review


class AreaReviewsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, code: str):
        from openbeat.areas import lookup

        area = lookup.area_get(code=code)
        if area is None:
            raise Http404(f"No area has the code {code}")
        return area

    def title(self, obj) -> str:
        return f"Progress reviews: {obj.name}"

    def subtitle(self, obj) -> str:
        return f"Quarterly progress reviews of {obj.name}: crime, stop and search, trust and engagement."

    def link(self, obj) -> str:
        return reverse("reviews:area", kwargs={"code": obj.code})

    def items(self, obj) -> list[Review]:
        return list(selectors.review_list(area_code=obj.code)[:40])

    def item_title(self, item: Review) -> str:
        return f"{item.title}" + (f" (version {item.version})" if item.version > 1 else "")

    def item_description(self, item: Review) -> str:
        from django.utils.html import escape

        return "".join(f"<p>{escape(h['statement'])}</p>" for h in item.headlines if h["value"] is not None)

    def item_link(self, item: Review) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Review) -> str:
        return f"openbeat:review:{item.area_code}:{item.quarter}:v{item.version}"

    def item_pubdate(self, item: Review):
        return item.published_at

    def item_author_name(self, item: Review) -> str:
        return "OpenBeat"
