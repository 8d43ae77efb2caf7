"""The analytics figures of an area, as its pages show them, and the reshaping they need.

Figures are the :mod:`openbeat.analytics` results, fetched through
:func:`openbeat.web.shared_figures.figure` (once per state of the lake); each comes as a
:class:`Figure`: the result, or the plain-English reason there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from openbeat.analytics.result import Result
from openbeat.analytics.store import BadPeriod, UnknownArea
from openbeat.areas.lake_reads import has, memo, rows
from openbeat.areas.lookup import ASB, ListedArea, area_get
from openbeat.web.shared_figures import available, figure, sentence
from openbeat.web.resident import for_residents
from openbeat.web.lake_access import get_store


def figure_available(name: str) -> bool:
    """Whether this checkout computes the figure (the scorecard may not be written yet)."""
    return available(name)


@dataclass
class Figure:
    """An analytics result for a page, or the plain-English reason there is none."""

    result: Result | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None


def get_figure(name: str, *args, **kwargs) -> Figure:
    """``figure(...)``, with the analytics library's input errors as a message, not an exception."""
    try:
        return Figure(figure(name, *args, **kwargs))
    except (UnknownArea, BadPeriod, ValueError) as exc:
        return Figure(None, for_residents(sentence(str(exc))))



def lake_months() -> tuple[str, str] | None:
    """First and last month of crime in the lake, YYYY-MM."""
    if not has("crimes"):
        return None
    months = memo(("months",), get_store().months)
    return (f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}") if months else None


def ward_survey():
    """The ward survey responses the trust figures read (a CSV path), or None: the trust
    pulse's weighted answers beside any survey imported through ``OPENBEAT_WARD_SURVEY``."""
    from openbeat.surveys.selectors import ward_survey_file

    return ward_survey_file(imported=settings.OPENBEAT_WARD_SURVEY)


@dataclass
class AreaFigures:
    """Everything an area page shows, by question. Each is a :class:`Figure`."""

    profile: Figure  # the latest 12 months, with the change on a year earlier
    trend: Figure  # every month the lake holds
    hotspots: Figure
    stop_search: Figure
    trust: Figure
    trust_series: Figure  # every PAS quarter in the lake's months
    compare: Figure  # the area's parts against each other (force: boroughs; borough: wards)


def area_latest_month(*, area: ListedArea, dataset: str = "crimes") -> str | None:
    """The latest month (YYYY-MM) every own force of the area published: where its periods end."""
    from openbeat.analytics.coverage import Coverage

    def compute():
        store = get_store()
        try:
            found = store.area(area.code)
        except UnknownArea:
            return None
        cov = Coverage(store)
        end = cov.default_end(cov.own_forces(found, dataset), dataset)
        return f"{end:%Y-%m}" if end else None
    if not has(dataset):
        return None
    return memo(("latest", dataset, area.code), compute)


def area_figures(*, area: ListedArea, first: str | None = None, last: str | None = None) -> AreaFigures:
    """The analytics figures of an area page over ``first``..``last`` (default: the latest 12
    months its own forces published); each says why when it cannot be shown."""
    none = Figure(None, "")
    shown = area.figures  # the figures its level has
    months = lake_months()
    crimes = months is not None
    no_crime = Figure(None, "No street crime data has been loaded for this area yet." if not crimes else "")
    profile = get_figure("profile", area.code, first, last) if crimes and "profile" in shown else no_crime
    trend = get_figure("profile", area.code, months[0], months[1]) if crimes and "profile" in shown else no_crime
    if "hotspots" in shown and crimes:
        hotspots = get_figure("hotspots", area.code, first, last)
    else:
        hotspots = none
    if "stop_search" not in shown:
        stop_search = none
    elif not has("stop_searches"):
        stop_search = Figure(None, "No stop and search data has been loaded yet.")
    else:
        stop_search = get_figure("stop_search", area.code, first, last)
    if "trust" not in shown:
        trust = trust_series = none
    elif not has("pas"):
        trust = trust_series = Figure(None, "No trust and confidence survey (the Public Attitude Survey) has "
                                            "been loaded yet.")
    else:
        survey = ward_survey()
        trust = get_figure("trust", area.code, first, last, responses=survey)
        trust_series = get_figure("trust", area.code, months[0], months[1]) if months else trust
    compare = none
    if crimes and area.level in ("force", "borough") and has("population"):
        level = "borough" if area.level == "force" else "ward"
        compare = get_figure("compare", level, area.code, first, last)
    return AreaFigures(profile, trend, hotspots, stop_search, trust, trust_series, compare)


def outcome_shares(result: Result) -> list[dict]:
    """Outcomes of all crime types together (the profile gives them per type)."""
    from openbeat.analytics.outcomes import GROUPS

    counts: dict[str, int] = {}
    for r in result.tables.get("outcomes", []):
        counts[r["outcome_group"]] = counts.get(r["outcome_group"], 0) + r["count"]
    total = sum(counts.values())
    return [{"outcome_group": g, "outcome": label, "count": counts[g], "share": counts[g] / total}
            for g, label in GROUPS if counts.get(g)]


def monthly_counts(result: Result) -> list[dict]:
    """Crimes and anti-social behaviour per month from a profile's ``by_month`` and ``trend`` tables.

    Months the force did not publish have no counts (None), never zero.
    """
    asb: dict[str, int] = {}
    for r in result.tables.get("by_month", []):
        if r["crime_type"] == ASB:
            asb[r["month"]] = asb.get(r["month"], 0) + r["count"]
    out = []
    for r in result.tables.get("trend", []):
        published = r["count"] is not None
        out.append({"month": r["month"], "crimes": r["count"],
                    "anti_social_behaviour": asb.get(r["month"], 0) if published else None,
                    "count_year_before": r["count_year_before"], "yoy_direction": r["yoy_direction"],
                    "yoy_p_value": r["yoy_p_value"], "rolling_12": r["rolling_12"],
                    "rolling_12_before": r["rolling_12_before"], "rolling_direction": r["rolling_direction"],
                    "rolling_p_value": r["rolling_p_value"]})
    return out


# ---- statistical areas ------------------------------------------------------------------


@dataclass
class StatisticalArea:
    """What an MSOA page shows: crimes in its LSOAs over the latest 12 months, and its wards."""

    period: tuple[str, str] | None = None
    crimes: int | None = None
    anti_social_behaviour: int | None = None
    parts: list[dict] = field(default_factory=list)  # code, name, crimes (its LSOAs, most crime first)
    wards: list[ListedArea] = field(default_factory=list)  # the wards its LSOAs lie in, by name


def statistical_area(*, area: ListedArea) -> StatisticalArea | None:
    """An MSOA's crimes (the sum of its LSOAs', where police.uk places them) and the wards it lies in.

    The analytics figures are given for LSOAs, wards, boroughs and forces; an MSOA is made of
    whole LSOAs, so its count is theirs added up, and its wards lead to the tested figures.
    """
    if area.level != "msoa21" or not has("areas"):
        return None
    return memo(("statistical", area.code), lambda: _statistical_area(area))


def _statistical_area(area: ListedArea) -> StatisticalArea:
    lsoas = rows("SELECT code, name, ward_code FROM areas WHERE level = 'lsoa21' AND msoa_code = ? ORDER BY code",
                  [area.code])
    out = StatisticalArea()
    ward_codes = sorted({r["ward_code"] for r in lsoas if r["ward_code"]})
    out.wards = sorted((w for w in (area_get(code=c) for c in ward_codes) if w is not None), key=lambda w: w.name)
    if not has("crimes") or not lsoas:
        return out
    try:
        p = get_store().period()
    except BadPeriod:
        return out
    out.period = (f"{p.first:%Y-%m}", f"{p.last:%Y-%m}")
    counts = {r["code"]: (int(r["crimes"]), int(r["asb"])) for r in rows(
        "SELECT lsoa21_code AS code, sum(n) FILTER (WHERE crime_type <> ?)::BIGINT AS crimes, "
        "coalesce(sum(n) FILTER (WHERE crime_type = ?), 0)::BIGINT AS asb FROM crime_counts "
        "WHERE lsoa21_code IN (SELECT unnest(?::VARCHAR[])) AND month BETWEEN ? AND ? GROUP BY 1",
        [ASB, ASB, [r["code"] for r in lsoas], p.first, p.last])}
    out.parts = sorted(({"code": r["code"], "name": r["name"] or r["code"], "crimes": counts.get(r["code"], (0, 0))[0]}
                        for r in lsoas), key=lambda r: (-r["crimes"], r["name"]))
    out.crimes = sum(c for c, _ in counts.values())
    out.anti_social_behaviour = sum(a for _, a in counts.values())
    return out
