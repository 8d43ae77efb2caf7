"""Local priorities, their actions and comments: read-only, public, no personal data.

Nothing here names a person: no emails, no display names; an action says the capacity
its author acted in ("Verified officer"), and hidden text is replaced by its public
notice. Answers are not kept in the lake-state cache, since people change them.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.cache import patch_cache_control
from ninja import Field, Path, Query, Router, Schema
from ninja.decorators import decorate_view

from openbeat.api.errors import ERROR_RESPONSES, not_found
from openbeat.api.params import AreaCode
from openbeat.api.tables import CSV_OPENAPI, Paging, page_schema, table_response
from openbeat.comments.selectors import comment_list
from openbeat.priorities import selectors
from openbeat.priorities.models import Priority, TimelineEntry

router = Router(tags=["priorities"])

#: A priority's number (the database's 64-bit key: anything larger is a 422, not a crash).
PriorityId = Path(..., ge=1, le=2**63 - 1, description="The priority's number.")


def _no_store(view):
    """Answers change when people write: always ask again."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_cache=True)
        return response

    return wrapper


class PriorityOut(Schema):
    id: int
    ward_code: str
    force: str
    state: str = Field(..., description="proposed, adopted, declined, in_progress or closed.")
    shown: bool = Field(..., description="False when a moderator removed it or reports hid it; then its text "
                                         "fields are null and `notice` says why.")
    notice: str | None
    title: str | None
    description: str | None
    crime_types: list[str]
    latitude: float | None
    longitude: float | None
    support_count: int
    created_at: dt.datetime
    adopted_on: dt.date | None
    adopted_until: dt.date | None
    decline_reason: str | None
    outcome: str | None = Field(None, description="resolved or not_resolved, once closed.")
    summary: str | None
    closed_on: dt.date | None
    links: dict[str, str]


class TimelineEntryOut(Schema):
    id: int
    kind: str = Field(..., description="proposed, adopted, declined, started, action, update or closed.")
    happened_on: dt.date
    posted_at: dt.datetime
    actor_role: str = Field(..., description="The capacity it was done in (Verified officer, Ward panel chair, "
                                             "Resident…); never a name.")
    text: str


class PriorityDetailOut(PriorityOut):
    timeline: list[TimelineEntryOut]


class CommentOut(Schema):
    id: int
    reply_to: int | None
    posted_at: dt.datetime
    shown: bool
    notice: str | None
    body: str | None


PriorityPage = page_schema(PriorityOut, "PriorityPage")
ActionPage = page_schema(TimelineEntryOut, "ActionPage")
CommentPage = page_schema(CommentOut, "CommentPage")


def priority_out(p: Priority) -> dict:
    shown = p.is_shown
    return {
        "id": p.pk, "ward_code": p.ward_code, "force": p.force, "state": p.state, "shown": shown,
        "notice": None if shown else p.public_notice, "title": p.title if shown else None,
        "description": p.description if shown else None, "crime_types": p.crime_types,
        "latitude": p.latitude if shown else None, "longitude": p.longitude if shown else None,
        "support_count": getattr(p, "support_count", 0), "created_at": p.created_at, "adopted_on": p.adopted_on,
        "adopted_until": p.adopted_until, "decline_reason": p.decline_reason or None,
        "outcome": p.outcome or None, "summary": p.summary or None, "closed_on": p.closed_on,
        "links": {"self": reverse("api:priority_detail", kwargs={"pk": p.pk}),
                  "page": p.get_absolute_url(),
                  "actions": reverse("api:priority_actions", kwargs={"pk": p.pk}),
                  "comments": reverse("api:priority_comments", kwargs={"pk": p.pk}),
                  "feed": reverse("priorities:feed", kwargs={"pk": p.pk}),
                  "ward": reverse("api:area_detail", kwargs={"code": p.ward_code})},
    }


def entry_out(e: TimelineEntry) -> dict:
    return {"id": e.pk, "kind": e.kind, "happened_on": e.happened_on, "posted_at": e.created_at,
            "actor_role": e.actor_role, "text": e.text}


def _flat(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "links"}


def _get(pk: int) -> Priority:
    found = selectors.priority_get(pk=pk)
    if found is None:
        raise not_found(f"No priority number {pk}.", hint="List them at /api/priorities?ward=CODE")
    return found


class PriorityFilters(Paging):
    ward: AreaCode | None = Field(None, description="Only this ward's (GSS code).")
    state: Literal["proposed", "adopted", "declined", "in_progress", "closed"] | None = Field(
        None, description="Only priorities in this state.")


@router.get("/priorities", response={200: PriorityPage, **ERROR_RESPONSES}, url_name="priority_list",
            summary="Local priorities residents proposed, and what became of them", openapi_extra=CSV_OPENAPI)
@decorate_view(_no_store)
def priority_list(request: HttpRequest, filters: Query[PriorityFilters]):
    """Residents' priorities, newest first: state, crime types, support, the period adopted,
    the reason declined, the closing summary. Hidden ones keep their place with a notice."""
    qs = selectors.priority_list(ward_code=filters.ward, states=(filters.state,) if filters.state else None)
    total = qs.count()
    rows = [priority_out(p) for p in qs[filters.offset:filters.offset + filters.limit]]
    return table_response(request, rows=rows, count=total, limit=filters.limit, offset=filters.offset,
                          fmt=filters.format, name="priorities", flatten=_flat)


@router.get("/priorities/{pk}", response={200: PriorityDetailOut, **ERROR_RESPONSES}, url_name="priority_detail",
            summary="One local priority with its timeline")
@decorate_view(_no_store)
def priority_detail(request: HttpRequest, pk: int = PriorityId):
    """The priority and every change to it (who acted, in what capacity, when)."""
    p = _get(pk)
    out = priority_out(p)
    out["timeline"] = [entry_out(e) for e in selectors.priority_timeline(priority=p)]
    return out


@router.get("/priorities/{pk}/actions", response={200: ActionPage, **ERROR_RESPONSES}, url_name="priority_actions",
            summary="Actions and progress updates on a priority", openapi_extra=CSV_OPENAPI)
@decorate_view(_no_store)
def priority_actions(request: HttpRequest, paging: Query[Paging], pk: int = PriorityId):
    """What officers did about it, by the date it happened."""
    p = _get(pk)
    rows = [entry_out(e) for e in selectors.action_list(priority=p)] if p.is_shown else []
    return table_response(request, rows=rows[paging.offset:paging.offset + paging.limit], count=len(rows),
                          limit=paging.limit, offset=paging.offset, fmt=paging.format, name=f"priority-{pk}-actions")


@router.get("/priorities/{pk}/comments", response={200: CommentPage, **ERROR_RESPONSES},
            url_name="priority_comments", summary="Comments on a priority", openapi_extra=CSV_OPENAPI)
@decorate_view(_no_store)
def priority_comments(request: HttpRequest, paging: Query[Paging], pk: int = PriorityId):
    """Comments, oldest first; a reply names the comment it answers. Removed or hidden
    comments keep their place with their notice instead of their words. No author names."""
    p = _get(pk)
    found = comment_list(target_kind="priority", target_id=p.pk) if p.is_shown else []
    rows = [{"id": c.pk, "reply_to": c.parent_id, "posted_at": c.created_at, "shown": c.is_shown,
             "notice": None if c.is_shown else c.public_notice, "body": c.body if c.is_shown else None}
            for c in found]
    return table_response(request, rows=rows[paging.offset:paging.offset + paging.limit], count=len(rows),
                          limit=paging.limit, offset=paging.offset, fmt=paging.format, name=f"priority-{pk}-comments")
