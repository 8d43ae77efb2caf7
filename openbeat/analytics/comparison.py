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
from openbeat.analytics.profiles import describe_population, sources
from openbeat.analytics.result import Result
from openbeat.analytics.store import Store
from openbeat.ingest.census import denominators
from openbeat.stats.funnel import funnel


def compare_areas(store: Store, level: str = "ward", within: str | None = None, first: str | None = None,
                  last: str | None = None, *, crime_type: str | None = None,
                  overdispersion: bool = False) -> Result:
    """Crime rates of every area of ``level`` (``ward`` or ``borough``) in ``within``, with funnel limits."""
    if level not in ("ward", "borough", "lsoa21"):
        raise ValueError("level must be ward, borough or lsoa21")
    if crime_type is not None and crime_type not in harm_lib.CRIME_TYPES:
        raise ValueError(f"unknown crime type {crime_type!r}; police.uk uses: {', '.join(harm_lib.CRIME_TYPES)}")
    period = store.period(first, last)
    areas = store.areas(level, within=within)
    if not areas:
        raise ValueError(f"no {level}s are loaded" + (f" in {within}" if within else ""))
    column = {"ward": "ward_code", "borough": "borough_code", "lsoa21": "lsoa21_code"}[level]
    type_sql, type_arg = ("crime_type = ?", crime_type) if crime_type else ("crime_type <> ?", harm_lib.ASB)
    counts = dict(store.cursor().execute(
        f"SELECT {column}, sum(n)::INTEGER FROM crime_counts WHERE month BETWEEN ? AND ? AND {type_sql} GROUP BY 1",
        [period.first, period.last, type_arg]).fetchall())
    pops = store.memo(("denominators", level, period.first),
                      lambda: {d.area_code: d for d in denominators(store.cursor(), level, period.first)})
    with_pop = [a for a in areas if a.code in pops and pops[a.code].population > 0]
    missing = [a for a in areas if a not in with_pop]
    years = period.months / 12
    f = funnel([counts.get(a.code, 0) for a in with_pop], [pops[a.code].population * years for a in with_pop],
               labels=[a.code for a in with_pop], per=1000.0, overdispersion=overdispersion)
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
        (f"Limits widened for overdispersion (phi = {f.phi:.2f}, Spiegelhalter 2005b)." if f.overdispersed else
         f"Overdispersion phi = {f.phi:.2f} (p = {f.phi_p_value:.2g}); limits not widened"
         + (" — ask for overdispersion to widen them." if f.phi > 1 else ".")),
        "Population: " + (describe_population(pops[with_pop[0].code]) if with_pop else "none loaded") + ".",
    ]
    if missing:
        notes.append(f"{len(missing)} area(s) have no population loaded and are left out: "
                     + ", ".join(a.name for a in missing[:5]) + ("…" if len(missing) > 5 else ""))
    return Result(
        method="compare",
        title=f"{what} by {level}, {period.label()}: rates with funnel limits",
        summary={"areas": len(rows), "above_limits": above, "below_limits": below,
                 "overall_rate_per_1000": f.rate, "phi": f.phi, "phi_p_value": f.phi_p_value,
                 "overdispersion_applied": f.overdispersed, "crime_type": what},
        tables={"areas": rows, "funnel": curve},
        area={"level": level, "within": within},
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=sources(store),
        notes=notes,
    )
