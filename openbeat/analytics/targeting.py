"""Highest crime, lowest trust: which areas the plan says resources should go to first.

Every ward (or borough) of an area is placed on two measures at once:

* **harm rate** — days of imprisonment (:mod:`openbeat.analytics.harm`, after the
  Cambridge Crime Harm Index) per 1,000 residents per year, from the crimes police.uk
  places there; anti-social behaviour is not in it;
* **trust** — for boroughs the Public Attitude Survey; for wards the ward's own survey
  estimate, shrunk toward the borough (:mod:`openbeat.analytics.trust`) where responses
  exist, else the borough's figure, marked *borrowed* (it cannot tell wards apart).

**Uncertainty decides the classes, not the point estimates.** Harm is a weighted sum of
Poisson counts, so its interval is the gamma interval of Fay & Feuer (1997) for weighted
Poisson sums (exact Garwood limits when all weights are equal; conservative otherwise).
An area is

* **high crime** only if the lower end of its harm-rate interval lies above the median
  harm rate of its peers (the other areas compared), **low crime** only if the upper end
  lies below it, otherwise **not distinguishable**;
* **low trust** only if the upper end of its trust interval lies below the peers' median
  trust, **high trust** only if the lower end lies above it, otherwise not
  distinguishable.

So a ward of 300 residents with one robbery has a huge harm rate but an interval that
reaches down to almost nothing: it is not called high on noise. The median of the
*others* is used so that an area never pulls its own yardstick toward itself (with five
boroughs that matters). The medians are treated as known; with many areas compared at
95%, expect about one area in forty to be classed by chance.

**The list.** Areas are ranked in tiers — 1: high crime and low trust (the plan's "first"
list); 2: high crime, trust not distinguishable; 3: high crime, high trust; 4: low trust,
crime not distinguishable; 5: the rest — and within a tier by the average of their
harm-rate rank and trust rank (highest harm, lowest trust first).

Reference
---------
Fay, M. P. & Feuer, E. J. (1997). Confidence intervals for directly standardized rates:
a method based on the gamma distribution. *Statistics in Medicine* 16(7), 791–801.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping

import numpy as np
from scipy import stats

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.result import Result, area_dict
from openbeat.analytics.store import Area, Period, Store
from openbeat.analytics.trust import DEFAULT_MEASURE, PAS_INTERVIEWS, Figure, area_trust

TIERS = {
    1: "high crime, low trust",
    2: "high crime, trust not distinguishable",
    3: "high crime, high trust",
    4: "low trust, crime not distinguishable",
    5: "neither high crime nor low trust",
}


def harm_interval(counts: Mapping[str, int], table: Mapping[str, float | None] | None = None,
                  level: float = 0.95) -> tuple[float, float, float]:
    """Harm days of crime counts with the Fay–Feuer (1997) gamma interval.

    ``y = sum(w_k x_k)`` over crime types with harm weights ``w_k`` (days) and Poisson
    counts ``x_k``; ``v = sum(w_k**2 x_k)``; ``w_M`` the largest weight in the table::

        low  = v / (2 y) * chi2.ppf(a / 2, 2 y**2 / v)                       (0 when y = 0)
        high = (v + w_M**2) / (2 (y + w_M)) * chi2.ppf(1 - a / 2, 2 (y + w_M)**2 / (v + w_M**2))

    With equal weights it is the exact Poisson (Garwood) interval times the weight.
    Anti-social behaviour is left out (it carries no harm). Returns (harm, low, high).
    """
    table = harm_lib.default_table() if table is None else table
    w = {ct: float(d) for ct, d in table.items() if d is not None and ct != harm_lib.ASB}
    y = v = 0.0
    for ct, n in counts.items():
        if ct == harm_lib.ASB or not n:
            continue
        if ct not in w:
            raise ValueError(f"the harm table has no weight for {ct!r}")
        y += w[ct] * n
        v += w[ct] ** 2 * n
    w_max = max(w.values(), default=0.0)
    a = 1 - level
    if w_max == 0:
        return 0.0, 0.0, 0.0
    low = 0.0 if y == 0 else v / (2 * y) * stats.chi2.ppf(a / 2, 2 * y * y / v)
    high = (v + w_max**2) / (2 * (y + w_max)) * stats.chi2.ppf(1 - a / 2, 2 * (y + w_max) ** 2 / (v + w_max**2))
    return y, float(low), float(high)


def counts_by_area(store: Store, level: str, codes: list[str], period: Period,
                   crime_type: str | None = None, months: list | None = None) -> dict[str, dict[str, int]]:
    """Crimes per crime type for each area (where police.uk places them, any force).

    ``months``: only these months of the period (those every force with crimes there published).
    """
    col = {"ward": "ward_code", "borough": "borough_code", "lsoa21": "lsoa21_code"}[level]
    sql = (f"SELECT {col}, crime_type, sum(n)::BIGINT FROM crime_counts WHERE {col} IN "
           f"(SELECT unnest(?::VARCHAR[])) AND month BETWEEN ? AND ?")
    params: list = [codes, period.first, period.last]
    if months is not None:
        sql += " AND month IN (SELECT unnest(?::DATE[]))"
        params.append(list(months))
    if crime_type:
        sql += " AND crime_type = ?"
        params.append(crime_type)
    out: dict[str, dict[str, int]] = {c: {} for c in codes}
    for code, ct, n in store.cursor().execute(sql + " GROUP BY ALL", params).fetchall():
        out[code][ct] = int(n)
    return out


def populations(store: Store, level: str, codes: list[str], period: Period) -> dict[str, float]:
    from openbeat.analytics.population import denominators

    if not store.has("population"):
        return {}
    return {d.area_code: float(d.population) for d in denominators(store.cursor(), level, period.first, codes=codes)}


def _peer_median(values: np.ndarray, i: int) -> float:
    others = np.delete(values, i)
    others = others[np.isfinite(others)]
    return float(np.median(others)) if others.size else float("nan")


def classify(rows: list[dict]) -> list[dict]:
    """Crime and trust classes, tiers and ranks for rows with harm and trust intervals.

    Each row needs ``harm_rate``, ``harm_low``, ``harm_high`` and ``trust``, ``trust_low``,
    ``trust_high`` (None where unknown). Adds ``peers_median_harm_rate``, ``crime_class``,
    ``peers_median_trust``, ``trust_class``, ``quadrant``, ``tier``, ``priority``,
    ``combined_score`` and ``rank``; returns the rows in rank order.
    """
    def arr(key):
        return np.array([np.nan if r[key] is None else float(r[key]) for r in rows], dtype=float)

    harm, trust = arr("harm_rate"), arr("trust")
    for i, r in enumerate(rows):
        hm, tm = _peer_median(harm, i), _peer_median(trust, i)
        r["peers_median_harm_rate"] = hm if np.isfinite(hm) else None
        r["peers_median_trust"] = tm if np.isfinite(tm) else None
        if r["harm_rate"] is None:
            r["crime_class"] = "no population"
        elif np.isfinite(hm) and r["harm_low"] > hm:
            r["crime_class"] = "high"
        elif np.isfinite(hm) and r["harm_high"] < hm:
            r["crime_class"] = "low"
        else:
            r["crime_class"] = "not distinguishable"
        if r["trust"] is None or not np.isfinite(tm):
            r["trust_class"] = "unknown"
        elif r["trust_high"] < tm:
            r["trust_class"] = "low"
        elif r["trust_low"] > tm:
            r["trust_class"] = "high"
        else:
            r["trust_class"] = "not distinguishable"
        if r["harm_rate"] is not None and np.isfinite(hm) and r["trust"] is not None and np.isfinite(tm):
            r["quadrant"] = (("higher" if r["harm_rate"] > hm else "lower") + " crime, "
                             + ("lower" if r["trust"] < tm else "higher") + " trust")
        else:
            r["quadrant"] = None
        c, t = r["crime_class"], r["trust_class"]
        r["tier"] = (1 if c == "high" and t == "low" else 2 if c == "high" and t in ("not distinguishable", "unknown")
                     else 3 if c == "high" else 4 if t == "low" else 5)
        r["priority"] = TIERS[r["tier"]]
    # Average of percentile ranks: highest harm rate and lowest trust score highest.
    h_rank = _pct_rank(-np.nan_to_num(harm, nan=-np.inf))
    t_rank = _pct_rank(np.nan_to_num(trust, nan=np.inf))
    for i, r in enumerate(rows):
        r["combined_score"] = 1 - (h_rank[i] + t_rank[i]) / 2
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["tier"], -rows[i]["combined_score"],
                                                    -(harm[i] if np.isfinite(harm[i]) else -1), rows[i]["code"]))
    out = [rows[i] for i in order]
    for k, r in enumerate(out, start=1):
        r["rank"] = k
    return out


def _pct_rank(x: np.ndarray) -> np.ndarray:
    """0 for the first (smallest), 1 for the last; ties share their average rank."""
    if x.size <= 1:
        return np.zeros(x.size)
    return (stats.rankdata(x, method="average") - 1) / (x.size - 1)


def targeting(store: Store, level: str = "ward", within: str | None = None, first: str | None = None,
              last: str | None = None, *, responses=None, measure: str = DEFAULT_MEASURE,
              harm_table: dict | None = None, confidence: float = 0.95,
              pas_interviews: int = PAS_INTERVIEWS) -> Result:
    """Areas ranked on harm rate and trust together, with uncertainty-aware quadrant classes.

    Parameters
    ----------
    store : Store
    level : {"ward", "borough"}
        Which areas to compare.
    within : str, optional
        Only the areas inside this borough or force (default: every area of the level).
    first, last : str, optional
        ``YYYY-MM``; default the latest 12 months.
    responses : optional
        Ward survey responses (see :mod:`openbeat.analytics.trust`).
    measure : str
        The PAS measure used as trust (default ``Trust MPS``).
    harm_table : dict, optional
        Crime type → harm days (default :func:`openbeat.analytics.harm.default_table`).
    confidence : float
        Level of the harm and trust intervals (0.95).
    pas_interviews : int
        Interviews assumed behind a borough PAS figure.

    Returns
    -------
    Result
        Table ``areas`` in rank order: harm rate with its interval and class, trust with
        its interval, source and class, point-estimate quadrant, tier and combined score.
    """
    if level not in ("ward", "borough"):
        raise ValueError("level must be 'ward' or 'borough' (trust is known for no smaller area)")
    from openbeat.analytics.comparison import common_months

    areas = store.areas(level, within=within)
    if not areas:
        raise ValueError(f"no {level}s are loaded" + (f" within {within}" if within else "")
                         + "; load boundaries and lookups with `openbeat reference load`")
    period, months, coverage_note = common_months(store, areas, within, first, last)
    table = harm_table or harm_lib.default_table()
    codes = [a.code for a in areas]
    counts = counts_by_area(store, level, codes, period, months=months)
    pops = populations(store, level, codes, period)
    trust = area_trust(store, areas, period, measure=measure, responses=responses, interviews=pas_interviews)
    per_year = 12 / len(months)
    rows = []
    for a in areas:
        c = counts[a.code]
        harm, low, high = harm_interval(c, table, confidence)
        pop = pops.get(a.code)
        scale = 1000 * per_year / pop if pop else None
        t: Figure = trust[a.code]
        rows.append({
            "code": a.code, "name": a.name, "borough_code": a.borough_code, "residents": pop,
            "crimes": sum(n for ct, n in c.items() if ct != harm_lib.ASB), "harm_days": harm,
            "harm_rate": harm * scale if scale else None, "harm_low": low * scale if scale else None,
            "harm_high": high * scale if scale else None,
            "trust": t.value, "trust_low": t.low, "trust_high": t.high, "trust_source": t.source,
            "trust_quarter": t.quarter,
        })
    ranked = classify(rows)
    first_list = [r for r in ranked if r["tier"] == 1]
    summary = {
        "areas": len(ranked),
        "first": [{"code": r["code"], "name": r["name"]} for r in first_list],
        "high_crime": sum(r["crime_class"] == "high" for r in ranked),
        "low_trust": sum(r["trust_class"] == "low" for r in ranked),
        "borrowed_trust": sum(r["trust_source"].startswith("PAS (borrowed") for r in ranked),
        "measure": measure,
        "level": level,
        "trust_separates_wards": level != "ward" or summary_borrowed(ranked) < len(ranked),
        "months_counted": len(months),
        "summary": _summary(first_list, ranked, level),
    }
    notes = [
        "Harm rate: days of imprisonment (after the Cambridge Crime Harm Index; anti-social behaviour left out) "
        f"per 1,000 residents per year, with a {confidence:.0%} gamma interval for weighted Poisson counts "
        "(Fay & Feuer 1997).",
        f"High (or low) crime: the whole {confidence:.0%} interval lies above (below) the median harm rate of the "
        "other areas compared; low (or high) trust: the whole trust interval lies below (above) the others' "
        "median trust. Anything else is not distinguishable from the middle, however the point estimates look.",
        "Borough trust is the Public Attitude Survey with an indicative interval (it publishes no sample sizes; "
        f"{pas_interviews} interviews per borough figure are assumed).",
        "Ranked in tiers (high crime and low trust first, the plan's list), then by the average of harm-rate and "
        "trust ranks.",
    ]
    if coverage_note:
        notes.append(coverage_note)
    if summary["borrowed_trust"]:
        notes.insert(0, trust_borrowed_sentence(summary["borrowed_trust"], len(ranked)))
    missing = [r["name"] for r in ranked if r["harm_rate"] is None]
    if missing:
        notes.append(f"No population for {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}: not ranked "
                     "on harm rate.")
    from openbeat.analytics.profiles import sources

    return Result(
        method="targeting",
        title=f"Highest crime, lowest trust: {level}s" + (f" in {store.area(within).name}" if within else "")
        + f", {period.label()}",
        summary=summary,
        tables={"areas": ranked},
        area=area_dict(store.area(within)) if within else None,
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=sources(store) + ["MOPAC Public Attitude Survey (London Datastore)"]
        + (["OpenBeat ward surveys (responses table given)"] if responses is not None else []),
        notes=notes,
    )


def summary_borrowed(rows: list[dict]) -> int:
    return sum(1 for r in rows if (r.get("trust_source") or "").startswith("PAS (borrowed"))


def trust_borrowed_sentence(borrowed: int, total: int) -> str:
    """Said where ward trust is drawn: a borrowed borough figure does not tell wards apart."""
    if borrowed == total:
        return ("Trust does not separate wards within a borough: no ward has its own survey yet, so every ward "
                "shows its borough's Public Attitude Survey figure. Wards of one borough differ here only in "
                "crime.")
    return (f"{borrowed} of {total} wards have no survey responses and show their borough's Public Attitude Survey "
            "figure: trust cannot tell them apart from the other wards of their borough.")


def _summary(first: list[dict], ranked: list[dict], level: str) -> str:
    if first:
        names = ", ".join(r["name"] for r in first)
        return (f"{len(first)} {level}(s) are distinguishably both higher-crime and lower-trust than their peers: "
                f"{names}. The plan puts them first.")
    top = [r["name"] for r in ranked[:3]]
    return (f"No {level} is distinguishably both higher-crime and lower-trust than its peers once uncertainty is "
            f"allowed for; highest on the combined ranking: {', '.join(top)}.")


def harm_by_area(store: Store, areas: list[Area], period: Period, table: dict | None = None,
                 months: list | None = None) -> dict[str, dict]:
    """Harm days and crimes per area over the period (or only ``months`` of it), for allocation."""
    table = table or harm_lib.default_table()
    counts = counts_by_area(store, areas[0].level, [a.code for a in areas], period, months=months) if areas else {}
    out = defaultdict(dict)
    for code, c in counts.items():
        h = harm_lib.harm_of_counts(c, table)
        out[code] = {"harm_days": h.harm_days, "crimes": h.crimes, "anti_social_behaviour": h.anti_social_behaviour}
    return dict(out)
