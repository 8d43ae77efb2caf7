"""Area profile: what is happening here, is it changing, and is the change real?

For any area (LSOA 2021, ward, borough or force) and period: crimes per type per month,
rates per 1,000 residents, harm-weighted totals (anti-social behaviour beside them, not in
them), outcomes per crime type, and change against the same months a year earlier with
the Poisson E-test and Wheeler's z (:mod:`openbeat.stats.change`) — never a bare
percentage change.

Crimes count where police.uk places them (their LSOA), whichever force recorded them; a
force's own profile counts every row it published, placed or not.
"""

from __future__ import annotations

import functools
from datetime import date

from openbeat.analytics import harm as harm_lib
from openbeat.stats.change import compare_counts
from openbeat.analytics.outcomes import GROUPS
from openbeat.analytics.result import Result
from openbeat.analytics.store import Area, Period, Store
from openbeat.geo.rollup import FORCE_BOROUGHS

ALL = "All crime (excluding anti-social behaviour)"


def area_profile(store: Store, code: str, first: str | None = None, last: str | None = None,
                 *, harm_table: dict | None = None) -> Result:
    """The profile of area ``code`` over ``first``..``last`` (default: the latest 12 months)."""
    area = store.area(code)
    period = store.period(first, last)
    before = previous_like(period)
    w = Window.fetch(store, area, min(before.first, period.shift(-23).first), period.last)
    population, pop_source = population_of(store, area, period)
    return profile_from(area, period, w, population, pop_source, sources(store), harm_table)


def profile_from(area: Area, period: Period, w: Window, population: float | None, pop_source: str | None,
                 srcs: list[str], harm_table: dict | None = None) -> Result:
    """The profile's figures from an area's aggregated crimes (however they were fetched)."""
    before = previous_like(period)
    table = harm_table or harm_lib.default_table()
    now, then = w.by_type(period), w.by_type(before)
    comparable = w.covered(before) == before.months

    rows = [_type_row(ct, now.get(ct, 0), then.get(ct, 0), population, table.get(ct), comparable, period, before)
            for ct in harm_lib.CRIME_TYPES]
    crimes_now = sum(v for k, v in now.items() if k != harm_lib.ASB)
    crimes_then = sum(v for k, v in then.items() if k != harm_lib.ASB)
    harm_now = harm_lib.harm_of_counts(now, table)
    harm_then = harm_lib.harm_of_counts(then, table)
    total = _type_row(ALL, crimes_now, crimes_then, population, None, comparable, period, before)
    total["harm_days"] = harm_now.harm_days
    rows.insert(0, total)

    by_month = [{"month": f"{m:%Y-%m}", "crime_type": ct, "count": n}
                for (m, ct), n in sorted(w.by_month_type(period).items())]
    outcomes = w.outcomes(period)
    change = _compare(crimes_then, crimes_now, before.label(), period.label()) if comparable else None
    summary = {
        "crimes": crimes_now,
        "anti_social_behaviour": now.get(harm_lib.ASB, 0),
        "harm_days": harm_now.harm_days,
        "harm_days_previous_year": harm_then.harm_days if comparable else None,
        "population": population,
        "population_source": pop_source,
        "crimes_per_1000": _rate(crimes_now, population, period),
        "harm_days_per_1000": _rate(harm_now.harm_days, population, period),
        "change": change.as_dict() if change else None,
        "charged_share": _share(outcomes, "charged"),
    }
    notes = [
        "Rates are per 1,000 residents per year" + (f" ({pop_source})." if population else "; no population is loaded for this area."),
        "Harm is in days of imprisonment per crime, a category-level approximation after the Cambridge "
        "Crime Harm Index (Sherman, Neyroud & Neyroud 2016); anti-social behaviour is not crime and is "
        "counted beside harm, never in it.",
        "Change compares the same months a year earlier with the Poisson E-test (Krishnamoorthy & Thomson "
        "2004); Wheeler's z flags only shifts beyond ±3.",
        "Outcomes are each crime's latest outcome in the outcomes files, linked by Crime ID, else the street "
        "file's last outcome category.",
    ]
    if not comparable:
        notes.append(f"No comparison with {before.label()}: the lake does not hold all of those months.")
    return Result(
        method="profile",
        title=f"Crime in {area.name}, {period.label()}",
        summary=summary,
        tables={"by_crime_type": rows, "trend": _trend(w, period), "by_month": by_month, "outcomes": outcomes},
        area=_area_dict(area),
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=srcs,
        notes=notes,
    )


def previous_like(period: Period) -> Period:
    """The same calendar months, whole years earlier, not overlapping the period (like with like)."""
    return period.shift(-12 * -(-period.months // 12))


@functools.lru_cache(maxsize=1 << 16)
def _compare(c1: int, c2: int, label1: str, label2: str):
    """compare_counts is pure and costs ~1 ms; profiles repeat the same comparisons."""
    return compare_counts(c1, c2, label1=label1, label2=label2)


class Window:
    """An area's aggregated crimes over a span of months, fetched in one query."""

    def __init__(self, rows: list[tuple], published: set[date]):
        self.rows = rows  # (month, crime_type, outcome_group, n)
        self.published = published  # months the area's force published

    @classmethod
    def fetch(cls, store: Store, area: Area, first: date, last: date) -> Window:
        cur = store.cursor()
        rows = cur.execute(
            f"SELECT force, month, crime_type, outcome_group, sum(n)::INTEGER FROM crime_counts "
            f"WHERE {area.column} = ? AND month BETWEEN ? AND ? GROUP BY ALL", [area.code, first, last]
        ).fetchall()
        by_force: dict[str, int] = {}
        for force, *_, n in rows:
            by_force[force] = by_force.get(force, 0) + n
        force = area.code if area.level == "force" else max(by_force, key=by_force.get, default=None)
        return cls([r[1:] for r in rows], published_months(store, force))

    def _in(self, period: Period):
        return (r for r in self.rows if period.first <= r[0] <= period.last)

    def covered(self, period: Period) -> int:
        return sum(1 for m in self.published if period.first <= m <= period.last)

    def by_type(self, period: Period) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, ct, _, n in self._in(period):
            out[ct] = out.get(ct, 0) + n
        return out

    def by_month_type(self, period: Period) -> dict[tuple[date, str], int]:
        out: dict[tuple[date, str], int] = {}
        for m, ct, _, n in self._in(period):
            out[(m, ct)] = out.get((m, ct), 0) + n
        return out

    def monthly_crimes(self) -> dict[date, int]:
        out: dict[date, int] = {m: 0 for m in self.published}
        for m, ct, _, n in self.rows:
            if ct != harm_lib.ASB and m in out:
                out[m] += n
        return out

    def outcomes(self, period: Period) -> list[dict]:
        counts: dict[tuple[str, str], int] = {}
        totals: dict[str, int] = {}
        for _, ct, g, n in self._in(period):
            if ct == harm_lib.ASB:
                continue
            counts[(ct, g)] = counts.get((ct, g), 0) + n
            totals[ct] = totals.get(ct, 0) + n
        order = {g: i for i, (g, _) in enumerate(GROUPS)}
        labels = dict(GROUPS)
        return [{"crime_type": ct, "outcome_group": g, "outcome": labels[g], "count": n, "share": n / totals[ct]}
                for (ct, g), n in sorted(counts.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))]


def published_months(store: Store, force: str | None) -> set[date]:
    def compute():
        return {m for (m,) in store.cursor().execute(
            "SELECT DISTINCT month FROM crime_counts WHERE force = ?", [force]).fetchall()}
    return store.memo(("published", force), compute)


def population_of(store: Store, area: Area, period: Period) -> tuple[float | None, str | None]:
    """Residents of the area, with a note of the source used."""
    return store.memo(("population", area.code, area.level, period.first), lambda: _population(store, area, period))


def _population(store: Store, area: Area, period: Period) -> tuple[float | None, str | None]:
    from openbeat.ingest.census import denominator, denominators

    if not store.has("population"):
        return None, None
    cur = store.cursor()
    if area.level == "force":
        codes = FORCE_BOROUGHS.get(area.code)
        if codes is None:
            codes = [r[0] for r in cur.execute(
                "SELECT DISTINCT borough_code FROM crime_counts WHERE force = ? AND geo_status = 'ok'", [area.code]
            ).fetchall()]
        pops = denominators(cur, "borough", period.first, codes=codes)
        if not pops:
            return None, None
        return float(sum(d.population for d in pops)), f"sum of {len(pops)} boroughs: {describe_population(pops[0])}"
    d = denominator(cur, area.code, area.level, period.first)
    if d is None:
        return None, None
    return float(d.population), describe_population(d)


def describe_population(d) -> str:
    """'Census 2021 summed over lsoa21 via WD22, March 2021': which population a rate used."""
    names = {"census2021_ts007a": "Census 2021", "mid_year_estimate": "ONS mid-year estimate"}
    base = d.source.split(" ")[0]
    return f"{names.get(base, base)}{d.source[len(base):]}, {d.period:%B %Y}"


def _rate(count: float, population: float | None, period: Period) -> float | None:
    if not population:
        return None
    return count / population * 1000 * 12 / period.months


def _type_row(ct: str, c2: int, c1: int, population, weight, comparable: bool, period: Period, before: Period) -> dict:
    row = {
        "crime_type": ct,
        "count": c2,
        "per_1000": _rate(c2, population, period),
        "harm_days": None if weight is None else c2 * weight,
        "count_previous_year": c1 if comparable else None,
    }
    if comparable:
        ch = _compare(c1, c2, before.label(), period.label())
        row.update(ratio=ch.ratio, p_value=ch.p_value, wheeler_z=ch.z, flag=ch.flag, direction=ch.direction)
    else:
        row.update(ratio=None, p_value=None, wheeler_z=None, flag=None, direction="not comparable")
    return row


def _trend(w: Window, period: Period) -> list[dict]:
    """Each month against the same month a year earlier, and the 12 months to it against the 12 before.

    Months the force did not publish are skipped, never counted as zero.
    """
    monthly = w.monthly_crimes()
    out = []
    for i in range(period.months):
        m = period.shift(i).first
        row = {"month": f"{m:%Y-%m}", "count": monthly.get(m)}
        prev = period.shift(i - 12).first
        if m in monthly and prev in monthly:
            ch = _compare(monthly[prev], monthly[m], f"{prev:%Y-%m}", f"{m:%Y-%m}")
            row.update(count_year_before=monthly[prev], yoy_p_value=ch.p_value, yoy_wheeler_z=ch.z,
                       yoy_direction=ch.direction)
        else:
            row.update(count_year_before=None, yoy_p_value=None, yoy_wheeler_z=None, yoy_direction="not comparable")
        year = [period.shift(i - k).first for k in range(12)]
        year_before = [period.shift(i - 12 - k).first for k in range(12)]
        if all(x in monthly for x in year + year_before):
            c2, c1 = sum(monthly[x] for x in year), sum(monthly[x] for x in year_before)
            ch = _compare(c1, c2, f"{year_before[-1]:%Y-%m} to {year_before[0]:%Y-%m}",
                          f"{year[-1]:%Y-%m} to {m:%Y-%m}")
            row.update(rolling_12=c2, rolling_12_before=c1, rolling_p_value=ch.p_value, rolling_direction=ch.direction)
        else:
            row.update(rolling_12=None, rolling_12_before=None, rolling_p_value=None, rolling_direction="not comparable")
        out.append(row)
    return out


def _share(outcomes: list[dict], group: str) -> float | None:
    total = sum(r["count"] for r in outcomes)
    return sum(r["count"] for r in outcomes if r["outcome_group"] == group) / total if total else None


def _area_dict(area: Area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level, "ward_code": area.ward_code,
            "borough_code": area.borough_code, "approximate": area.approximate}


def sources(store: Store) -> list[str]:
    return store.memo("sources", lambda: _sources(store))


def _sources(store: Store) -> list[str]:
    out = store.police_sources("crimes")
    if store.has("population"):
        out.append("ONS Census 2021 (TS007A) and mid-year population estimates")
    if store.has("areas"):
        out.append("ONS boundaries and LSOA → ward → local authority lookups")
    return out
