"""The evidence beside an adopted priority: did its crime types fall in its ward since adoption?

For each of the priority's crime types, the existing did-it-work analysis
(:func:`openbeat.analytics.did_it_work.did_it_work`, through the per-lake-state figure
cache) compares the ward before and since the month it was adopted with comparison wards
of the same borough, by the weighted displacement difference and the before/after ratio.
It updates as months are ingested, because the figure is keyed by the lake's state.

It never calls a priority a success or a failure by itself:

* while fewer than ``MIN_MONTHS`` months have been published since adoption it says
  "too early to tell", and runs no test;
* when the analysis cannot run (a force did not publish a month the comparison needs,
  no crime of that type before), it says why in the analysis's words;
* otherwise it shows the analysis's own verdict, which words a change only as far as
  its tests allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from openbeat.priorities.models import Priority

#: Months since adoption the test needs before it is run (fewer: "too early to tell").
MIN_MONTHS = 3


@dataclass
class Evidence:
    crime_type: str
    #: "too_early", "unavailable" or "tested"
    status: str
    message: str
    result: object | None = None  # openbeat.analytics.result.Result when tested

    @property
    def summary(self) -> dict:
        return self.result.summary if self.result is not None else {}

    @property
    def target(self) -> dict:
        """The ward's own row: counts and per-month rates before and since (periods differ in length)."""
        return self.result.tables["areas"][0] if self.result is not None else {}


def _months_between(first: str, last: str) -> int:
    y1, m1 = map(int, first.split("-"))
    y2, m2 = map(int, last.split("-"))
    return (y2 - y1) * 12 + (m2 - m1) + 1


def priority_evidence(*, priority: Priority) -> list[Evidence]:
    """One :class:`Evidence` per crime type of an adopted (or in progress, or closed) priority."""
    from openbeat.areas.area_figures import get_figure, lake_months

    if priority.adopted_on is None:
        return []
    start = f"{priority.adopted_on:%Y-%m}"
    months = lake_months()
    out = []
    for crime_type in priority.crime_types:
        if months is None:
            out.append(Evidence(crime_type, "unavailable", "No street crime has been loaded, so there is nothing to "
                                                           "compare yet."))
            continue
        since = _months_between(start, months[1]) if start <= months[1] else 0
        if since < MIN_MONTHS:
            if since <= 0:
                published = "no month has"
            else:
                published = f"only {since} month has" if since == 1 else f"only {since} months have"
            out.append(Evidence(crime_type, "too_early",
                                f"Too early to tell: {published} been published since it was adopted in "
                                f"{priority.adopted_on:%B %Y} (the latest is {months[1]}); the comparison needs at "
                                f"least {MIN_MONTHS}."))
            continue
        after = None
        if priority.adopted_until is not None and f"{priority.adopted_until:%Y-%m}" < months[1]:
            after = _months_between(start, f"{priority.adopted_until:%Y-%m}")
        kwargs = {"after_months": after} if after else {}
        fig = get_figure("did_it_work", priority.ward_code, start, crime_type, **kwargs)
        if fig.ok:
            out.append(Evidence(crime_type, "tested", fig.result.summary["verdict"], fig.result))
        else:
            out.append(Evidence(crime_type, "unavailable", f"The comparison cannot be made: {fig.message}"))
    return out
