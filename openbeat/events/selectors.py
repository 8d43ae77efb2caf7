"""Reads about events: what is on in a ward, who is registered, and what attendees said."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openbeat.events.models import Event, Feedback, Registration
from openbeat.events.questions import QUESTIONS, Question
from openbeat.stats.disproportionality import wilson_interval


def event_get(*, pk: int) -> Event | None:
    return Event.objects.filter(pk=pk).prefetch_related("wards").first()


def _with_counts(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.prefetch_related("wards").annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED),
                        distinct=True),
        waitlisted=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED),
                         distinct=True),
        attended_n=Count("registrations", filter=Q(registrations__attended=True), distinct=True),
        feedback_n=Count("feedback", distinct=True))


def ward_events(*, ward_code: str, now=None) -> tuple[list[Event], list[Event]]:
    """(upcoming soonest first, past newest first) for a ward."""
    now = now or timezone.now()
    qs = _with_counts(Event.objects.filter(wards__ward_code=ward_code))
    return list(qs.filter(ends_at__gte=now).order_by("starts_at")), list(qs.filter(ends_at__lt=now)
                                                                           .order_by("-starts_at"))


#: police.uk publishes a neighbourhood's events in UK local time, without a zone.
UK_TIME = ZoneInfo("Europe/London")


def published_events(*, area, now=None) -> tuple[list[dict], list[dict]]:
    """What the force published on police.uk for a ward's neighbourhood team, as
    :func:`openbeat.areas.teams.neighbourhood_events` gives it: (upcoming soonest first, past
    newest first), split like :func:`ward_events` (upcoming until it ends), with ``starts_at``
    and ``ends_at`` in UK time so they sort beside OpenBeat's own events."""
    from openbeat.areas import teams

    now = now or timezone.now()
    upcoming, past = [], []
    for row in teams.neighbourhood_events(area=area):  # newest first
        row = {**row, **{k: row[k].replace(tzinfo=UK_TIME) for k in ("starts_at", "ends_at")
                         if isinstance(row.get(k), dt.datetime) and row[k].tzinfo is None}}
        until = row.get("ends_at") or row.get("starts_at")
        (upcoming if until is not None and until >= now else past).append(row)
    return upcoming[::-1], past


def ward_calendar(*, area, now=None) -> tuple[list[tuple[str, Event | dict]], list[Event], list[dict]]:
    """Everything coming up in a ward, OpenBeat's events and those the force published on
    police.uk, soonest first as ``("openbeat", event)`` or ``("policeuk", row)``; then the past:
    OpenBeat's events (newest first) and police.uk's (newest first)."""
    now = now or timezone.now()
    ours, ours_past = ward_events(ward_code=area.code, now=now)
    theirs, theirs_past = published_events(area=area, now=now)
    coming = [(e.starts_at, "openbeat", e) for e in ours]
    coming += [(p.get("starts_at") or p.get("ends_at"), "policeuk", p) for p in theirs]
    coming.sort(key=lambda c: (c[0], c[1]))
    return [(kind, item) for _, kind, item in coming], ours_past, theirs_past


def ward_force_name(*, ward_code: str) -> str | None:
    """The name of the force policing a ward, as the ward's page names it (its trust chart):
    the force with most of the ward's crimes. None when the lake does not say."""
    from openbeat.areas import lookup

    area = lookup.area_get(code=ward_code)
    force = lookup.area_force(area=area) if area is not None else None
    return force.name if force is not None else None


def event_force_name(*, event: Event) -> str | None:
    """The name of the force an event was held for (its ``force``, set from its first ward)."""
    from openbeat.areas import lookup

    force = lookup.area_get(code=event.force) if event.force else None
    if force is not None and force.level == "force":
        return force.name
    return ward_force_name(ward_code=event.ward_codes[0]) if event.ward_codes else None


def events_upcoming(*, now=None, limit: int = 50) -> list[Event]:
    now = now or timezone.now()
    return list(_with_counts(Event.objects.filter(ends_at__gte=now)).order_by("starts_at")[:limit])


def registration_of(*, event: Event, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user).first()


def registration_list(*, event: Event) -> list[Registration]:
    """Everyone registered (not cancelled): confirmed first, then the waitlist in its order."""
    rows = list(Registration.objects.filter(event=event).exclude(status=Registration.Status.CANCELLED)
                .select_related("user").order_by("queued_at", "pk"))
    return ([r for r in rows if r.status == Registration.Status.CONFIRMED]
            + [r for r in rows if r.status == Registration.Status.WAITLISTED])


def place_counts(*, event: Event) -> dict[str, int]:
    counts = dict(Registration.objects.filter(event=event).values_list("status").annotate(n=Count("pk")))
    confirmed = counts.get(Registration.Status.CONFIRMED, 0)
    return {"confirmed": confirmed, "waitlisted": counts.get(Registration.Status.WAITLISTED, 0),
            "free": max(event.capacity - confirmed, 0)}


def waitlist_position(*, registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITLISTED).filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    ).count() + 1


@dataclass
class Share:
    """How many answered a question, how many agreed, and the share with its 95% Wilson interval."""

    question: Question
    answered: int
    agreeing: int
    share: float | None
    low: float | None
    high: float | None
    counts: list[tuple[str, int]] = field(default_factory=list)  # (answer label, how many)


@dataclass
class FeedbackSummary:
    responses: int
    rating_mean: float | None
    ratings: list[tuple[int, int]]  # (rating, how many) for 5..1
    shares: list[Share]
    texts: list[Feedback]  # approved free text only


def feedback_summary(*, feedback: QuerySet[Feedback] | list[Feedback]) -> FeedbackSummary:
    rows = list(feedback)
    ratings = [f.rating for f in rows]
    shares = []
    for q in QUESTIONS:
        answers = [getattr(f, q.name) for f in rows if getattr(f, q.name)]
        k, n = sum(a in q.agreeing for a in answers), len(answers)
        low, high = wilson_interval(k, n) if n else (None, None)
        shares.append(Share(q, n, k, k / n if n else None, low, high,
                            [(label, answers.count(value)) for value, label in q.choices]))
    return FeedbackSummary(
        responses=len(rows), rating_mean=sum(ratings) / len(ratings) if ratings else None,
        ratings=[(r, ratings.count(r)) for r in range(5, 0, -1)], shares=shares,
        texts=[f for f in rows if f.text and f.text_approved_at])


def event_feedback_summary(*, event: Event) -> FeedbackSummary:
    return feedback_summary(feedback=Feedback.objects.filter(event=event))


def ward_feedback_summary(*, ward_code: str) -> FeedbackSummary:
    return feedback_summary(feedback=Feedback.objects.filter(event__wards__ward_code=ward_code).distinct())


def feedback_awaiting(*, event: Event) -> list[Feedback]:
    """Free text not yet published (organisers and moderators decide)."""
    return list(Feedback.objects.filter(event=event, text_approved_at__isnull=True).exclude(text=""))


def feedback_exists(*, event: Event, user) -> bool:
    return getattr(user, "is_authenticated", False) and Feedback.objects.filter(event=event, user=user).exists()
