"""iCalendar (RFC 5545) for one event or a ward's events, made with the ``icalendar`` library."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event as VEvent, vText

from openbeat.events.models import Event
from openbeat.notifications.emails import absolute_url


def _host() -> str:
    return settings.OPENBEAT_SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "openbeat"


def calendar(events: Iterable[Event], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//OpenBeat//Events//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for e in events:
        v = VEvent()
        v.add("uid", f"event-{e.pk}@{_host()}")
        v.add("dtstamp", e.created_at)
        v.add("dtstart", e.starts_at)
        v.add("dtend", e.ends_at)
        v.add("summary", e.title)
        access = ["step-free access" if e.step_free else "not step-free",
                  "hearing loop" if e.hearing_loop else "no hearing loop"]
        if e.language_support:
            access.append(f"language support: {e.language_support}")
        v.add("description", f"{e.description}\n\nAccess: {'; '.join(access)}."
                             + (f"\nOnline: {e.online_link}" if e.online_link else ""))
        v["location"] = vText(f"{e.venue}, {e.address}")
        v.add("url", absolute_url(e.get_absolute_url()))
        cal.add_component(v)
    return cal.to_ical()
