"""Writes about events. Places are given under a lock on the event's row, so capacity holds
when many people register at once; emails are queued for the worker, never sent here.

Imports go one way: these services queue ``tasks``, whose work lives below both
(``reminders``, ``emails``); nothing a task runs imports this module."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openbeat.accounts.selectors import user_has_role
from openbeat.events.models import TEXT_MAX, TITLE_MAX, Event, EventWard, Feedback, Message, Registration
from openbeat.events.questions import QUESTIONS

#: Who creates events and manages them for their wards.
ORGANISER_KINDS = {"officer", "panel_chair"}
#: A reminder goes this long before the start.
REMINDER_BEFORE = dt.timedelta(days=1)
MAX_CAPACITY = 5000


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Enter the {field.replace('_', ' ')}."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep the {field.replace('_', ' ')} under {limit:,} characters "
                                      f"(it has {len(value):,})."})
    return value


def _force_of(ward_code: str) -> str:
    from openbeat.areas import lookup, teams

    area = lookup.area_get(code=ward_code)
    if area is None or area.level != "ward":
        raise ValidationError({"ward_codes": f"{ward_code!r} is not a ward this site knows."})
    force = lookup.area_force(area=area)
    if force is not None:
        return force.code
    team = teams.area_team(area=area)
    return team.force if team else ""


def can_organise(*, user, event: Event) -> bool:
    """The organiser, or an officer or ward panel chair for one of the event's wards."""
    if not getattr(user, "is_authenticated", False):
        return False
    if event.organiser_id == user.pk and user_has_role(user=user, kinds=ORGANISER_KINDS):
        return True
    return any(user_has_role(user=user, kinds=ORGANISER_KINDS, ward_code=w) for w in event.ward_codes)


def can_approve_text(*, user, event: Event) -> bool:
    return can_organise(user=user, event=event) or (
        bool(event.force) and user_has_role(user=user, kinds={"moderator"}, force=event.force))


def _require_organiser(user, event: Event, doing: str) -> None:
    if not can_organise(user=user, event=event):
        raise PermissionDenied(f"Only the organiser, or an officer or ward panel chair for the event's wards, "
                               f"can {doing}.")


@transaction.atomic
def event_create(*, by, ward_codes: list[str], title: str, description: str, venue: str, address: str,
                 starts_at: dt.datetime, ends_at: dt.datetime, capacity: int, step_free: bool = False,
                 hearing_loop: bool = False, language_support: str = "", online_link: str = "",
                 synthetic: bool = False) -> Event:
    ward_codes = sorted(dict.fromkeys(ward_codes))
    if not ward_codes:
        raise ValidationError({"ward_codes": "Choose at least one ward."})
    forces = {w: _force_of(w) for w in ward_codes}
    for w in ward_codes:
        if not user_has_role(user=by, kinds=ORGANISER_KINDS, ward_code=w):
            raise PermissionDenied(f"Only a verified officer or ward panel chair for ward {w} can hold an event "
                                   "there.")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The event must end after it starts."})
    if not 1 <= int(capacity) <= MAX_CAPACITY:
        raise ValidationError({"capacity": f"Give a capacity from 1 to {MAX_CAPACITY:,}."})
    event = Event.objects.create(
        title=_text(title, field="title", limit=TITLE_MAX), description=_text(description, field="description",
                                                                              limit=TEXT_MAX),
        venue=_text(venue, field="venue", limit=200), address=_text(address, field="address", limit=300),
        starts_at=starts_at, ends_at=ends_at, capacity=int(capacity), step_free=step_free,
        hearing_loop=hearing_loop, language_support=_text(language_support, field="language_support", limit=200,
                                                          required=False),
        online_link=(online_link or "").strip(), force=forces[ward_codes[0]], organiser=by, synthetic=synthetic)
    EventWard.objects.bulk_create([EventWard(event=event, ward_code=w) for w in ward_codes])
    return event


def _email(registration_ids: list[int], kind: str, **extra) -> None:
    """Queue one email per registration once the transaction commits."""
    from openbeat.events.tasks import event_email_send

    def enqueue():
        for pk in registration_ids:
            event_email_send.enqueue(registration_id=pk, kind=kind, **extra)

    transaction.on_commit(enqueue)


def _schedule_reminder(registration: Registration) -> None:
    from openbeat.events.tasks import event_reminder_send

    when = registration.event.starts_at - REMINDER_BEFORE
    pk = registration.pk

    def enqueue():
        task = event_reminder_send.using(run_after=when) if when > timezone.now() else event_reminder_send
        task.enqueue(registration_id=pk)

    transaction.on_commit(enqueue)


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
def registration_create(*, event: Event, user, email: bool = True) -> Registration:
    """A place if one is free, else a place on the waitlist. Registering again while
    registered changes nothing; after cancelling, it queues again at the back.
    ``email=False`` (the demo's made-up people) sends no confirmation; reminders still run."""
    event = _locked(event)  # every registration and cancellation for this event waits here
    now = timezone.now()
    if event.starts_at <= now:
        raise ValidationError("This event has started; registration is closed.")
    existing = Registration.objects.filter(event=event, user=user).first()
    if existing is not None and existing.status != Registration.Status.CANCELLED:
        return existing
    taken = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
    status = Registration.Status.CONFIRMED if taken < event.capacity else Registration.Status.WAITLISTED
    if existing is None:
        registration = Registration.objects.create(event=event, user=user, status=status, queued_at=now)
    else:
        existing.status, existing.queued_at, existing.promoted_at, existing.reminded_at = status, now, None, None
        existing.save(update_fields=["status", "queued_at", "promoted_at", "reminded_at"])
        registration = existing
    registration.event = event
    if email:
        _email([registration.pk], status)
    if status == Registration.Status.CONFIRMED:
        _schedule_reminder(registration)
    return registration


@transaction.atomic
def registration_cancel(*, event: Event, user) -> Registration | None:
    """Cancel ``user``'s place; a confirmed place goes to the first on the waitlist, who is
    told by email. Returns whoever was promoted (None if nobody).

    Refused (ValidationError) when ``user`` has no place or waitlist place to cancel, and once
    the event has started: by then the place was used or not, and attendance is the record."""
    event = _locked(event)
    registration = Registration.objects.filter(event=event, user=user).exclude(
        status=Registration.Status.CANCELLED).first()
    if registration is None:
        raise ValidationError("You have no place or waitlist place at this event, so there was nothing to cancel.",
                              code="not_registered")
    if event.starts_at <= timezone.now():
        raise ValidationError("This event has started, so your registration can no longer be cancelled.",
                              code="started")
    was = registration.status
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status"])
    if was != Registration.Status.CONFIRMED:
        return None
    return _promote(event)


def _promote(event: Event) -> Registration | None:
    taken = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
    if taken >= event.capacity or event.starts_at <= timezone.now():
        return None
    nxt = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).order_by(
        "queued_at", "pk").first()
    if nxt is None:
        return None
    nxt.status, nxt.promoted_at = Registration.Status.CONFIRMED, timezone.now()
    nxt.save(update_fields=["status", "promoted_at"])
    nxt.event = event
    _email([nxt.pk], "promoted")
    _schedule_reminder(nxt)
    return nxt


@transaction.atomic
def attendance_record(*, event: Event, by, attended_user_ids: set[int]) -> int:
    """Record who came (confirmed registrations only); attendees are asked for feedback by
    email, once. Returns how many attended."""
    _require_organiser(by, event, "record attendance")
    if event.starts_at > timezone.now():
        raise ValidationError("Attendance can be recorded once the event has started.")
    registrations = list(Registration.objects.select_for_update().filter(
        event=event, status=Registration.Status.CONFIRMED))
    ask, came, now = [], 0, timezone.now()
    for r in registrations:
        r.attended = r.user_id in attended_user_ids
        came += r.attended
        if r.attended and r.feedback_asked_at is None:
            r.feedback_asked_at = now
            ask.append(r.pk)
        r.save(update_fields=["attended", "feedback_asked_at"])
    _email(ask, "feedback")
    return came


@transaction.atomic
def message_send(*, event: Event, by, subject: str, body: str) -> Message:
    """Email everyone with a place or on the waitlist."""
    _require_organiser(by, event, "message the people registered")
    message = Message.objects.create(event=event, sender=by, subject=_text(subject, field="subject", limit=150),
                                     body=_text(body, field="body", limit=TEXT_MAX))
    ids = list(Registration.objects.filter(event=event).exclude(
        status=Registration.Status.CANCELLED).values_list("pk", flat=True))
    _email(ids, "message", message_id=message.pk)
    return message


def feedback_allowed(*, event: Event, user) -> bool:
    return getattr(user, "is_authenticated", False) and Registration.objects.filter(
        event=event, user=user, attended=True).exists()


@transaction.atomic
def feedback_create(*, event: Event, user, rating: int, text: str = "", **answers: str) -> Feedback:
    """An attendee's feedback, once. Unknown answers are refused; empty ones are skipped."""
    if not feedback_allowed(event=event, user=user):
        raise PermissionDenied("Only people recorded as attending can give feedback on this event.")
    if Feedback.objects.filter(event=event, user=user).exists():
        raise ValidationError("You have already given feedback on this event. Thank you.")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "Choose an overall rating from 1 to 5."})
    clean = {}
    for q in QUESTIONS:
        a = (answers.pop(q.name, "") or "").strip()
        if a and a not in dict(q.choices):
            raise ValidationError({q.name: f"{a!r} is not an answer to this question."})
        clean[q.name] = a
    if answers:
        raise ValidationError(f"Unknown question(s): {', '.join(sorted(answers))}")
    return Feedback.objects.create(event=event, user=user, rating=rating,
                                   text=_text(text, field="text", limit=TEXT_MAX, required=False), **clean)


@transaction.atomic
def feedback_text_approve(*, feedback: Feedback, by) -> Feedback:
    """Publish an answer's free text (organisers and the force's moderators)."""
    if not can_approve_text(user=by, event=feedback.event):
        raise PermissionDenied("Only the event's organisers or the force's moderators can publish feedback text.")
    feedback.text_approved_at, feedback.text_approved_by = timezone.now(), by
    feedback.save(update_fields=["text_approved_at", "text_approved_by"])
    return feedback


@transaction.atomic
def event_respond(*, event: Event, by, text: str) -> Event:
    """What the team says it will do after the feedback (public)."""
    _require_organiser(by, event, "reply to the feedback")
    event.team_response = _text(text, field="text", limit=TEXT_MAX)
    event.team_response_at = timezone.now()
    event.save(update_fields=["team_response", "team_response_at"])
    return event


def events_personal_data(*, user) -> dict:
    return {
        "registrations": [{"event": r.event.title, "starts_at": r.event.starts_at.isoformat(), "status": r.status,
                           "attended": r.attended} for r in Registration.objects.filter(user=user)
                          .select_related("event")],
        "feedback": [{"event": f.event.title, "rating": f.rating, "text": f.text,
                      **{q.name: getattr(f, q.name) for q in QUESTIONS}}
                     for f in Feedback.objects.filter(user=user).select_related("event")],
    }


def events_personal_data_erase(*, user, keep_text: bool) -> None:
    """Registrations go; feedback answers stay in the counts without the account, and their
    text goes unless the person chose to keep it."""
    Registration.objects.filter(user=user).delete()
    fb = Feedback.objects.filter(user=user)
    if not keep_text:
        fb.update(text="")
    fb.update(user=None)
