"""Atom feeds of what happens to priorities: one per ward, one per priority (Django's syndication).

Entries are timeline entries of shown priorities (proposed, adopted, declined, actions,
updates, closed). Authors appear by the capacity they acted in ("Verified officer",
"Resident"), never by name or email.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from openbeat.moderation.models import Visibility
from openbeat.priorities import selectors
from openbeat.priorities.models import Priority, TimelineEntry


class _TimelineFeed(Feed):
    feed_type = Atom1Feed

    def items(self, obj) -> list[TimelineEntry]:
        raise NotImplementedError

    def item_title(self, item: TimelineEntry) -> str:
        return f"{item.get_kind_display()}: {item.priority.title}"

    def item_description(self, item: TimelineEntry) -> str:
        # Atom summaries are type="html": readers render them, so people's text is escaped here
        return linebreaksbr(item.text or f"{item.priority.title} was {item.get_kind_display().lower()}.",
                            autoescape=True)

    def item_link(self, item: TimelineEntry) -> str:
        return f"{item.priority.get_absolute_url()}#entry-{item.pk}"

    def item_guid(self, item: TimelineEntry) -> str:
        return f"openbeat:priority-timeline:{item.pk}"

    def item_pubdate(self, item: TimelineEntry):
        return item.created_at

    def item_author_name(self, item: TimelineEntry) -> str:
        return item.actor_role or "OpenBeat"


class WardFeed(_TimelineFeed):
    def get_object(self, request, code: str):
        from openbeat.areas import lookup

        area = lookup.area_get(code=code)
        if area is None or area.level != "ward":
            raise Http404(f"No ward has the code {code}")
        return area

    def title(self, obj) -> str:
        return f"Local priorities in {obj.name}"

    def subtitle(self, obj) -> str:
        return f"Priorities residents proposed for {obj.name}, and what the panel and team did about them."

    def link(self, obj) -> str:
        return reverse("priorities:ward", kwargs={"code": obj.code})

    def items(self, obj) -> list[TimelineEntry]:
        return selectors.timeline_recent(ward_code=obj.code)


class PriorityFeed(_TimelineFeed):
    def get_object(self, request, pk: int) -> Priority:
        priority = Priority.objects.filter(pk=pk).exclude(visibility=Visibility.HELD).first()
        if priority is None:
            raise Http404(f"No priority number {pk}")
        return priority

    def title(self, obj: Priority) -> str:
        return obj.title if obj.is_shown else f"Priority {obj.pk}"

    def subtitle(self, obj: Priority) -> str:
        from openbeat.areas import lookup

        area = lookup.area_get(code=obj.ward_code)
        return obj.public_notice or f"What happened to this priority in {area.name if area else obj.ward_code}."

    def link(self, obj: Priority) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Priority) -> list[TimelineEntry]:
        return selectors.timeline_recent(priority=obj)
