"""Stop and search by area: volume, rates by ethnicity, disproportionality, finds, arrests.

For a force, borough or ward and a period: searches; the rate per 1,000 residents per
year of each self-defined ethnic group with Census 2021 denominators; the ratio of each
group's rate to the White rate with the Katz log interval; the find rate (outcome linked
to the object of the search) and the arrest rate with Wilson intervals, overall, by
legislation and by object of search; a monthly series. The statistics are those of
:mod:`openbeat.stats.disproportionality` (Katz et al. 1978; Wilson 1927; the Home Office's
Census-2021 method).

Choices made here, and why:

* **Where a search counts.** A force's figure counts every search it published, placed
  or not. A borough's or ward's counts the searches whose coordinates fall inside it,
  whichever force made them. Searches without coordinates (7–11 % of the Met's) or
  outside every loaded area are in no borough or ward: the result says how many, rather
  than dropping them silently, so area figures are lower bounds.
* **Denominators.** Census 2021 publishes ethnic group (8 categories) by local
  authority only. A force uses the sum over its boroughs (the Met: the 32 boroughs, not
  the City), a borough its own. For a **ward** there is no ethnicity denominator, and
  the borough's shares applied to the ward's residents would put the borough's mix where
  a ward's may be very different; the ratio would then be biased, and the Katz interval,
  which knows nothing of that, would look precise. So by default the ward's rates and
  ratios are **declined** (searches per group are still shown, with the borough's ratio
  for context); ``ward_denominators="borough_shares"`` computes them anyway, marked
  approximate.
* **Not stated.** Searches without a self-defined ethnicity are in no group's rate
  (rates are then understated for every group); the ratios assume they are spread like
  the stated ones. Their share is reported.
* **Find rate.** Whether a force records "Outcome linked to object of search" is judged
  per force-month on all its searches (:func:`~openbeat.stats.disproportionality.
  find_outcome_recorded`): the Met leaves it blank up to 2024-01 and writes False on
  every row from 2024-02, so its find rate is "not recorded", never 0 %.
* **Rates are per year** (× 12 / months), as the Home Office publishes them; ratios do
  not depend on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from openbeat.analytics.profiles import population_of
from openbeat.analytics.result import Result, area_dict
from openbeat.analytics.store import Area, Period, Store, UnknownArea, parse_month
from openbeat.geo.rollup import FORCE_BOROUGHS
from openbeat.stats.disproportionality import (
    BROAD_GROUPS, NOT_STATED, SELF_DEFINED_ETHNICITY, Rate, broad_group, disproportionality_rows,
    find_outcome_recorded_counts, wilson_interval)

#: Census 2021 8-category codes with White detail, and the police.uk strings in each.
DETAILED_WHITE = {
    4: ("White: English, Welsh, Scottish, Northern Irish or British",
        ("White - English/Welsh/Scottish/Northern Irish/British",)),
    5: ("White: Irish", ("White - Irish",)),
    6: ("White: Gypsy or Irish Traveller, Roma or Other White",
        ("White - Gypsy or Irish Traveller", "White - Any other White background")),
}
WARD_DENOMINATORS = ("decline", "borough_shares")


@dataclass(frozen=True)
class Counts:
    """Stop-search counts of one area and period, aggregated (one row per combination)."""

    rows: list[tuple]  # (force, month, ethnicity, legislation, object, outcome, linked, n)
    recorded: dict[tuple[str, date], bool]  # (force, month) → find outcome really recorded

    @property
    def total(self) -> int:
        return sum(r[-1] for r in self.rows)


def stop_search(store: Store, code: str, first: str | None = None, last: str | None = None, *,
                ward_denominators: str = "decline") -> Result:
    """Stop and search in area ``code`` (force slug, borough or ward) over ``first``..``last``.

    Parameters
    ----------
    store : Store
    code : str
        A force slug (``metropolitan``), borough or ward code.
    first, last : str, optional
        ``YYYY-MM``; default the latest 12 months with stop-search data.
    ward_denominators : {"decline", "borough_shares"}
        For a ward, whether to decline rates and ratios by ethnicity (default: there is
        no ward-level ethnicity denominator) or apply the borough's Census shares to the
        ward's residents (approximate; see the module docstring).

    Returns
    -------
    Result
        Tables ``by_ethnicity`` (the five broad groups and Not stated: searches,
        residents, rate per 1,000 per year with its exact Poisson interval, ratio to
        White with its Katz interval), ``by_detailed_ethnicity`` (White detail where the
        Census has it), ``by_self_defined_ethnicity`` (the 18 census strings, Not stated
        and blank: searches), ``by_legislation``, ``by_object_of_search`` (find and arrest
        rates with Wilson intervals), ``monthly`` and ``placement`` (searches not placed in
        any area).
    """
    if ward_denominators not in WARD_DENOMINATORS:
        raise ValueError(f"ward_denominators must be one of {', '.join(WARD_DENOMINATORS)}, "
                         f"got {ward_denominators!r}")
    from openbeat.analytics.coverage import Coverage

    area = search_area(store, code)
    cov = Coverage(store)
    if last is None and cov.forces_of(area, "stop_searches"):
        end = cov.default_end(cov.own_forces(area, "stop_searches"), "stop_searches")
        last = f"{end:%Y-%m}" if end else None
    period = search_period(store, first, last)
    if cov.forces_of(area, "stop_searches"):
        cov.require(area, period, "stop_searches")
    counts = area_counts(store, area, period)
    notes: list[str] = []

    population, pop_note, approximate = ethnic_population(store, area, ward_denominators)
    if pop_note:
        notes.append(pop_note)
    by_string, unrecognised = searches_by_string(counts)
    if unrecognised:
        notes.append(f"{unrecognised:,} searches carry a self-defined ethnicity police.uk does not use; "
                     "they are counted as Not stated.")
    broad = {g: 0 for g in (*BROAD_GROUPS, NOT_STATED)}
    for s, n in by_string.items():
        broad[_broad(s)] += n
    scale = 12 / period.months
    why = "declined: no ethnicity denominator for a ward" if area.level == "ward" else "no denominator"
    by_ethnicity = ethnicity_table(broad, population, scale, approximate, why)
    detailed = detailed_table(by_string, broad, population, scale, approximate)
    stated = sum(broad[g] for g in BROAD_GROUPS)
    total = counts.total
    black = next(r for r in by_ethnicity if r["group"] == "Black")

    legislation = rates_table(counts, key=3, name="legislation")
    objects = rates_table(counts, key=4, name="object_of_search")
    overall = rates_table(counts, key=None, name="all")[0]
    monthly = monthly_table(store, area, period, counts, population)
    placement, unplaced = placement_table(store, area, period, counts)
    by_age, by_gender = people_tables(store, area, period)
    residents, residents_source = area_residents(store, area, period)
    summary = {
        "searches": total,
        "residents": residents,
        "residents_source": residents_source,
        "searches_per_1000_per_year": total / residents * 1000 * scale if residents else None,
        "not_stated_share": broad[NOT_STATED] / total if total else None,
        "black_white_ratio": {k: black[k] for k in ("ratio", "ratio_low", "ratio_high", "note")} | {
            "summary": _ratio_sentence(black)},
        "find_rate": _rate_dict(overall, "find"),
        "arrest_rate": _rate_dict(overall, "arrest"),
        "searches_not_placed": unplaced,
        "denominators": "approximate (borough shares)" if approximate else (
            "Census 2021 ethnic group" if population else None),
    }
    notes += _notes(area, total, broad, overall, unplaced)
    if area.level == "ward" and not population:
        context = _borough_context(store, area, period)
        if context:
            summary["borough_black_white_ratio"] = context
    return Result(
        method="stop_search",
        title=f"Stop and search in {area.name}, {period.label()}",
        summary=summary,
        tables={"by_ethnicity": by_ethnicity, "by_detailed_ethnicity": detailed,
                "by_self_defined_ethnicity": string_table(by_string, stated),
                "by_legislation": legislation, "by_object_of_search": objects, "monthly": monthly,
                "by_age_range": by_age, "by_gender": by_gender, "placement": placement},
        area=area_dict(area),
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=search_sources(store, counts),
        notes=notes,
    )


# ---- area, period, counts ------------------------------------------------------------


def search_area(store: Store, code: str) -> Area:
    """The area ``code``; a force known only from its stop searches is an area too."""
    try:
        return store.area(code)
    except UnknownArea:
        row = store.cursor().execute(
            "SELECT force FROM stop_search_counts WHERE force = ? LIMIT 1", [code]).fetchone()
        if row:
            return Area(code, code, "force")
        raise


def search_period(store: Store, first: str | None, last: str | None, *, default_months: int = 12) -> Period:
    """The period asked for; by default the latest ``default_months`` months of stop searches."""
    if first and last:
        return store.period(first, last)
    months = store.memo("stop-search-months", lambda: tuple(m for (m,) in store.cursor().execute(
        "SELECT DISTINCT month FROM stop_search_counts ORDER BY 1").fetchall()))  # once per state of the lake
    if last:
        end = parse_month(last)
    elif months:
        end = months[-1]
    else:
        return store.period(first, last, default_months=default_months)
    start = parse_month(first) if first else Period(end, end).shift(-(default_months - 1)).first
    return store.period(f"{start:%Y-%m}", f"{end:%Y-%m}")


def area_counts(store: Store, area: Area, period: Period) -> Counts:
    cur = store.cursor()
    rows = cur.execute(
        f"SELECT force, month, self_defined_ethnicity, legislation, object_of_search, outcome, linked, "
        f"sum(n)::INTEGER FROM stop_search_counts WHERE {area.column} = ? AND month BETWEEN ? AND ? "
        f"GROUP BY ALL", [area.code, period.first, period.last]).fetchall()
    forces = sorted({r[0] for r in rows})
    return Counts(rows, find_recorded(store, forces, period))


def find_recorded(store: Store, forces: list[str], period: Period) -> dict[tuple[str, date], bool]:
    """Whether each force-month records the find outcome, judged on all its searches."""
    if not forces:
        return {}
    return store.memo(("find_recorded", tuple(forces), period.first, period.last),
                      lambda: _find_recorded(store, forces, period))


def forces_summary(store: Store, forces: list[str]) -> list[tuple]:
    """(force, month, linked, geo_status, has_ward, searches) of ``forces`` in every month: what
    the find-outcome judgement, the published months and the placement of searches read, in one
    query, once per state of the lake (every ward of a force asks the same)."""
    return store.memo(("stop-search-forces", tuple(forces)), lambda: store.cursor().execute(
        "SELECT force, month, linked, geo_status, (ward_code IS NOT NULL) AS has_ward, sum(n)::INTEGER "
        "FROM stop_search_counts WHERE force IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
        [forces]).fetchall())


def prepare_forces(store: Store) -> None:
    """What the first ward page of each force reads once per state of the lake, read now for
    every force: its searches summed by month (:func:`forces_summary`) and whether each of its
    months records the find outcome (:func:`find_recorded`) over a ward's default period, the
    12 months to the force's latest. A page whose searches are all one force's (most wards')
    then reads none of it (a web worker does this before it serves: 7-20 ms a force that
    a visitor's page paid on a national lake)."""
    if not store.has("stop_search_counts"):
        return
    for force, period in _default_periods(store).items():
        find_recorded(store, [force], period)


def _default_periods(store: Store) -> dict[str, Period]:
    """Each force's default period of a ward page whose searches are all that force's: the 12
    months to its latest month of searches (as :func:`stop_search` works it out with no
    ``last``). Forces with no searches have none."""
    from openbeat.analytics.coverage import Coverage

    cov = Coverage(store)
    ends = {force: cov.default_end([force], "stop_searches") for force in cov.forces("stop_searches")}
    return {force: search_period(store, None, f"{end:%Y-%m}") for force, end in ends.items() if end is not None}


def _in_period(month: date | None, period: Period) -> bool:
    return month is not None and period.first <= month <= period.last


def _find_recorded(store: Store, forces: list[str], period: Period) -> dict[tuple[str, date], bool]:
    values: dict[tuple[str, date], dict] = defaultdict(lambda: defaultdict(int))
    for force, month, linked, _, _, n in forces_summary(store, forces):
        if _in_period(month, period):
            values[(force, month)][linked] += n
    return {k: find_outcome_recorded_counts(v.items()) for k, v in sorted(values.items())}


# ---- ethnicity ----------------------------------------------------------------------------


def _broad(s: str) -> str:
    try:
        return broad_group(s)
    except ValueError:
        return NOT_STATED


def searches_by_string(counts: Counts) -> tuple[dict[str, int], int]:
    """Searches per self-defined ethnicity string ("" for blank), and how many are unrecognised."""
    out: dict[str, int] = defaultdict(int)
    unrecognised = 0
    for r in counts.rows:
        s = (r[2] or "").strip()
        out[s] += r[-1]
        if s and s not in SELF_DEFINED_ETHNICITY:
            unrecognised += r[-1]
    return dict(out), unrecognised


def area_residents(store: Store, area: Area, period: Period) -> tuple[float | None, str | None]:
    """All residents of the area (a force: of the boroughs it polices), with the source used."""
    if area.level != "force":
        return population_of(store, area, period)
    from openbeat.analytics.population import denominators

    if not store.has("population"):
        return None, None
    pops = denominators(store.cursor(), "borough", period.first, codes=force_boroughs(store, area.code))
    if not pops:
        return None, None
    return float(sum(d.population for d in pops)), f"sum of {len(pops)} boroughs ({pops[0].source}, {pops[0].period:%B %Y})"


def string_table(by_string: dict[str, int], stated: int) -> list[dict]:
    """Searches per police.uk string: the 18 census strings and Not stated (zeros kept), blank, others."""
    order = list(SELF_DEFINED_ETHNICITY) + [""] + sorted(set(by_string) - set(SELF_DEFINED_ETHNICITY) - {""})
    return [{"self_defined_ethnicity": s or "(blank)", "broad_group": _broad(s), "searches": by_string.get(s, 0),
             "share_of_stated": by_string.get(s, 0) / stated if stated and _broad(s) != NOT_STATED else None}
            for s in order]


def force_boroughs(store: Store, force: str) -> list[str]:
    """The boroughs a force polices: listed for the Met and the City, else where its rows fall."""
    if force in FORCE_BOROUGHS:
        return list(FORCE_BOROUGHS[force])
    return [b for (b,) in store.cursor().execute(
        "SELECT borough_code FROM stop_search_counts WHERE force = $1 AND geo_status = 'ok' "
        "UNION SELECT borough_code FROM crime_counts WHERE force = $1 AND geo_status = 'ok' ORDER BY 1",
        [force]).fetchall() if b]


def ethnic_population(store: Store, area: Area, ward_denominators: str = "decline") -> tuple[dict, str, bool]:
    """Residents per Census 2021 8-category code for the area: ({code: residents}, note, approximate)."""
    if not store.has("population_ethnicity"):
        return {}, "No Census ethnicity table is loaded, so there are no rates or ratios by ethnicity.", False
    if area.level == "force":
        boroughs = force_boroughs(store, area.code)
    elif area.level == "borough":
        boroughs = [area.code]
    elif area.level == "ward" and area.borough_code:
        boroughs = [area.borough_code]
    else:
        return {}, "Census ethnicity is published by local authority; no denominator exists for an LSOA.", False
    rows = _ethnic_rows(store, boroughs)
    pop = {int(c): float(p) for c, p, _ in rows}
    found = max((r[2] for r in rows), default=0)
    if not pop:
        return {}, f"No Census ethnicity figures for {area.name}'s local authority are loaded.", False
    note = ""
    if area.level == "force" and found < len(boroughs):
        note = f"Census ethnicity found for {found} of the force's {len(boroughs)} boroughs."
    if area.level != "ward":
        return pop, note, False
    if ward_denominators == "decline":
        return {}, ("Census 2021 publishes ethnicity by borough, not by ward, so this ward's rates and ratios by "
                    "ethnicity are not given: the borough's mix applied to the ward could be far from its own, "
                    "and the interval would not show that. The borough's ratio is given for context."), False
    from openbeat.analytics.population import denominator

    d = denominator(store.cursor(), area.code, "ward", date(2021, 3, 21))
    if d is None:
        return {}, f"No Census population for ward {area.code} is loaded.", False
    total = sum(pop.values())
    return ({c: p / total * d.population for c, p in pop.items()},
            "APPROXIMATE: Census 2021 has no ethnicity by ward; each group's residents here are the borough's "
            "shares applied to the ward's Census population. If the ward's mix differs from the borough's the "
            "ratios are biased, by an amount the intervals do not show.", True)


def _ethnic_rows(store: Store, boroughs: list[str]) -> list[tuple[int, int | None, int]]:
    """(Census code, residents, local authorities with that code) summed over ``boroughs``.

    The table is small (8 codes per local authority), so every authority's rows are read
    once per state of the lake and summed here, rather than queried per page.
    """
    def read():
        by_area: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        for code, group, residents in store.cursor().execute(
                "SELECT area_code, ethnic_group_code, sum(population)::BIGINT FROM population_ethnicity "
                "WHERE ethnic_group_code > 0 AND area_code IS NOT NULL GROUP BY ALL ORDER BY ALL").fetchall():
            by_area[code].append((group, residents))
        return dict(by_area)

    by_area = store.memo("ethnic-population-by-area", read)
    sums: dict[int, int | None] = {}
    areas: dict[int, int] = defaultdict(int)
    for b in set(boroughs):
        for group, residents in by_area.get(b, ()):
            areas[group] += 1
            sums.setdefault(group, None)  # SQL's sum: NULLs left out, NULL when every one is
            if residents is not None:
                sums[group] = (sums[group] or 0) + residents
    return [(g, sums[g], areas[g]) for g in sorted(areas)]


def _broad_population(population: dict[int, float]) -> dict[str, float]:
    from openbeat.stats.disproportionality import CENSUS_8_CODES

    out = {g: 0.0 for g in BROAD_GROUPS}
    for c, p in population.items():
        out[CENSUS_8_CODES[c]] += p
    return out


def ethnicity_table(broad: dict[str, int], population: dict[int, float], scale: float,
                    approximate: bool, why: str = "no denominator") -> list[dict]:
    """One row per broad group and Not stated: searches, residents, yearly rate, ratio to White."""
    rows = []
    if population and broad["White"] > 0:
        t = disproportionality_rows({g: broad[g] for g in BROAD_GROUPS}, _broad_population(population))
        for r in t:
            rows.append(_rate_row(r, scale, approximate))
    else:
        pops = _broad_population(population) if population else {}
        for g in BROAD_GROUPS:
            rows.append({"group": g, "searches": broad[g], "residents": pops.get(g),
                         "rate_per_1000_per_year": None, "rate_low": None, "rate_high": None,
                         "ratio": None, "ratio_low": None, "ratio_high": None,
                         "note": ("no White searches to compare with" if population else why),
                         "approximate": approximate})
    rows.append({"group": NOT_STATED, "searches": broad[NOT_STATED], "residents": None,
                 "rate_per_1000_per_year": None, "rate_low": None, "rate_high": None, "ratio": None,
                 "ratio_low": None, "ratio_high": None,
                 "note": "no self-defined ethnicity: in no group's rate", "approximate": False})
    return rows


def _rate_row(r: dict, scale: float, approximate: bool) -> dict:
    return {"group": r["group"], "searches": int(r["searches"]), "residents": r["population"],
            "rate_per_1000_per_year": r["rate_per_1000"] * scale, "rate_low": r["rate_low"] * scale,
            "rate_high": r["rate_high"] * scale, "ratio": r["ratio"], "ratio_low": r["ratio_low"],
            "ratio_high": r["ratio_high"], "note": r["note"], "approximate": approximate}


def detailed_table(by_string: dict[str, int], broad: dict[str, int], population: dict[int, float],
                   scale: float, approximate: bool) -> list[dict]:
    """White detail (the Census 8-category table has no other detail), ratios to all White."""
    if not population or broad["White"] == 0:
        return []
    searches = {label: sum(by_string.get(s, 0) for s in strings) for label, strings in DETAILED_WHITE.values()}
    pops = {label: population.get(c, 0.0) for c, (label, _) in DETAILED_WHITE.items()}
    white = sum(pops.values())
    t = disproportionality_rows({"White": broad["White"], **searches}, {"White": white, **pops})
    return [_rate_row(r, scale, approximate) for r in t if r["group"] != "White"]


# ---- find and arrest rates ----------------------------------------------------------------


def _rate(k: int, n: int, total: int, status_if_empty: str, note: str = "") -> Rate:
    if total == 0:
        return Rate(0, 0, None, None, None, "no searches")
    if n == 0:
        return Rate(0, 0, None, None, None, status_if_empty, note)
    lo, hi = wilson_interval(k, n)
    return Rate(k, n, k / n, lo, hi, "ok", "" if n == total else f"recorded on {n:,} of {total:,} searches")


def rates_table(counts: Counts, key: int | None, name: str) -> list[dict]:
    """Find and arrest rates per value of column ``key`` of the counts (None: overall).

    Same rules as :func:`openbeat.stats.disproportionality.outcome_rates`, on aggregated
    counts: the find outcome counts only in force-months that record it; arrests are
    over searches with an outcome.
    """
    groups: dict = defaultdict(lambda: [0, 0, 0, 0, 0])  # searches, finds, find_n, arrests, outcome_n
    for r in counts.rows:
        force, month, _, _, _, outcome, linked, n = r
        g = groups["all" if key is None else r[key]]
        g[0] += n
        if linked is not None and counts.recorded.get((force, month), False):
            g[2] += n
            g[1] += n if linked else 0
        if outcome is not None and str(outcome).strip():
            g[4] += n
            g[3] += n if str(outcome).strip() == "Arrest" else 0
    if key is None and not groups:
        groups["all"] = [0, 0, 0, 0, 0]  # no searches: one row saying so
    rows = []
    for value, (total, finds, find_n, arrests, outcome_n) in sorted(
            groups.items(), key=lambda kv: (-kv[1][0], str(kv[0]))):
        f = _rate(finds, find_n, total, "not recorded", "the force does not record it in these months")
        a = _rate(arrests, outcome_n, total, "not recorded")
        rows.append({name: value if value is not None else "(blank)", "searches": total,
                     "find_rate": f.value, "find_low": f.low, "find_high": f.high, "find_status": f.status,
                     "finds": f.k, "find_recorded_on": f.n,
                     "arrest_rate": a.value, "arrest_low": a.low, "arrest_high": a.high, "arrests": a.k})
    return rows


def _rate_dict(row: dict, what: str) -> dict:
    if what == "find":
        value, low, high, status = row["find_rate"], row["find_low"], row["find_high"], row["find_status"]
        label = "searches whose outcome was linked to the object of the search"
    else:
        value, low, high = row["arrest_rate"], row["arrest_low"], row["arrest_high"]
        status = "ok" if value is not None else ("no searches" if row["searches"] == 0 else "not recorded")
        label = "searches ending in arrest"
    if status != "ok":
        text = ("Not recorded: the force does not record whether the outcome was linked to the object of the "
                "search (the Met leaves it blank, then writes False on every row), so no find rate is shown."
                if status == "not recorded" else "No searches.")
    else:
        text = f"{value:.1%} of {label} (95% interval {low:.1%} to {high:.1%})."
    return {"value": value, "low": low, "high": high, "status": status, "summary": text}


# ---- age and gender ----------------------------------------------------------------------------

#: police.uk's age ranges in order (the rows sort by these; anything else comes after).
AGE_ORDER = ("under 10", "10-17", "18-24", "25-34", "over 34")


def people_tables(store: Store, area: Area, period: Period) -> tuple[list[dict], list[dict]]:
    """Searches by age range and by gender, each with its share and arrest rate (Wilson 95%).

    Read from the store's ``stop_search_people`` (``stop_search_counts`` keeps neither column); a
    blank field is its own row, "(blank)", never dropped. No residents' denominators: the
    Census age and sex tables are not loaded, so these are shares of searches, not rates.
    """
    def compute():
        return store.cursor().execute(  # the store's aggregate of the searches (one area's row groups)
            f"SELECT age_range, gender, sum(n)::INTEGER, sum(arrests)::INTEGER, sum(with_outcome)::INTEGER "
            f"FROM stop_search_people WHERE {area.column} = ? AND month BETWEEN ? AND ? GROUP BY ALL",
            [area.code, period.first, period.last]).fetchall()
    rows = store.memo(("stop-search-people", area.level, area.code, period.first, period.last), compute)
    total = sum(r[2] for r in rows)

    def table(key: int, name: str, order) -> list[dict]:
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in rows:
            g = groups[r[key]]
            g[0] += r[2]
            g[1] += r[3]
            g[2] += r[4]
        out = []
        for value, (n, arrests, with_outcome) in sorted(groups.items(), key=order):
            a = _rate(arrests, with_outcome, n, "not recorded")
            out.append({name: value, "searches": n, "share": n / total if total else None,
                        "arrests": arrests, "arrest_rate": a.value, "arrest_low": a.low, "arrest_high": a.high})
        return out

    def by_age(kv):
        return (AGE_ORDER.index(kv[0]) if kv[0] in AGE_ORDER else len(AGE_ORDER), kv[0])

    return table(0, "age_range", by_age), table(1, "gender", lambda kv: (-kv[1][0], kv[0]))


# ---- monthly series and placement -------------------------------------------------------------


def published_search_months(store: Store, forces: list[str]) -> frozenset[date]:
    if not forces:
        return frozenset()
    return frozenset(r[1] for r in forces_summary(store, forces))


def monthly_table(store: Store, area: Area, period: Period, counts: Counts,
                  population: dict[int, float]) -> list[dict]:
    """Searches per month (None where the force published nothing), Black/White ratio, finds, arrests."""
    forces = [area.code] if area.level == "force" else sorted({r[0] for r in counts.rows})
    if not forces:
        forces = [f for (f,) in store.cursor().execute("SELECT DISTINCT force FROM stop_search_counts").fetchall()]
    published = published_search_months(store, forces)
    pops = _broad_population(population) if population else {}
    by_month: dict[date, list[tuple]] = defaultdict(list)
    for r in counts.rows:
        by_month[r[1]].append(r)
    out = []
    for i in range(period.months):
        m = period.shift(i).first
        if m not in published:
            out.append({"month": f"{m:%Y-%m}", "searches": None, "black": None, "white": None,
                        "black_white_ratio": None, "ratio_low": None, "ratio_high": None, "find_rate": None,
                        "find_status": "not published", "arrest_rate": None, "arrest_low": None,
                        "arrest_high": None})
            continue
        sub = Counts(by_month.get(m, []), counts.recorded)
        rates = rates_table(sub, key=None, name="all")[0]
        black = sum(r[-1] for r in sub.rows if _broad((r[2] or "").strip()) == "Black")
        white = sum(r[-1] for r in sub.rows if _broad((r[2] or "").strip()) == "White")
        ratio = low = high = None
        if pops and white:
            from openbeat.stats.disproportionality import katz_interval

            ratio, low, high, _ = katz_interval(black, pops["Black"], white, pops["White"])
        out.append({"month": f"{m:%Y-%m}", "searches": sub.total, "black": black, "white": white,
                    "black_white_ratio": ratio, "ratio_low": low, "ratio_high": high,
                    "find_rate": rates["find_rate"], "find_status": rates["find_status"],
                    "arrest_rate": rates["arrest_rate"], "arrest_low": rates["arrest_low"],
                    "arrest_high": rates["arrest_high"]})
    return out


PLACEMENT = {
    "ok": "placed in a borough of the force",
    "outside_area": "outside the force's boroughs or every loaded area",
    "no_location": "no coordinates",
}


def placement_table(store: Store, area: Area, period: Period, counts: Counts) -> tuple[list[dict], int]:
    """Where the searches of the forces involved were placed; and how many were placed nowhere here."""
    forces = [area.code] if area.level == "force" else sorted({r[0] for r in counts.rows})
    if not forces:
        return [], 0
    got = [(force, status, has_ward, n) for force, month, _, status, has_ward, n in forces_summary(store, forces)
           if _in_period(month, period)]
    merged: dict[tuple[str, str], int] = defaultdict(int)
    for force, status, has_ward, n in got:
        merged[(force, status)] += n
    rows = [{"force": f, "geo_status": s, "meaning": PLACEMENT.get(s, s), "searches": n}
            for (f, s), n in sorted(merged.items())]
    if area.level == "force":
        unplaced = sum(n for (f, s), n in merged.items() if s != "ok")
    else:
        # Searches in no ward or borough at all could have been made anywhere, here included.
        unplaced = sum(n for force, status, has_ward, n in got if not has_ward)
    return rows, unplaced


# ---- words ------------------------------------------------------------------------------------


def _ratio_sentence(row: dict) -> str:
    if row["ratio"] is None:
        return f"No Black/White ratio: {row['note']}."
    if row["ratio_low"] is None or row["ratio_low"] != row["ratio_low"]:
        return f"Black residents were searched at {row['ratio']:.2f} times the White rate ({row['note']})."
    return (f"Black residents were searched at {row['ratio']:.2f} times the White rate (95% interval "
            f"{row['ratio_low']:.2f} to {row['ratio_high']:.2f}).")


def _notes(area: Area, total: int, broad: dict, overall: dict, unplaced: int) -> list[str]:
    notes = [
        "Rates are searches per 1,000 residents of each self-defined ethnic group per year, over Census 2021 "
        "residents (the Home Office's method); the ratio to White has a Katz log 95% interval, which treats each "
        "search as a different person and so is too narrow where people are searched repeatedly.",
        "Find rate: searches whose outcome was linked to the object of the search, over searches where the force "
        "records that; arrest rate: arrests over searches with an outcome. Both with Wilson 95% intervals.",
    ]
    if total:
        notes.append(f"{broad[NOT_STATED]:,} of {total:,} searches ({broad[NOT_STATED] / total:.0%}) have no "
                     "self-defined ethnicity: they are in no group's rate (so every rate is understated) and the "
                     "ratios assume they are spread like the others.")
    if area.level == "force":
        notes.append("A force's figures count every search it published, placed on the map or not. A force-wide "
                     "ratio also mixes boroughs: where a group lives more in boroughs that search more, it is "
                     "higher than the ratio within each borough (compare the boroughs).")
    else:
        notes.append("Searches made here are divided by the people who live here; those searched need not live "
                     "here (town centres, transport hubs, night-time venues), which moves area rates and ratios "
                     "too.")
    if area.level != "force" and unplaced:
        notes.append(f"{unplaced:,} searches by the same force(s) in this period could not be placed in any ward "
                     "(no coordinates, or outside every loaded area); some may have been made here, so this "
                     "area's counts are a lower bound.")
    if overall["find_status"] == "not recorded":
        notes.append("No find rate: the force does not record whether the outcome was linked to the object of "
                     "the search in these months (a blank column, or False written on every row), which is not "
                     "a find rate of 0.")
    return notes


def _borough_context(store: Store, area: Area, period: Period) -> dict | None:
    if not area.borough_code:
        return None
    # the same for every ward of the borough: once per state of the lake
    found = store.memo(("stop-search-borough-ratio", area.borough_code, period.first, period.last),
                       lambda: _borough_ratio(store, area.borough_code, period))
    return dict(found) if found else None


def _borough_ratio(store: Store, code: str, period: Period) -> dict | None:
    borough = store.area(code)
    return _borough_ratio_of(store, borough, period, searches_by_string(area_counts(store, borough, period))[0])


def prepare_borough_ratios(store: Store) -> None:
    """The Black/White ratio of every borough with searches, as each ward page of the borough
    gives it (for context: :func:`_borough_context`), read now for the period a ward's page
    shows by default (the 12 months to its force's latest): one query of each such period's
    searches by force, borough and ethnicity, instead of one a borough on the first visit to
    each borough's wards (4-25 ms that a visitor's page paid on a national lake). The same
    sums, so the same ratios."""
    if not store.has("stop_search_counts") or not store.has("population_ethnicity"):
        return
    periods: dict[Period, list[str]] = defaultdict(list)  # a ward page's default period → its forces
    for force, period in _default_periods(store).items():
        periods[period].append(force)
    for period, forces in periods.items():
        by_borough: dict[str, dict[str, int]] = {}
        theirs: set[str] = set()  # the boroughs where these forces' searches of the period were placed
        for force, code, s, n in store.cursor().execute(
                "SELECT force, borough_code, self_defined_ethnicity, sum(n)::INTEGER FROM stop_search_counts "
                "WHERE borough_code IS NOT NULL AND month BETWEEN ? AND ? GROUP BY ALL",
                [period.first, period.last]).fetchall():
            by_string = by_borough.setdefault(code, {})
            key = (s or "").strip()  # as searches_by_string keys it
            by_string[key] = by_string.get(key, 0) + n  # every force's searches in the borough
            if force in forces:
                theirs.add(code)
        for code in sorted(theirs):
            try:
                borough = store.area(code)
            except UnknownArea:  # searches placed in an area not loaded: no ward page shows it
                continue
            store.memo(("stop-search-borough-ratio", code, period.first, period.last),
                       lambda b=borough, p=period: _borough_ratio_of(store, b, p, by_borough[b.code]))


def _borough_ratio_of(store: Store, borough: Area, period: Period, by_string: dict[str, int]) -> dict | None:
    """The borough's Black/White ratio from its searches per self-defined ethnicity string."""
    pop, _, _ = ethnic_population(store, borough)
    if not pop:
        return None
    broad = {g: 0 for g in (*BROAD_GROUPS, NOT_STATED)}
    for s, n in by_string.items():
        broad[_broad(s)] += n
    black = next(r for r in ethnicity_table(broad, pop, 12 / period.months, False) if r["group"] == "Black")
    return {"borough": borough.name, **{k: black[k] for k in ("ratio", "ratio_low", "ratio_high")},
            "summary": f"In {borough.name}: " + _ratio_sentence(black)}


def search_sources(store: Store, counts: Counts) -> list[str]:
    out = store.police_sources("stop_searches", forces=sorted({r[0] for r in counts.rows}))
    if store.has("population_ethnicity"):
        out.append("ONS Census 2021 ethnic group (8 categories) by local authority")
    if store.has("population"):
        out.append("ONS Census 2021 (TS007A) residents")
    if store.has("areas"):
        out.append("ONS boundaries and LSOA → ward → local authority lookups (searches placed by point in polygon)")
    return out
