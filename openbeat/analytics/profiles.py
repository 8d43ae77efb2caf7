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
from openbeat.stats.change import compare_counts, prepare_comparisons
from openbeat.analytics.outcomes import GROUPS
from openbeat.analytics.result import Result, area_dict
from openbeat.analytics.coverage import CannotCompare, Coverage, span, spans
from openbeat.analytics.store import Area, Period, Store
from openbeat.geo.rollup import FORCE_BOROUGHS

ALL = "All crime (excluding anti-social behaviour)"


def area_profile(store: Store, code: str, first: str | None = None, last: str | None = None,
                 *, harm_table: dict | None = None, force: str | None = None) -> Result:
    """The profile of area ``code`` over ``first``..``last``.

    The default period is the 12 months to the latest month the area's own forces
    published (:mod:`openbeat.analytics.coverage`). ``force`` (a slug) keeps only that
    force's crimes, e.g. the Met's apart from British Transport Police's. Raises
    :class:`~openbeat.analytics.coverage.CannotCompare` when the area's own forces
    published none of the period's months.
    """
    area = store.area(code)
    cov = Coverage(store)
    period = cov.area_period(area, first, last)
    forces = _forces(cov, area, force)
    cover = cov.of(forces, period, own=cov.own_forces(area))
    if force is None:
        cov.require(area, period)
    elif not cover[0].published:
        raise CannotCompare(f"{cover[0].name} published no street-level crime in {period.label()} "
                            f"(it published {span(cov.published(force))})")
    before = previous_like(period)
    w = Window.fetch(store, area, min(before.first, period.shift(-23).first), period.last, forces=forces)
    population, pop_source = population_of(store, area, period)
    return profile_from(area, period, w, population, pop_source, sources(store), harm_table, force=force)


def _forces(cov: Coverage, area: Area, force: str | None) -> list[str]:
    forces = cov.forces_of(area)
    if force is None:
        return forces or cov.own_forces(area)
    found = cov.store.area(force)
    if found.level != "force":
        raise ValueError(f"{force!r} is not a force; give a force slug such as metropolitan or btp")
    if found.code not in forces:
        raise ValueError(f"{found.name} has no crimes placed in {area.name}; its forces are: "
                         + ", ".join(cov.force_name(f) for f in forces))
    return [found.code]


def profile_from(area: Area, period: Period, w: Window, population: float | None, pop_source: str | None,
                 srcs: list[str], harm_table: dict | None = None, *, force: str | None = None) -> Result:
    """The profile's figures from an area's aggregated crimes (however they were fetched)."""
    before = previous_like(period)
    table = harm_table or harm_lib.default_table()
    now = w.by_type(period)
    pairs = w.pairs(period, before)
    comparable = bool(pairs)
    now_c = w.by_type_months([p[0] for p in pairs])
    then_c = w.by_type_months([p[1] for p in pairs])
    compared_now = Period(pairs[0][0], pairs[-1][0]) if pairs else period
    label_now, label_then = w.labels(pairs, period, before)
    complete = w.own_months(period)
    if comparable:
        prepare_comparisons([(then_c.get(ct, 0), now_c.get(ct, 0)) for ct in harm_lib.CRIME_TYPES])

    rows = [_type_row(ct, now.get(ct, 0), now_c.get(ct, 0), then_c.get(ct, 0), population, table.get(ct),
                      comparable, complete, label_then, label_now)
            for ct in harm_lib.CRIME_TYPES]
    crimes_now = sum(v for k, v in now.items() if k != harm_lib.ASB)
    cmp_now = sum(v for k, v in now_c.items() if k != harm_lib.ASB)
    cmp_then = sum(v for k, v in then_c.items() if k != harm_lib.ASB)
    harm_now = harm_lib.harm_of_counts(now, table)
    harm_then = harm_lib.harm_of_counts(then_c, table)
    total = _type_row(ALL, crimes_now, cmp_now, cmp_then, population, None, comparable, complete,
                      label_then, label_now)
    total["harm_days"] = harm_now.harm_days
    rows.insert(0, total)

    by_month = [{"month": f"{m:%Y-%m}", "crime_type": ct, "count": n}
                for (m, ct), n in sorted(w.by_month_type(period).items())]
    outcomes = w.outcomes(period)
    change = _compare(cmp_then, cmp_now, label_then, label_now) if comparable else None
    gaps = w.gaps(period, before)
    declined = None
    earlier = years_earlier(period)
    if not comparable:
        declined = (f"No change is given: no month of {period.label()} and the same month {earlier} "
                    f"({before.label()}) were both published by every force whose crimes are counted here ({gaps}).")
    summary = {
        "crimes": crimes_now,
        "anti_social_behaviour": now.get(harm_lib.ASB, 0),
        "harm_days": harm_now.harm_days,
        "harm_days_previous_year": harm_then.harm_days if len(pairs) == period.months else None,
        "population": population,
        "population_source": pop_source,
        "crimes_per_1000": _rate(crimes_now, population, complete),
        "harm_days_per_1000": _rate(harm_now.harm_days, population, complete),
        "change": change.as_dict() if change else None,
        "change_declined": declined,
        "months_compared": len(pairs),
        "compared": {"from": f"{compared_now.first:%Y-%m}", "to": f"{compared_now.last:%Y-%m}",
                     "months": [f"{p[0]:%Y-%m}" for p in pairs],
                     "against": [f"{p[1]:%Y-%m}" for p in pairs]} if pairs else None,
        "forces": w.force_list(period),
        "change_by_force": _by_force_sentence(w.by_force(period, before)),
        "charged_share": _share(outcomes, "charged"),
    }
    notes = [
        "Rates are per 1,000 residents per year" + (f"; residents: {pop_source}." if population
                                                    else "; no population is loaded for this area."),
        "Harm is in days of imprisonment per crime, a category-level approximation after the Cambridge "
        "Crime Harm Index (Sherman, Neyroud & Neyroud 2016); anti-social behaviour is not crime and is "
        "counted beside harm, never in it.",
        "Outcomes are each crime's latest outcome in the outcomes files, linked by Crime ID, else the street "
        "file's last outcome category; shares count only crimes of forces that published outcomes for that "
        "month.",
        f"Forces whose crimes are counted in {period.label()}: " + w.forces_sentence(period) + ".",
    ]
    # notes that hold for this period only say which period (a page may show profiles of two)
    if declined:
        notes.append(declined)
    else:
        notes.insert(2, f"Change compares {label_now} with the same months {earlier} ({label_then}) with the "
                        "Poisson E-test (Krishnamoorthy & Thomson 2004); Wheeler's z flags only shifts beyond ±3.")
        if len(pairs) < period.months:
            notes.append(f"Change compares only the {len(pairs)} month(s) every force counted here published in "
                         f"both periods ({label_now} against {label_then}): {gaps}.")
    if complete < period.months:
        notes.append(f"Rates for {period.label()} are per month the area's own force(s) published "
                     f"({complete} of {period.months}); "
                     "months a force did not publish are not months without crime.")
    if w.outcome_gaps(period):
        notes.append("Outcome shares leave out " + w.outcome_gaps(period) + ".")
    who = "" if force is None else f" ({w.names[force]} only)"
    return Result(
        method="profile",
        title=f"Crime in {area.name}{who}, {period.label()}",
        summary=summary,
        tables={"by_crime_type": rows, "trend": _trend(w, period), "by_month": by_month, "outcomes": outcomes,
                "by_force": w.by_force(period, before)},
        area=area_dict(area) | ({"force": force} if force else {}),
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=srcs,
        notes=notes,
    )


def previous_like(period: Period) -> Period:
    """The same calendar months, whole years earlier, not overlapping the period (like with like)."""
    return period.shift(-12 * -(-period.months // 12))


def years_earlier(period: Period) -> str:
    """How far back :func:`previous_like` goes, in words: "a year earlier", "three years earlier"."""
    years = -(-period.months // 12)
    words = {1: "a year", 2: "two years", 3: "three years", 4: "four years", 5: "five years"}
    return f"{words.get(years, f'{years} years')} earlier"


@functools.lru_cache(maxsize=1 << 16)
def _compare(c1: int, c2: int, label1: str, label2: str):
    """compare_counts is pure and costs ~1 ms; profiles repeat the same comparisons."""
    return compare_counts(c1, c2, label1=label1, label2=label2)


class Window:
    """An area's aggregated crimes over a span of months, fetched in one query, with its coverage.

    ``rows`` are (force, month, crime_type, outcome_group, n); ``published`` maps each
    force counted here to the months it published, ``outcomes`` to the months it published
    outcomes; ``own`` lists the area's own (territorial) forces.
    """

    def __init__(self, rows: list[tuple], published: dict[str, set[date]], *, own: list[str] | None = None,
                 outcomes: dict[str, set[date]] | None = None, names: dict[str, str] | None = None):
        self.rows = rows
        self.published = published
        self.own = own if own is not None else list(published)
        self.outcome_months = outcomes if outcomes is not None else published
        self.names = names or {f: f for f in published}

    @classmethod
    def fetch(cls, store: Store, area: Area, first: date, last: date, *, forces: list[str]) -> Window:
        cov = Coverage(store)
        rows = [r for r in _area_rows(store, area, forces) if first <= r[1] <= last]
        own = [f for f in cov.own_forces(area) if f in forces] or forces
        return cls(rows, {f: set(cov.published(f)) for f in forces}, own=own,
                   outcomes={f: set(cov.published(f, "outcomes")) for f in forces},
                   names={f: cov.force_name(f) for f in forces})

    def _in(self, period: Period):
        key = (period.first, period.last)
        cached = self.__dict__.setdefault("_within", {})
        if key not in cached:  # every part of a profile asks for the same period's rows
            cached[key] = [r for r in self.rows if period.first <= r[1] <= period.last]
        return cached[key]

    def _all(self, m: date, forces=None) -> bool:
        return all(m in self.published[f] for f in (forces or self.published))

    def pairs(self, period: Period, before: Period, forces=None) -> list[tuple[date, date]]:
        """(month, month a year earlier) pairs every force counted here published on both sides."""
        out = []
        for i in range(period.months):
            now, then = period.shift(i).first, before.shift(i).first
            if self._all(now, forces) and self._all(then, forces):
                out.append((now, then))
        return out

    def own_months(self, period: Period) -> int:
        """Months of the period every own force published (the months rates are per)."""
        return sum(1 for i in range(period.months) if self._all(period.shift(i).first, self.own))

    @staticmethod
    def labels(pairs, period: Period, before: Period) -> tuple[str, str]:
        if len(pairs) == period.months or not pairs:
            return period.label(), before.label()
        return spans([p[0] for p in pairs]), spans([p[1] for p in pairs])

    def gaps(self, period: Period, before: Period) -> str:
        parts = []
        for f, pub in sorted(self.published.items()):
            missing = sorted({p.shift(i).first for p in (before, period) for i in range(p.months)} - pub)
            if missing:
                parts.append(f"{self.names[f]} did not publish {spans(missing)}")
        return "; ".join(parts) or "every force published every month"

    def by_type(self, period: Period) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, _, ct, _, n in self._in(period):
            out[ct] = out.get(ct, 0) + n
        return out

    def by_type_months(self, months, forces=None) -> dict[str, int]:
        months = set(months)
        out: dict[str, int] = {}
        for f, m, ct, _, n in self.rows:
            if m in months and (forces is None or f in forces):
                out[ct] = out.get(ct, 0) + n
        return out

    def by_month_type(self, period: Period) -> dict[tuple[date, str], int]:
        out: dict[tuple[date, str], int] = {}
        for _, m, ct, _, n in self._in(period):
            out[(m, ct)] = out.get((m, ct), 0) + n
        return out

    def monthly_crimes(self) -> dict[date, int]:
        """Crimes per month, for the months the area's own forces published (others are unknown)."""
        months = set.intersection(*(self.published[f] for f in self.own)) if self.own else set()
        out: dict[date, int] = {m: 0 for m in months}
        for _, m, ct, _, n in self.rows:
            if ct != harm_lib.ASB and m in out:
                out[m] += n
        return out

    def complete(self, m: date) -> bool:
        """Every force counted here published month ``m``: only such months are compared."""
        return self._all(m)

    def outcomes(self, period: Period) -> list[dict]:
        """Outcome shares per crime type, over crimes whose force published outcomes that month."""
        counts: dict[tuple[str, str], int] = {}
        totals: dict[str, int] = {}
        for f, m, ct, g, n in self._in(period):
            if ct == harm_lib.ASB or m not in self.outcome_months.get(f, ()):
                continue
            counts[(ct, g)] = counts.get((ct, g), 0) + n
            totals[ct] = totals.get(ct, 0) + n
        order = {g: i for i, (g, _) in enumerate(GROUPS)}
        labels = dict(GROUPS)
        return [{"crime_type": ct, "outcome_group": g, "outcome": labels[g], "count": n, "share": n / totals[ct]}
                for (ct, g), n in sorted(counts.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))]

    def outcome_gaps(self, period: Period) -> str:
        left: dict[str, int] = {}
        for f, m, ct, _, n in self._in(period):
            if ct != harm_lib.ASB and m not in self.outcome_months.get(f, ()):
                left[f] = left.get(f, 0) + n
        return "; ".join(f"{n:,} crimes of {self.names[f]} (no outcomes published for "
                         f"{spans(sorted(_months(period) - self.outcome_months.get(f, set())))})"
                         for f, n in sorted(left.items()))

    def force_list(self, period: Period) -> list[dict]:
        crimes = self._crimes_by_force(period)
        return [{"force": f, "name": self.names[f], "own_force": f in self.own,
                 "crimes": crimes.get(f, 0),
                 "months_published": len(_months(period) & pub),
                 "months_missing": spans(sorted(_months(period) - pub)) if _months(period) - pub else None}
                for f, pub in sorted(self.published.items())]

    def _crimes_by_force(self, period: Period) -> dict[str, int]:
        out: dict[str, int] = {}
        for f, _, ct, _, n in self._in(period):
            if ct != harm_lib.ASB:
                out[f] = out.get(f, 0) + n
        return out

    def forces_sentence(self, period: Period) -> str:
        out = []
        for r in self.force_list(period):
            text = f"{r['name']} ({r['crimes']:,} crimes"
            text += f"; did not publish {r['months_missing']})" if r["months_missing"] else ")"
            out.append(text)
        return ", ".join(out)

    def by_force(self, period: Period, before: Period) -> list[dict]:
        """Each force's own figure: its crimes, and its change over the months it published on both sides."""
        crimes = self._crimes_by_force(period)
        out = []
        for f in sorted(self.published):
            pairs = self.pairs(period, before, [f])
            now = sum(n for ct, n in self.by_type_months([p[0] for p in pairs], [f]).items() if ct != harm_lib.ASB)
            then = sum(n for ct, n in self.by_type_months([p[1] for p in pairs], [f]).items() if ct != harm_lib.ASB)
            row = {"force": f, "name": self.names[f], "own_force": f in self.own, "crimes": crimes.get(f, 0),
                   "months_published": len(_months(period) & self.published[f]), "months_compared": len(pairs),
                   "crimes_compared": now if pairs else None, "crimes_year_before": then if pairs else None}
            if pairs:
                ln, lt = self.labels(pairs, period, before)
                ch = _compare(then, now, lt, ln)
                row.update(ratio=ch.ratio, p_value=ch.p_value, wheeler_z=ch.z, direction=ch.direction)
            else:
                row.update(ratio=None, p_value=None, wheeler_z=None, direction="not comparable")
            out.append(row)
        return out


#: Areas whose every month's rows are kept per lake state (a profile of another period then
#: reads no aggregate): a few thousand small tuples each, so a bounded number.
AREA_ROWS_KEPT = 512


def _area_rows(store: Store, area: Area, forces: list[str]) -> list[tuple]:
    """(force, month, crime_type, outcome_group, n) of the area's crimes by ``forces``, every
    month, read once per lake state for the last :data:`AREA_ROWS_KEPT` areas asked for."""
    import threading
    from collections import OrderedDict

    kept = store.memo("profile-area-rows", lambda: (threading.Lock(), OrderedDict()))
    key = (area.level, area.code, tuple(forces))
    lock, rows_by_area = kept
    with lock:
        rows = rows_by_area.get(key)
        if rows is not None:
            rows_by_area.move_to_end(key)
            return rows
    rows = store.cursor().execute(
        f"SELECT force, month, crime_type, outcome_group, sum(n)::INTEGER FROM crime_counts "
        f"WHERE {area.column} = ? AND force IN (SELECT unnest(?::VARCHAR[])) "
        f"GROUP BY ALL ORDER BY month, force, crime_type, outcome_group", [area.code, forces]).fetchall()
    with lock:
        rows_by_area[key] = rows
        while len(rows_by_area) > AREA_ROWS_KEPT:
            rows_by_area.popitem(last=False)
    return rows


def _by_force_sentence(rows: list[dict]) -> str:
    """'Metropolitan Police Service: up, 2,166 to 2,282 over 12 months (p = 0.08)' for each force."""
    out = []
    for r in rows:
        if r["months_compared"]:
            out.append(f"{r['name']}: {r['direction']}, {r['crimes_year_before']:,} to {r['crimes_compared']:,} "
                       f"over {r['months_compared']} month(s) (E-test p = {r['p_value']:.2g})")
        else:
            out.append(f"{r['name']}: not comparable (no month published in both periods)")
    return "; ".join(out)


def _months(period: Period) -> set[date]:
    return {period.shift(i).first for i in range(period.months)}


def population_of(store: Store, area: Area, period: Period) -> tuple[float | None, str | None]:
    """Residents of the area, with a note of the source used."""
    return store.memo(("population", area.code, area.level, period.first), lambda: _population(store, area, period))


def _population(store: Store, area: Area, period: Period) -> tuple[float | None, str | None]:
    from openbeat.analytics.population import denominators

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
    # every area of the level at once, once per level and month: a profile asked for another
    # period, or another area, then costs a look-up (the ranking is per area, so the same)
    found = store.memo(("populations", area.level, period.first),
                       lambda: {d.area_code: d for d in denominators(cur, area.level, period.first)})
    d = found.get(area.code)
    if d is None:
        return None, None
    return float(d.population), describe_population(d)


def describe_population(d) -> str:
    """Which population a rate used, as a resident would say it: 'Census 2021, residents by age
    (table TS007A), added up from the ward's small areas (LSOAs), March 2021'."""
    return f"{population_words(d.source, d.level)}, {d.period:%B %Y}"


def population_words(source: str, level: str | None = None) -> str:
    """A population source code (``census2021_ts007a summed over lsoa21 via WD22``) in plain words."""
    names = {"census2021_ts007a": "Census 2021, residents by age (table TS007A)",
             "mid_year_estimate": "ONS mid-year population estimate"}
    base = source.split(" ")[0]
    text = names.get(base, base)
    if " summed over " in source:
        whose = {"ward": "the ward's", "borough": "the borough's"}.get(level or "", "the area's")
        vintage = "2011" if "lsoa11" in source else "2021"
        text += f", added up from {whose} small areas ({vintage} LSOAs)"
    return text


def _rate(count: float, population: float | None, months: int) -> float | None:
    if not population or not months:
        return None
    return count / population * 1000 * 12 / months


def _type_row(ct: str, count: int, c2: int, c1: int, population, weight, comparable: bool, months: int,
              label1: str, label2: str) -> dict:
    """``count`` in the period; ``c2`` against ``c1`` over the compared month pairs."""
    row = {
        "crime_type": ct,
        "count": count,
        "per_1000": _rate(count, population, months),
        "harm_days": None if weight is None else count * weight,
        "count_compared": c2 if comparable else None,
        "count_previous_year": c1 if comparable else None,
    }
    if comparable:
        ch = _compare(c1, c2, label1, label2)
        row.update(ratio=ch.ratio, p_value=ch.p_value, wheeler_z=ch.z, flag=ch.flag, direction=ch.direction)
    else:
        row.update(ratio=None, p_value=None, wheeler_z=None, flag=None, direction="not comparable")
    return row


def _trend(w: Window, period: Period) -> list[dict]:
    """Each month against the same month a year earlier, and the 12 months to it against the 12 before.

    A month the area's own forces did not publish has no count (never zero); a month is
    compared only where every force counted here published both it and the month it is
    compared with.
    """
    monthly = w.monthly_crimes()
    ok = {m for m in monthly if w.complete(m)}
    plans = []
    for i in range(period.months):
        m, prev = period.shift(i).first, period.shift(i - 12).first
        year = [period.shift(i - k).first for k in range(12)]
        year_before = [period.shift(i - 12 - k).first for k in range(12)]
        yoy = (monthly[prev], monthly[m]) if m in ok and prev in ok else None
        rolling = ((sum(monthly[x] for x in year_before), sum(monthly[x] for x in year))
                   if all(x in ok for x in year + year_before) else None)
        plans.append((m, prev, year, year_before, yoy, rolling))
    prepare_comparisons([c for plan in plans for c in plan[4:] if c])  # the E-tests below, together
    out = []
    for m, prev, year, year_before, yoy, rolling in plans:
        row = {"month": f"{m:%Y-%m}", "count": monthly.get(m)}
        if yoy:
            ch = _compare(*yoy, f"{prev:%Y-%m}", f"{m:%Y-%m}")
            row.update(count_year_before=yoy[0], yoy_p_value=ch.p_value, yoy_wheeler_z=ch.z,
                       yoy_direction=ch.direction)
        else:
            row.update(count_year_before=None, yoy_p_value=None, yoy_wheeler_z=None, yoy_direction="not comparable")
        if rolling:
            c1, c2 = rolling
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


def sources(store: Store) -> list[str]:
    return store.memo("sources", lambda: _sources(store))


def _sources(store: Store) -> list[str]:
    out = store.police_sources("crimes")
    if store.has("population"):
        out.append("ONS Census 2021 (TS007A) and mid-year population estimates")
    if store.has("areas"):
        out.append("ONS boundaries and LSOA → ward → local authority lookups")
    return out
