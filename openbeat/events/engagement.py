"""Engagement from the platform's own records, per ward and borough, over a stated period:
events held, people who came, feedback and every one of its Public Attitude Survey
measures, residents' priorities proposed, adopted and resolved, and the median days to the
first police response.

* **The period** is given (the scorecard's own months, so its engagement figures cover
  what its crime and trust figures cover); without one, the last 365 days.
* **Coverage.** OpenBeat's records begin with the first event or priority anyone recorded
  on it. A period wholly before that is *not yet collected* (nothing to count, which is
  not zero); a period that starts before it is counted from that date, and says so. Inside
  the records, a count of 0 means none happened.
* **A borough** aggregates its wards: an event held for two of its wards counts once.
* "First police response" is the first timeline entry on a priority (adoption, decline, an
  action or an update) made by a verified officer, in days from the proposal; priorities
  with no response yet are counted as waiting, never as zero.

The records are read once for all the areas asked about (a handful of queries, whatever
the number of wards), then counted here.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Min
from django.utils import timezone

from openbeat.events.models import Event, EventWard, Feedback, Registration
from openbeat.events.questions import QUESTIONS, agrees
from openbeat.stats.disproportionality import wilson_interval

#: The trailing window the engagement figures cover when no period is given.
PERIOD_DAYS = 365


@dataclass
class Measure:
    """One PAS question among the feedback: how many agreed of those who answered it."""

    name: str
    label: str
    yes: int
    n: int
    share: float | None
    low: float | None
    high: float | None


@dataclass
class Engagement:
    code: str
    name: str
    first: dt.date
    last: dt.date
    #: when OpenBeat's records begin (None: it holds none at all)
    records_begin: dt.date | None
    events_held: int = 0
    attended: int = 0
    feedback: int = 0
    measures: list[Measure] = field(default_factory=list)
    proposed: int = 0
    adopted: int = 0
    resolved: int = 0
    responded: int = 0
    waiting: int = 0
    median_days_to_response: float | None = None

    @property
    def collected(self) -> bool:
        """Does any of the period fall within OpenBeat's records?"""
        return self.records_begin is not None and self.records_begin <= self.last

    @property
    def counted_from(self) -> dt.date | None:
        """The first day counted: the period's, or the records' when they begin later."""
        if not self.collected:
            return None
        return max(self.first, self.records_begin)

    @property
    def partial(self) -> bool:
        return self.collected and self.records_begin > self.first

    def measure(self, name: str) -> Measure | None:
        return next((m for m in self.measures if m.name == name), None)

    # the "good job" measure, by the names the team page and older callers use
    @property
    def good_job_yes(self) -> int:
        return self.measure("good_job").yes

    @property
    def good_job_n(self) -> int:
        return self.measure("good_job").n

    @property
    def good_job(self) -> float | None:
        return self.measure("good_job").share


def records_begin() -> dt.date | None:
    """The day OpenBeat's own records begin: its first event held or priority proposed."""
    from openbeat.priorities.models import Priority

    days = [d for d in (Event.objects.aggregate(d=Min("starts_at"))["d"],
                        Priority.objects.aggregate(d=Min("created_at"))["d"]) if d is not None]
    return timezone.localtime(min(days)).date() if days else None


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=PERIOD_DAYS - 1), today


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _measures(rows: list[tuple]) -> list[Measure]:
    out = []
    for i, q in enumerate(QUESTIONS):
        said = [agrees(q, row[i]) for row in rows]
        said = [a for a in said if a is not None]
        k, n = sum(said), len(said)
        low, high = wilson_interval(k, n) if n else (None, None)
        out.append(Measure(name=q.name, label=q.short, yes=k, n=n, share=k / n if n else None, low=low, high=high))
    return out


def engagement_many(*, groups: list[tuple[str, str, list[str]]], first: dt.date | None = None,
                    last: dt.date | None = None) -> list[Engagement]:
    """Engagement for each ``(code, name, ward_codes)`` group (a ward is a group of one; a
    borough, its wards), from ``first`` to ``last`` inclusive (default: the last 365 days)."""
    from openbeat.priorities.models import Priority, TimelineEntry

    if first is None or last is None:
        first, last = default_period()
    begin = records_begin()
    out = [Engagement(code=code, name=name, first=first, last=last, records_begin=begin)
           for code, name, _ in groups]
    if not groups or begin is None or begin > last:
        return out
    wards = sorted({w for _, _, ws in groups for w in ws})
    start, end = _aware(first), _aware(last + dt.timedelta(days=1))
    now = timezone.now()
    # events held in the period (started in it, and over by now), with their wards
    held = list(Event.objects.filter(wards__ward_code__in=wards, starts_at__gte=start, starts_at__lt=end,
                                     ends_at__lt=now).values_list("pk", flat=True).distinct())
    event_wards: dict[int, set[str]] = {}
    for event_id, ward in EventWard.objects.filter(event_id__in=held).values_list("event_id", "ward_code"):
        event_wards.setdefault(event_id, set()).add(ward)
    came: dict[int, int] = {}
    for event_id in Registration.objects.filter(event_id__in=held, attended=True).values_list("event_id", flat=True):
        came[event_id] = came.get(event_id, 0) + 1
    answers: dict[int, list[tuple]] = {}
    for event_id, *row in Feedback.objects.filter(event_id__in=held).values_list(
            "event_id", *(q.name for q in QUESTIONS)):
        answers.setdefault(event_id, []).append(tuple(row))
    # residents' priorities proposed in the period, and the first officer's response to each
    pri = list(Priority.objects.filter(ward_code__in=wards, created_at__gte=start, created_at__lt=end)
               .values_list("pk", "ward_code", "created_at", "adopted_on", "outcome"))
    firsts = dict(TimelineEntry.objects.filter(priority_id__in=[p[0] for p in pri], actor_role="Verified officer")
                  .exclude(kind=TimelineEntry.Kind.PROPOSED).values("priority_id")
                  .annotate(first=Min("created_at")).values_list("priority_id", "first"))
    for e, (_, _, ward_codes) in zip(out, groups, strict=True):
        mine = set(ward_codes)
        events = [pk for pk, ws in event_wards.items() if ws & mine]
        rows = [row for pk in events for row in answers.get(pk, [])]
        ps = [p for p in pri if p[1] in mine]
        days = [(firsts[p[0]] - p[2]).total_seconds() / 86400 for p in ps if p[0] in firsts]
        e.events_held, e.attended, e.feedback = len(events), sum(came.get(pk, 0) for pk in events), len(rows)
        e.measures = _measures(rows)
        e.proposed = len(ps)
        e.adopted = sum(p[3] is not None for p in ps)
        e.resolved = sum(p[4] == Priority.Outcome.RESOLVED for p in ps)
        e.responded, e.waiting = len(days), len(ps) - len(days)
        e.median_days_to_response = statistics.median(days) if days else None
    return out


def engagement(*, ward_codes: list[str], code: str, name: str, today: dt.date | None = None,
               first: dt.date | None = None, last: dt.date | None = None) -> Engagement:
    """Engagement for the wards named (one ward, or every ward of a borough)."""
    if first is None or last is None:
        first, last = default_period(today)
    return engagement_many(groups=[(code, name, list(ward_codes))], first=first, last=last)[0]


def area_groups(*, area) -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, str, list[str]]]]:
    """The boroughs and the wards a scorecard shows for ``area``, as groups: a ward alone; a
    borough, with each of its wards; a force, its boroughs (each over its wards) and every ward."""
    from openbeat.areas import lookup

    def wards_of(borough_code):
        found, _ = lookup.area_list(level="ward", parent=borough_code, limit=1000)
        return found

    if area.level == "ward":
        return [], [(area.code, area.name, [area.code])]
    if area.level == "borough":
        boroughs = [area]
    else:
        boroughs, _ = lookup.area_list(level="borough", parent=area.code, limit=100)
    by_borough = [(b, wards_of(b.code)) for b in boroughs]
    return ([(b.code, b.name, [w.code for w in ws]) for b, ws in by_borough],
            [(w.code, w.name, [w.code]) for _, ws in by_borough for w in ws])


def area_engagement(*, area, first: dt.date | None = None,
                    last: dt.date | None = None) -> tuple[list[Engagement], list[Engagement]]:
    """:func:`area_groups`' engagement over the period: (boroughs, wards)."""
    boroughs, wards = area_groups(area=area)
    rows = engagement_many(groups=boroughs + wards, first=first, last=last)
    return rows[:len(boroughs)], rows[len(boroughs):]
