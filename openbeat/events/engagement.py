"""Engagement from the platform's own records, per ward and borough, over a stated period:
events held, people who came, feedback and its trust measures, residents' priorities
proposed, adopted and resolved, and the median days to the first police response.

"First police response" is the first timeline entry on a priority (adoption, decline, an
action or an update) made by a verified officer, counted in whole days from the proposal;
priorities with no response yet are counted as waiting, never as zero.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.utils import timezone

from openbeat.events.models import Event, Feedback, Registration
from openbeat.events.questions import BY_NAME
from openbeat.stats.disproportionality import wilson_interval

#: The trailing window the engagement figures cover.
PERIOD_DAYS = 365


@dataclass
class Engagement:
    code: str
    name: str
    first: dt.date
    last: dt.date
    events_held: int
    attended: int
    feedback: int
    good_job_yes: int
    good_job_n: int
    good_job: float | None
    good_job_low: float | None
    good_job_high: float | None
    proposed: int
    adopted: int
    resolved: int
    responded: int
    waiting: int
    median_days_to_response: float | None


def engagement(*, ward_codes: list[str], code: str, name: str, today: dt.date | None = None) -> Engagement:
    """Engagement for the wards named (one ward, or every ward of a borough)."""
    from openbeat.priorities.models import Priority, TimelineEntry

    today = today or timezone.localdate()
    first = today - dt.timedelta(days=PERIOD_DAYS - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    now = timezone.now()
    held = Event.objects.filter(wards__ward_code__in=ward_codes, ends_at__lt=now, starts_at__gte=start).distinct()
    attended = Registration.objects.filter(event__in=held, attended=True).count()
    fb = list(Feedback.objects.filter(event__in=held).values_list("good_job", flat=True))
    q = BY_NAME["good_job"]
    answered = [a for a in fb if a]
    k, n = sum(a in q.agreeing for a in answered), len(answered)
    low, high = wilson_interval(k, n) if n else (None, None)
    pri = list(Priority.objects.filter(ward_code__in=ward_codes, created_at__gte=start))
    adopted = [p for p in pri if p.adopted_on is not None]
    resolved = [p for p in pri if p.outcome == Priority.Outcome.RESOLVED]
    firsts: dict[int, dt.datetime] = {}
    for e in (TimelineEntry.objects.filter(priority__in=pri, actor_role="Verified officer")
              .exclude(kind=TimelineEntry.Kind.PROPOSED).order_by("created_at")):
        firsts.setdefault(e.priority_id, e.created_at)
    days = [(firsts[p.pk] - p.created_at).total_seconds() / 86400 for p in pri if p.pk in firsts]
    return Engagement(code=code, name=name, first=first, last=today, events_held=held.count(), attended=attended,
                      feedback=len(fb), good_job_yes=k, good_job_n=n, good_job=k / n if n else None,
                      good_job_low=low, good_job_high=high, proposed=len(pri), adopted=len(adopted),
                      resolved=len(resolved), responded=len(days), waiting=len(pri) - len(days),
                      median_days_to_response=statistics.median(days) if days else None)


def area_engagement(*, area) -> list[Engagement]:
    """A borough and each of its wards, or a force's boroughs (each over its wards)."""
    from openbeat.areas import selectors as areas

    def wards_of(borough_code):
        found, _ = areas.area_list(level="ward", parent=borough_code, limit=1000)
        return found

    if area.level == "ward":
        return [engagement(ward_codes=[area.code], code=area.code, name=area.name)]
    if area.level == "borough":
        wards = wards_of(area.code)
        return [engagement(ward_codes=[w.code for w in wards], code=area.code, name=area.name),
                *(engagement(ward_codes=[w.code], code=w.code, name=w.name) for w in wards)]
    boroughs, _ = areas.area_list(level="borough", parent=area.code, limit=100)
    return [engagement(ward_codes=[w.code for w in wards_of(b.code)], code=b.code, name=b.name) for b in boroughs]
