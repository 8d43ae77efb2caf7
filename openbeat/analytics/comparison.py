"""Comparing areas fairly: rates per 1,000 residents inside funnel-plot limits.

Ranking areas on raw rates rewards small areas for luck: a ward of 3,000 people with
six burglaries more than expected looks like a crime wave. A funnel plot (Spiegelhalter
2005) draws the limits within which an area's rate would fall by chance alone, narrower
for larger populations; only areas outside them are called higher or lower than the
rest. Overdispersion (areas differing for reasons beyond chance, as they always do) can
widen the limits (Spiegelhalter 2005b). :mod:`openbeat.stats.funnel` does the maths.
"""

from __future__ import annotations

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.population import denominators
from openbeat.analytics.profiles import describe_population, sources
from openbeat.analytics.result import Result
from openbeat.analytics.store import Store
from openbeat.stats.funnel import funnel


def compare_areas(store: Store, level: str = "ward", within: str | None = None, first: str | None = None,
                  last: str | None = None, *, crime_type: str | None = None,
                  overdispersion: bool | None = None) -> Result:
    """Crime rates of every area of ``level`` (``ward`` or ``borough``) in ``within``, with funnel limits.

    ``overdispersion``: None (default) widens the limits by Spiegelhalter's phi when phi > 1,
    as the data then demand; False draws plain Poisson limits; True is the same as None.
    Rates count only the months of the period every force with crimes in these areas
    published, or the figure declines naming force and months.
    """
    if level not in ("ward", "borough", "lsoa21"):
        raise ValueError("level must be ward, borough or lsoa21")
    if crime_type is not None and crime_type not in harm_lib.CRIME_TYPES:
        raise ValueError(f"unknown crime type {crime_type!r}; police.uk uses: {', '.join(harm_lib.CRIME_TYPES)}")
    areas = store.areas(level, within=within)
    if not areas:
        raise ValueError(f"no {level}s are loaded" + (f" in {within}" if within else ""))
    period, months, coverage_note = common_months(store, areas, within, first, last)
    column = {"ward": "ward_code", "borough": "borough_code", "lsoa21": "lsoa21_code"}[level]
    type_sql, type_arg = ("crime_type = ?", crime_type) if crime_type else ("crime_type <> ?", harm_lib.ASB)
    counts = dict(store.cursor().execute(
        f"SELECT {column}, sum(n)::INTEGER FROM crime_counts WHERE month IN (SELECT unnest(?::DATE[])) "
        f"AND {type_sql} GROUP BY 1", [months, type_arg]).fetchall())
    pops = store.memo(("denominators", level, period.first),
                      lambda: {d.area_code: d for d in denominators(store.cursor(), level, period.first)})
    with_pop = [a for a in areas if a.code in pops and pops[a.code].population > 0]
    missing = [a for a in areas if a not in with_pop]
    years = len(months) / 12
    f = funnel([counts.get(a.code, 0) for a in with_pop], [pops[a.code].population * years for a in with_pop],
               labels=[a.code for a in with_pop], per=1000.0, overdispersion=overdispersion is not False)
    names = {a.code: a.name for a in with_pop}
    rows = []
    for r in f.areas.to_dict("records"):
        rows.append({
            "code": r["area"], "name": names[r["area"]], "count": int(r["count"]),
            "population": pops[r["area"]].population, "rate_per_1000": r["rate"], "expected": r["expected"],
            "z": r["z"], "lower_998": r["lower_998"], "lower_95": r["lower_95"], "upper_95": r["upper_95"],
            "upper_998": r["upper_998"], "classification": r["classification"],
        })
    rows.sort(key=lambda r: -r["rate_per_1000"])
    curve = [{k: float(v) / (years if k == "population" else 1) for k, v in rec.items()}
             for rec in f.curve(120).to_dict("records")]
    above = sum(1 for r in rows if r["classification"].startswith("above"))
    below = sum(1 for r in rows if r["classification"].startswith("below"))
    what = crime_type or "All crime (excluding anti-social behaviour)"
    notes = [
        f"Rates are {what.lower()} per 1,000 residents per year; the centre line is the rate of all the areas together.",
        "Limits are exact Poisson 95% and 99.8% limits for each population size (Spiegelhalter 2005): an area "
        "inside them is not distinguishable from the rest by chance alone, however it ranks.",
        _limits_note(f, overdispersion),
        "Population: " + (describe_population(pops[with_pop[0].code]) if with_pop else "none loaded") + ".",
    ]
    if coverage_note:
        notes.append(coverage_note)
    if missing:
        notes.append(f"{len(missing)} area(s) have no population loaded and are left out: "
                     + ", ".join(a.name for a in missing[:5]) + ("…" if len(missing) > 5 else ""))
    return Result(
        method="compare",
        title=f"{what} by {level}, {period.label()}: rates with funnel limits",
        summary={"areas": len(rows), "above_limits": above, "below_limits": below,
                 "overall_rate_per_1000": f.rate, "phi": f.phi, "phi_p_value": f.phi_p_value,
                 "overdispersion_applied": f.overdispersed, "crime_type": what,
                 "limits": "overdispersed" if f.overdispersed else "poisson",
                 "months_counted": len(months)},
        tables={"areas": rows, "funnel": curve},
        area={"level": level, "within": within},
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=sources(store),
        notes=notes,
    )


def _limits_note(f, asked: bool | None) -> str:
    """Which limits are drawn, and why, in words."""
    if f.overdispersed:
        return (f"Limits drawn: widened for overdispersion (phi = {f.phi:.2f}: the areas differ {f.phi:.0f} times "
                "more than chance alone would make them; Spiegelhalter 2005b). The Poisson limits, which assume "
                "chance is the only difference, are one option away and would flag far more areas.")
    if asked is False and f.phi == f.phi and f.phi > 1:
        return (f"Limits drawn: Poisson (chance alone), as asked, although the areas differ {f.phi:.0f} times more "
                "than chance would make them (phi = {f.phi:.2f}); most areas outside them differ for lasting "
                "reasons, not chance. The default widens the limits.".replace("{f.phi:.2f}", f"{f.phi:.2f}"))
    return (f"Limits drawn: Poisson (chance alone); the areas differ no more than chance would make them "
            f"(phi = {f.phi:.2f}), so the limits are not widened.")


def common_months(store: Store, areas: list, within: str | None, first: str | None, last: str | None):
    """The period, the months of it every force with crimes in ``areas`` published, and a note.

    Declines (:class:`CannotCompare`) when no month of the period was published by all of them.
    """
    from openbeat.analytics.coverage import CannotCompare, Coverage, spans

    from openbeat.analytics.coverage import NATIONAL_FORCES

    cov = Coverage(store)
    parent = store.area(within) if within else None
    level = areas[0].level
    column = {"ward": "ward_code", "borough": "borough_code", "lsoa21": "lsoa21_code"}[level]
    # (force, whether any of its crimes here lie in its own territory) for the areas compared
    found = store.memo(("forces-of-areas", level, within), lambda: store.cursor().execute(
        f"SELECT force, bool_or(geo_status = 'ok') FROM crime_counts WHERE {column} IN "
        "(SELECT unnest(?::VARCHAR[])) GROUP BY 1 ORDER BY 1", [[a.code for a in areas]]).fetchall())
    forces = [f for f, _ in found]
    if parent is not None:
        period = cov.area_period(parent, first, last)
    else:  # every area loaded: the period ends where the territorial forces' data all end
        own = [f for f, ok in found if ok and f not in NATIONAL_FORCES] or forces
        end = cov.default_end(own) if last is None and own else None
        period = store.period(first, last or (f"{end:%Y-%m}" if end else None))
    months = cov.complete_months(forces, period)
    gaps = cov.gaps_sentence(forces, period)
    if not months:
        raise CannotCompare(f"no month of {period.label()} was published by every force with crimes in these "
                            f"areas ({gaps}); choose months they all published, or compare one force's crimes")
    note = ""
    if len(months) < period.months:
        note = (f"Rates count only the {len(months)} month(s) of {period.label()} every force with crimes here "
                f"published ({spans(months)}): {gaps}.")
    return period, months, note
