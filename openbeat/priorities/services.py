"""Writes about priorities. Each checks who may do it, records a timeline entry with who and
when, and tells the followers of the priority and of its ward."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openbeat.accounts.selectors import user_has_role
from openbeat.analytics.harm import CRIME_TYPES
from openbeat.comments.models import Comment
from openbeat.comments.services import comment_post
from openbeat.moderation.models import DELETED_BY_AUTHOR, Visibility
from openbeat.moderation.services import item_hold
from openbeat.notifications.services import follow_create, notification_announce
from openbeat.priorities.models import (
    DESCRIPTION_MAX, TEXT_MAX, TITLE_MAX, Priority, PriorityWard, Support, TimelineEntry)

#: Who may adopt, decline and close a ward's priorities (with the team), and who posts actions.
PANEL_KINDS = {"officer", "panel_member", "panel_chair"}
ACTION_KINDS = {"officer"}
#: The longest period a priority is adopted for at once.
MAX_PERIOD_DAYS = 366


def adopted_limit() -> int:
    """How many priorities a ward may have adopted or in progress at once (``OPENBEAT_PRIORITIES_PER_WARD``)."""
    return int(getattr(settings, "OPENBEAT_PRIORITIES_PER_WARD", 3))


_AS_OF: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("priorities_as_of", default=None)


def today() -> dt.date:
    """Today's date, or the day set by :func:`as_of`."""
    return _AS_OF.get() or timezone.localdate()


@contextlib.contextmanager
def as_of(day: dt.date) -> Iterator[None]:
    """Run the writes inside as if on ``day``: the demo tells its story on the story's dates,
    so every date the services stamp or quote (the period, the timeline's text, what followers
    are told) agrees from the start rather than being moved afterwards. Only this context
    (this thread, this request) sees the changed day."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def role_label(*, user, ward_code: str) -> str:
    """The capacity ``user`` acts in for this ward, as the timeline shows it."""
    from openbeat.accounts.models import Role

    verified = set(Role.objects.filter(user=user, verified_at__isnull=False).values_list("kind", flat=True))
    if "administrator" in verified or user.is_staff:
        # administrators hold every role everywhere: name what they are, not a role they stand in for
        return "Administrator"
    for kind, label in (("officer", "Verified officer"), ("panel_chair", "Ward panel chair"),
                        ("panel_member", "Ward panel member")):
        if kind in verified and user_has_role(user=user, kinds={kind}, ward_code=ward_code):
            return label
    return "Resident"


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Enter the {field.replace('_', ' ')}."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep the {field.replace('_', ' ')} under {limit:,} characters "
                                      f"(it has {len(value):,})."})
    return value


def _ward(ward_code: str):
    from openbeat.areas import lookup, teams

    area = lookup.area_get(code=ward_code)
    if area is None or area.level != "ward":
        raise ValidationError({"ward_code": f"{ward_code!r} is not a ward this site knows."})
    force = lookup.area_force(area=area)
    if force is None:
        team = teams.area_team(area=area)
        return area, team.force if team else ""
    return area, force.code


def _check_point(ward_code: str, latitude, longitude) -> tuple[float | None, float | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValidationError({"point": "Give the point as a latitude and a longitude, e.g. 51.5074 and -0.1278."}) \
            from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"point": "That latitude or longitude is out of range."})
    from openbeat.areas import search

    found = search.area_find(query=f"{lat},{lon}")
    if not any(a.level == "ward" and a.code == ward_code for a in found.areas):
        raise ValidationError({"point": "That point is not inside this ward. Leave it empty, or choose a point "
                                        "within the ward."})
    return round(lat, 6), round(lon, 6)


def _entry(priority: Priority, *, kind: str, actor, text: str = "", happened_on: dt.date | None = None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        priority=priority, kind=kind, actor=actor,
        actor_role=role_label(user=actor, ward_code=priority.ward_code) if actor is not None else "",
        text=text, happened_on=happened_on or today())


def _tell(priority: Priority, *, subject: str, body: str, actor, ward_too: bool = True) -> None:
    """Followers of the priority, and (for changes of state and actions) of its ward."""
    if not priority.is_shown:
        return
    # once each, even for someone following both the priority and its ward
    notification_announce(target_kind="priority", target_code=str(priority.pk), subject=subject, body=body,
                      url=priority.get_absolute_url(), actor=actor,
                      also_following=[("ward", priority.ward_code)] if ward_too else ())


def _locked(priority: Priority) -> Priority:
    return Priority.objects.select_for_update().get(pk=priority.pk)


def _require(user, kinds: set[str], priority: Priority, doing: str) -> None:
    if not user_has_role(user=user, kinds=kinds, ward_code=priority.ward_code):
        who = "a verified officer" if kinds == ACTION_KINDS else "the ward's panel or a verified officer"
        raise PermissionDenied(f"Only {who} for this ward can {doing}.")


def _require_state(priority: Priority, states: tuple[str, ...], doing: str) -> None:
    if priority.state not in states:
        raise ValidationError(f"This priority is {priority.get_state_display().lower()}, so it cannot be {doing}.")


@transaction.atomic
def priority_propose(*, user, ward_code: str, title: str, description: str, crime_types: list[str],
                     latitude=None, longitude=None, held_reason: str = "") -> Priority:
    """``user`` proposes a priority for a ward; they follow it from then on."""
    area, force = _ward(ward_code)
    errors = {}
    try:
        title = _text(title, field="title", limit=TITLE_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        description = _text(description, field="description", limit=DESCRIPTION_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    types = list(dict.fromkeys(crime_types or []))
    unknown = [t for t in types if t not in CRIME_TYPES]
    if unknown:
        errors["crime_types"] = [f"Not a police.uk crime type: {', '.join(unknown)}."]
    elif not types:
        errors["crime_types"] = ["Choose at least one type of crime it is about."]
    try:
        latitude, longitude = _check_point(area.code, latitude, longitude)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    PriorityWard.objects.get_or_create(ward_code=area.code, defaults={"force": force})
    priority = Priority.objects.create(ward_code=area.code, force=force, title=title, description=description,
                                       crime_types=[t for t in CRIME_TYPES if t in types], latitude=latitude,
                                       longitude=longitude, proposed_by=user)
    _entry(priority, kind=TimelineEntry.Kind.PROPOSED, actor=user)
    follow_create(user=user, target_kind="priority", target_code=str(priority.pk))
    if held_reason:
        item_hold(item=priority, reason=held_reason)
        priority.refresh_from_db()
    else:
        notification_announce(target_kind="ward", target_code=priority.ward_code,
                          subject=f"New priority proposed in {area.name}: {title}",
                          body=f"A resident proposed a priority for {area.name}: {title}.",
                          url=priority.get_absolute_url(), actor=user)
    return priority


def support_add(*, priority: Priority, user) -> None:
    """``user`` supports ``priority``; supporting twice changes nothing (one per account).

    One statement, ``INSERT … ON CONFLICT DO NOTHING``, sent on its own: outside a
    transaction it commits by itself, so the request pays one round trip to the database
    (the ORM's ``bulk_create`` wraps it in BEGIN … COMMIT: three). The unique constraint,
    not a prior read, decides, so concurrent clicks make one support."""
    if not priority.is_shown:
        raise ValidationError("This priority is not shown, so it cannot be supported.")
    _require_state(priority, (Priority.State.PROPOSED, Priority.State.ADOPTED, Priority.State.IN_PROGRESS),
                   "supported")
    _one_statement(f"INSERT INTO {_SUPPORT} (priority_id, user_id, created_at) VALUES (%s, %s, %s) "
                   "ON CONFLICT DO NOTHING", [priority.pk, user.pk, timezone.now()])


def support_withdraw(*, priority: Priority, user) -> bool:
    """Withdraw ``user``'s support; True when there was one. One ``DELETE``, which commits
    by itself (the ORM's ``delete()`` wraps even one statement in BEGIN … COMMIT)."""
    return _one_statement(f"DELETE FROM {_SUPPORT} WHERE priority_id = %s AND user_id = %s",
                          [priority.pk, user.pk]) > 0


_SUPPORT = Support._meta.db_table  # a support has no signals, cascades or other rows to keep in step


def _one_statement(sql: str, params: list) -> int:
    """Run one write statement (in the caller's transaction if there is one, else on its
    own, committed at once); the number of rows it changed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def priority_adopt(*, priority: Priority, by, until: dt.date, note: str = "") -> Priority:
    """The ward's panel or team adopts ``priority`` from today until ``until``.

    The ward's row is locked first, so two adoptions in one ward queue up and the second
    counts the first: the limit (``adopted_limit()``) holds under concurrency."""
    _require(by, PANEL_KINDS, priority, "adopt its priorities")
    note = _text(note, field="note", limit=TEXT_MAX, required=False)
    start = today()
    if until is None or until <= start:
        raise ValidationError({"until": "The period must end after today."})
    if (until - start).days > MAX_PERIOD_DAYS:
        raise ValidationError({"until": "Adopt a priority for a year at most; adopt it again to continue."})
    ward, _ = PriorityWard.objects.get_or_create(ward_code=priority.ward_code, defaults={"force": priority.force})
    PriorityWard.objects.select_for_update().get(pk=ward.pk)
    priority = _locked(priority)
    _require_state(priority, (Priority.State.PROPOSED,), "adopted")
    if not priority.is_shown:
        raise ValidationError("This priority is hidden by moderation; it cannot be adopted until it is restored.")
    active = Priority.objects.filter(ward_code=priority.ward_code,
                                     state__in=[Priority.State.ADOPTED, Priority.State.IN_PROGRESS]).count()
    limit = adopted_limit()
    if active >= limit:
        raise ValidationError(f"This ward already has {active} adopted {'priority' if active == 1 else 'priorities'}, "
                              "the most it may have at once "
                              f"({limit}). Close one before adopting another.")
    priority.state = Priority.State.ADOPTED
    priority.adopted_on = start
    priority.adopted_until = until
    priority.save(update_fields=["state", "adopted_on", "adopted_until", "updated_at"])
    _entry(priority, kind=TimelineEntry.Kind.ADOPTED, actor=by,
           text=note or f"Adopted until {until:%-d %B %Y}.")
    _tell(priority, subject=f"Priority adopted: {priority.title}",
          body=f"“{priority.title}” was adopted until {until:%-d %B %Y}." + (f"\n\n{note}" if note else ""), actor=by)
    return priority


@transaction.atomic
def priority_decline(*, priority: Priority, by, reason: str) -> Priority:
    """Decline ``priority``; the reason is shown to everyone."""
    _require(by, PANEL_KINDS, priority, "decline its priorities")
    reason = _text(reason, field="reason", limit=TEXT_MAX)
    priority = _locked(priority)
    _require_state(priority, (Priority.State.PROPOSED,), "declined")
    priority.state = Priority.State.DECLINED
    priority.decline_reason = reason
    priority.save(update_fields=["state", "decline_reason", "updated_at"])
    _entry(priority, kind=TimelineEntry.Kind.DECLINED, actor=by, text=reason)
    _tell(priority, subject=f"Priority declined: {priority.title}", body=f"Reason given: {reason}", actor=by)
    return priority


@transaction.atomic
def priority_action_add(*, priority: Priority, by, kind: str, text: str, happened_on: dt.date) -> TimelineEntry:
    """An officer posts an action taken (or a progress update) with its date. The first one
    moves an adopted priority to "in progress"."""
    _require(by, ACTION_KINDS, priority, "post actions on its priorities")
    if kind not in (TimelineEntry.Kind.ACTION, TimelineEntry.Kind.UPDATE):
        raise ValidationError({"kind": "Choose an action or a progress update."})
    text = _text(text, field="text", limit=TEXT_MAX)
    if happened_on is None or happened_on > today():
        raise ValidationError({"happened_on": "Give the date it happened (today or earlier)."})
    priority = _locked(priority)
    _require_state(priority, (Priority.State.ADOPTED, Priority.State.IN_PROGRESS), "given actions")
    if priority.adopted_on and happened_on < priority.adopted_on:
        raise ValidationError({"happened_on": f"The priority was adopted on {priority.adopted_on:%-d %B %Y}; "
                                              "give a date from then on."})
    if priority.state == Priority.State.ADOPTED:
        priority.state = Priority.State.IN_PROGRESS
        priority.save(update_fields=["state", "updated_at"])
        _entry(priority, kind=TimelineEntry.Kind.STARTED, actor=by, happened_on=happened_on)
    entry = _entry(priority, kind=kind, actor=by, text=text, happened_on=happened_on)
    label = "New action" if kind == TimelineEntry.Kind.ACTION else "Progress update"
    _tell(priority, subject=f"{label}: {priority.title}", body=text, actor=by)
    return entry


@transaction.atomic
def priority_close(*, priority: Priority, by, outcome: str, summary: str) -> Priority:
    """The panel closes ``priority`` as resolved or not, with a summary."""
    _require(by, PANEL_KINDS, priority, "close its priorities")
    if outcome not in Priority.Outcome.values:
        raise ValidationError({"outcome": "Choose resolved or not resolved."})
    summary = _text(summary, field="summary", limit=TEXT_MAX)
    priority = _locked(priority)
    _require_state(priority, (Priority.State.ADOPTED, Priority.State.IN_PROGRESS), "closed")
    priority.state = Priority.State.CLOSED
    priority.outcome = outcome
    priority.summary = summary
    priority.closed_on = today()
    priority.save(update_fields=["state", "outcome", "summary", "closed_on", "updated_at"])
    _entry(priority, kind=TimelineEntry.Kind.CLOSED, actor=by,
           text=f"{priority.get_outcome_display()}. {summary}")
    _tell(priority, subject=f"Priority closed ({priority.get_outcome_display().lower()}): {priority.title}",
          body=summary, actor=by)
    return priority


@transaction.atomic
def priority_comment_add(*, priority: Priority, author, body: str, parent: Comment | None = None,
                         held_reason: str = "") -> Comment:
    """A comment (or a reply) on ``priority``; its followers are told."""
    if not priority.is_shown:
        raise ValidationError("This priority is hidden by moderation; comments are closed until it is restored.")
    return comment_post(author=author, target_kind="priority", target_id=priority.pk,
                        target_url=priority.get_absolute_url(), force=priority.force, title=priority.title,
                        body=body, parent=parent, held_reason=held_reason)


def priority_shown(priority: Priority, *, was: str) -> None:
    """A moderator showed ``priority`` again (``openbeat.moderation.registry``): its proposer
    is told; if it was held, nobody has seen it yet, so the ward's followers are told of a
    new priority as :func:`priority_propose` would have."""
    from openbeat.areas import lookup
    from openbeat.notifications.services import notification_tell

    first = was == Visibility.HELD
    if priority.proposed_by is not None:
        notification_tell(
            user=priority.proposed_by, target_kind="priority", target_code=str(priority.pk),
            subject=(f"Your priority is now shown: {priority.title}" if first
                     else f"Your priority is shown again: {priority.title}"),
            body=("A moderator checked it and it is now shown; others can support it." if first else
                  "A moderator reviewed it and it is shown to everyone again."),
            url=priority.get_absolute_url())
    if first:
        area = lookup.area_get(code=priority.ward_code)
        name = area.name if area is not None else priority.ward_code
        notification_announce(target_kind="ward", target_code=priority.ward_code,
                              subject=f"New priority proposed in {name}: {priority.title}",
                              body=f"A resident proposed a priority for {name}: {priority.title}.",
                              url=priority.get_absolute_url(), actor=priority.proposed_by)


# ---- privacy (openbeat.accounts.privacy) ------------------------------------------------------


def priorities_personal_data(*, user) -> dict:
    return {
        "proposed": [{"id": p.pk, "ward_code": p.ward_code, "title": p.title, "description": p.description,
                      "crime_types": p.crime_types, "latitude": p.latitude, "longitude": p.longitude,
                      "state": p.state, "created_at": p.created_at.isoformat()}
                     for p in Priority.objects.filter(proposed_by=user).order_by("created_at", "pk")],
        "supported": [{"priority_id": s.priority_id, "created_at": s.created_at.isoformat()}
                      for s in Support.objects.filter(user=user).order_by("created_at", "pk")],
        "timeline": [{"priority_id": e.priority_id, "kind": e.kind, "text": e.text,
                      "happened_on": e.happened_on.isoformat(), "created_at": e.created_at.isoformat()}
                     for e in TimelineEntry.objects.filter(actor=user).order_by("created_at", "pk")],
    }


def priorities_personal_data_erase(*, user, keep_text: bool) -> None:
    Support.objects.filter(user=user).delete()
    TimelineEntry.objects.filter(actor=user).update(actor=None)
    mine = Priority.objects.filter(proposed_by=user)
    if keep_text:
        mine.update(proposed_by=None)
    else:
        # a priority others supported or the team adopted is part of the ward's record:
        # its words go, its place in the timeline stays
        mine.update(proposed_by=None, title="Withdrawn by its author", description="", latitude=None,
                    longitude=None, visibility=Visibility.REMOVED, moderation_reason=DELETED_BY_AUTHOR)
