"""Reads about priorities: lists for a ward, one priority with its timeline, "You said, we did",
and the priorities the force publishes on police.uk for the same ward."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from openbeat.moderation.models import Visibility
from openbeat.priorities.models import Priority, Support, TimelineEntry

ACTIVE = (Priority.State.ADOPTED, Priority.State.IN_PROGRESS)
#: "You said, we did": every priority the ward's panel and team took on.
TAKEN_ON = (Priority.State.ADOPTED, Priority.State.IN_PROGRESS, Priority.State.CLOSED)


def _public(viewer=None) -> Q:
    """What a viewer may see listed: not held, except their own (marked as waiting)."""
    cond = ~Q(visibility=Visibility.HELD)
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        cond |= Q(proposed_by=viewer)
    return cond


def priority_list(*, ward_code: str | None = None, states: tuple[str, ...] | None = None, viewer=None,
                  shown_only: bool = False) -> QuerySet[Priority]:
    """Priorities (with ``support_count``), newest first; ``shown_only`` leaves out the hidden ones."""
    qs = Priority.objects.filter(_public(viewer))
    if shown_only:
        qs = qs.filter(visibility=Visibility.VISIBLE)
    if ward_code is not None:
        qs = qs.filter(ward_code=ward_code)
    if states:
        qs = qs.filter(state__in=states)
    return qs.annotate(support_count=Count("supports", distinct=True)).select_related("proposed_by")


def priority_get(*, pk: int, viewer=None, held: bool = False) -> Priority | None:
    """One priority with ``support_count``; a held one only for its author, or with ``held``
    (for its moderators: the caller checks who is asking)."""
    if held:
        return Priority.objects.filter(pk=pk).annotate(support_count=Count("supports", distinct=True)).first()
    return priority_list(viewer=viewer).filter(pk=pk).first()


def priority_for_write(*, pk: int, viewer=None) -> Priority | None:
    """One priority as a write needs it (its state, visibility, ward and force): what
    :func:`priority_get` finds, without counting its supports or joining its proposer, a
    grouped query the page needs and a support or comment does not.

    Every support, comment and withdrawal asks it, always the same shape, so its SQL is
    written once per process and its row made into a ``Priority`` as the ORM would
    (:func:`openbeat.web.db.row_get`), instead of the ORM compiling the same query,
    or a raw queryset mapping its columns, on every POST."""
    from openbeat.web.db import row_get

    viewer_pk = viewer.pk if viewer is not None and getattr(viewer, "is_authenticated", False) else None
    # "not held, or the viewer's own": with no viewer, proposed_by_id = NULL is never true
    return row_get(Priority, _for_write_where(), [pk, Visibility.HELD.value, viewer_pk])


@functools.cache
def _for_write_where() -> str:
    """:func:`_public`'s condition on one priority."""
    from django.db import connection

    quote = connection.ops.quote_name
    pk, visibility = Priority._meta.pk.column, Priority._meta.get_field("visibility").column
    proposer = Priority._meta.get_field("proposed_by").column
    return f"WHERE {quote(pk)} = %s AND ({quote(visibility)} <> %s OR {quote(proposer)} = %s) LIMIT 1"


def priority_timeline(*, priority: Priority) -> list[TimelineEntry]:
    return list(priority.timeline.select_related("actor"))


def action_list(*, priority: Priority) -> list[TimelineEntry]:
    """Actions and progress updates, by the date they happened."""
    return [e for e in priority_timeline(priority=priority) if e.is_action]


def support_exists(*, priority: Priority, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Support.objects.filter(priority=priority, user=user).exists()


def active_count(*, ward_code: str) -> int:
    return Priority.objects.filter(ward_code=ward_code, state__in=ACTIVE).count()


@dataclass
class WardPriorities:
    """A ward's priorities by state, and police.uk's published ones beside them."""

    proposed: list[Priority]
    active: list[Priority]
    declined: list[Priority]
    closed: list[Priority]
    published: list[dict]  # police.uk: issue, issued, action, actioned
    limit: int


def ward_priorities(*, area, viewer=None) -> WardPriorities:
    from openbeat.areas import teams
    from openbeat.priorities.services import adopted_limit

    rows = list(priority_list(ward_code=area.code, viewer=viewer))
    by = lambda *states: [p for p in rows if p.state in states]  # noqa: E731
    proposed = sorted(by(Priority.State.PROPOSED), key=lambda p: (-p.support_count, -p.pk))
    team = teams.area_team(area=area)
    return WardPriorities(proposed=proposed, active=by(*ACTIVE), declined=by(Priority.State.DECLINED),
                          closed=by(Priority.State.CLOSED), published=list(team.priorities) if team else [],
                          limit=adopted_limit())


def you_said_we_did(*, ward_code: str) -> list[tuple[Priority, list[TimelineEntry]]]:
    """Every priority the ward took on (adopted, in progress, closed), with its actions, newest first."""
    rows = list(priority_list(ward_code=ward_code, states=TAKEN_ON).order_by("-adopted_on", "-pk"))
    entries: dict[int, list[TimelineEntry]] = {p.pk: [] for p in rows}
    for e in (TimelineEntry.objects.filter(priority__in=rows, kind__in=[TimelineEntry.Kind.ACTION,
                                                                         TimelineEntry.Kind.UPDATE])
              .select_related("actor")):
        entries[e.priority_id].append(e)
    return [(p, entries[p.pk]) for p in rows]


def timeline_recent(*, ward_code: str | None = None, priority: Priority | None = None,
                    limit: int = 50) -> list[TimelineEntry]:
    """The newest timeline entries of shown priorities, for feeds."""
    qs = TimelineEntry.objects.filter(priority__visibility=Visibility.VISIBLE).select_related("priority", "actor")
    if ward_code is not None:
        qs = qs.filter(priority__ward_code=ward_code)
    if priority is not None:
        qs = qs.filter(priority=priority)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def priority_follow_name(code: str) -> str | None:
    """What a follow of priority ``code`` is called (None: no such priority to follow)."""
    p = Priority.objects.filter(pk=int(code)).first() if code.isdigit() else None
    if p is None or p.visibility == Visibility.HELD:
        return None
    return f"“{p.title}”" if p.is_shown else f"priority {p.pk}"
