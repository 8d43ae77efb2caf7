"""Violence against women and girls: rape, other sexual offences, stalking and harassment.

police.uk folds these into one category, "Violence and sexual offences". The Met's own
ward-level recorded crime (London Datastore, loaded as ``ward_crime``) separates them by
Home Office minor class, so this module counts them by ward, borough and the whole Met,
by month and over a period, from that file:

* **rates** per 1,000 female residents per year, from the ONS mid-year LSOA estimates by
  sex (``population_sex``, on 2011 LSOAs) rolled up to wards through the LSOA 2021 → ward
  lookup where the 2011 and 2021 LSOA codes are the same; a ward with an LSOA that changed
  between 2011 and 2021, or a lake without estimates by sex, falls back to all residents
  (Census 2021), and the figure says so;
* **change** against the same months a year earlier, counting only months the file holds
  on both sides (the file's months are its coverage; an absent month is not zero);
* a **funnel comparison** of the wards of the borough (or the boroughs of the force);
* **outcomes** of police.uk "Violence and sexual offences" crimes (the only place
  outcomes are published), with Wilson intervals.

Recorded crime counts what victims report and the police record. For these offences most
victims never report, so a rise can mean more victims came forward; every verdict here
says so (:data:`CAVEAT`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from openbeat.analytics.outcomes import LABELS, latest_outcome_key_sql, outcome_group, outcome_group_sql
from openbeat.analytics.result import Result
from openbeat.analytics.store import Period, Store, UnknownArea, parse_month
from openbeat.stats.change import compare_counts
from openbeat.stats.disproportionality import wilson_interval
from openbeat.stats.funnel import funnel

#: (key, label, Home Office major class, minor class) as the London Datastore file names them.
OFFENCES = [
    ("rape", "Rape", "SEXUAL OFFENCES", "RAPE"),
    ("other_sexual_offences", "Other sexual offences", "SEXUAL OFFENCES", "OTHER SEXUAL OFFENCES"),
    ("stalking_harassment", "Stalking and harassment", "VIOLENCE AGAINST THE PERSON", "STALKING AND HARASSMENT"),
]
LABEL = {k: label for k, label, _, _ in OFFENCES}

#: The ward file is the Metropolitan Police's: its force is the Met.
FORCE = "metropolitan"
FORCE_NAME = "Metropolitan Police Service"

#: Said with every verdict on this section, in these words.
CAVEAT = ("Recorded crime counts what victims report and the police record, not every offence. For these offences "
          "most victims never report, so a rise can mean more victims came forward or better recording, not more "
          "offending, and a fall is not by itself a success.")

POLICE_UK_TYPE = "Violence and sexual offences"

NO_TIME_OF_DAY = ("police.uk publishes the month of each crime, never the day or time, so these data cannot show "
                  "where violence happens at night.")


@dataclass(frozen=True)
class VawgArea:
    code: str
    name: str
    level: str  # ward, borough or force
    borough_code: str | None = None

    @property
    def where(self) -> str:
        return {"ward": "ward_code = ?", "borough": "borough_code = ?", "force": "? IS NOT NULL"}[self.level]


@dataclass(frozen=True)
class Denominator:
    population: int
    basis: str  # 'female residents' or 'residents'
    source: str  # in words, with the year


def has_ward_crime(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ward_crime'")
                .fetchone()[0])


def _views(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def find_area(con: duckdb.DuckDBPyConnection, code: str) -> VawgArea | None:
    """The ward, borough or force ``code`` names in the ward file, or None if it holds none."""
    if not has_ward_crime(con):
        return None
    if code.strip().lower() in (FORCE, "met", "mps", FORCE_NAME.lower(), "metropolitan police service"):
        return VawgArea(FORCE, FORCE_NAME, "force")
    row = con.execute("SELECT ward_code, any_value(ward_name), any_value(borough_code) FROM ward_crime "
                      "WHERE ward_code = ? GROUP BY 1", [code]).fetchone()
    if row:
        return VawgArea(row[0], row[1], "ward", row[2])
    row = con.execute("SELECT borough_code, mode(borough_name) FILTER (WHERE NOT aviation_security) FROM ward_crime "
                      "WHERE borough_code = ? GROUP BY 1", [code]).fetchone()
    if row:
        return VawgArea(row[0], row[1] or row[0], "borough", row[0])
    return None


def _offence_sql() -> str:
    whens = " ".join(f"WHEN major_text = '{maj}' AND minor_text = '{mi}' THEN '{k}'" for k, _, maj, mi in OFFENCES)
    return f"CASE {whens} END"


def monthly(con: duckdb.DuckDBPyConnection, area: VawgArea) -> tuple[dict[tuple[date, str], int], list[date]]:
    """{(month, offence key): count} for the area, and the months the file holds for it."""
    rows = con.execute(
        f"SELECT month, {_offence_sql()} AS offence, sum(count)::BIGINT FROM ward_crime WHERE {area.where} "
        "GROUP BY ALL", [area.code]).fetchall()
    counts = {(m, k): int(n) for m, k, n in rows if k is not None}
    months = sorted({m for m, _, _ in rows})
    return counts, months


def counts_by_area(con: duckdb.DuckDBPyConnection, level: str, months: list[date],
                   borough: str | None = None) -> dict[str, dict[str, int]]:
    """{area code: {offence key: count}} for every ward (of ``borough``) or borough, over ``months``."""
    column = {"ward": "ward_code", "borough": "borough_code"}[level]
    where = " AND borough_code = ?" if borough else ""
    rows = con.execute(
        f"SELECT {column}, {_offence_sql()} AS offence, sum(count)::BIGINT FROM ward_crime "
        f"WHERE month IN (SELECT unnest(?::DATE[])) AND {column} IS NOT NULL{where} GROUP BY ALL",
        [months] + ([borough] if borough else [])).fetchall()
    out: dict[str, dict[str, int]] = {}
    for code, k, n in rows:
        if k is not None:
            out.setdefault(code, {})[k] = int(n)
    return out


# ---- denominators ---------------------------------------------------------------------


def _ward_vintage(con, views) -> str | None:
    if "lsoa_wards" not in views:
        return None
    vs = [r[0] for r in con.execute(
        "SELECT ward_vintage, count(DISTINCT l.ward_code) FILTER (WHERE w.ward_code IS NOT NULL) AS hits "
        "FROM lsoa_wards l LEFT JOIN (SELECT DISTINCT ward_code FROM ward_crime) w USING (ward_code) "
        "GROUP BY 1 ORDER BY hits DESC, 1").fetchall()]
    return vs[0] if vs else None


def _mid_year(con, views, period: Period) -> date | None:
    """The mid-year estimate by sex nearest the middle of the period."""
    if "population_sex" not in views:
        return None
    mid = period.shift(0).first.toordinal() + (period.last.toordinal() - period.first.toordinal()) // 2
    row = con.execute("SELECT period FROM population_sex WHERE sex = 'female' GROUP BY 1 "
                      "ORDER BY abs(date_diff('day', period, ?::DATE)) LIMIT 1", [date.fromordinal(mid)]).fetchone()
    return row[0] if row else None


def denominators(con: duckdb.DuckDBPyConnection, level: str, codes: list[str],
                 period: Period) -> dict[str, Denominator]:
    """Female residents per ward, borough or the force where the estimates allow; else all residents.

    Wards: mid-year females on 2011 LSOAs summed over the ward's 2021 LSOAs (lookup vintage
    of the ward file) when every one of them kept its 2011 code; boroughs: every 2011 LSOA
    of the borough; the force: its boroughs. Otherwise Census 2021 usual residents.
    """
    from openbeat.analytics import population
    from openbeat.analytics.profiles import population_words

    views = _views(con)
    out: dict[str, Denominator] = {}
    year = _mid_year(con, views, period)
    if year is not None:
        src = f"ONS mid-{year.year} population estimate of female residents"
        if level == "ward":
            wv = _ward_vintage(con, views)
            if wv is not None:
                rows = con.execute(
                    "SELECT w.ward_code, count(*), count(p.area_code), sum(p.population)::BIGINT "
                    "FROM lsoa_wards w LEFT JOIN population_sex p ON p.area_code = w.lsoa21_code "
                    "AND p.sex = 'female' AND p.period = ? "
                    "WHERE w.ward_vintage = ? AND w.ward_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1",
                    [year, wv, codes]).fetchall()
                for ward, n, matched, pop in rows:
                    if n == matched and pop:
                        out[ward] = Denominator(int(pop), "female residents",
                                                f"{src}, added up from the ward's small areas: 2011 LSOAs, "
                                                "each unchanged in 2021")
        else:
            boroughs = codes
            if level == "force":
                boroughs = [r[0] for r in con.execute(
                    "SELECT DISTINCT borough_code FROM ward_crime WHERE borough_code IS NOT NULL").fetchall()]
            rows = dict(con.execute(
                "SELECT borough_code, sum(population)::BIGINT FROM population_sex WHERE sex = 'female' "
                "AND period = ? AND borough_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1",
                [year, boroughs]).fetchall())
            if level == "force":
                if rows and all(b in rows for b in boroughs):
                    out[codes[0]] = Denominator(sum(rows.values()), "female residents",
                                                f"{src}, summed over the {len(boroughs)} boroughs")
            else:
                for b, pop in rows.items():
                    out[b] = Denominator(int(pop), "female residents",
                                         f"{src}, added up from the borough's small areas: 2011 LSOAs")
    missing = [c for c in codes if c not in out]
    if missing and "population" in views:
        if level == "force":
            boroughs = [r[0] for r in con.execute(
                "SELECT DISTINCT borough_code FROM ward_crime WHERE borough_code IS NOT NULL").fetchall()]
            ds = population.denominators(con, "borough", period.first, codes=boroughs)
            if ds and len(ds) == len(boroughs):
                out[codes[0]] = Denominator(sum(d.population for d in ds), "residents",
                                            f"all residents, from {population_words(ds[0].source, 'borough')}, "
                                            f"{ds[0].period:%Y}, summed over the boroughs: no estimate of female "
                                            "residents is loaded")
        else:
            for d in population.denominators(con, level, period.first, codes=missing):
                out[d.area_code] = Denominator(d.population, "residents",
                                               f"all residents, from {population_words(d.source, level)}, "
                                               f"{d.period:%Y}: no estimate of female residents is loaded for "
                                               "this area")
    return out


def _rate(count: int, d: Denominator | None, months: int) -> float | None:
    if d is None or d.population <= 0 or months == 0:
        return None
    return count / d.population * 1000 * 12 / months


# ---- outcomes -------------------------------------------------------------------------


def outcomes(con: duckdb.DuckDBPyConnection, column: str, code: str, months: list[date], *,
             aggregated: bool = False) -> list[dict]:
    """police.uk "Violence and sexual offences" crimes by latest outcome, with Wilson 95% intervals.

    A crime's outcome is its latest row in the outcomes files (by Crime ID) where one is
    loaded, else the street file's last outcome category: the same rule as every profile.
    ``column`` is ``force``, ``borough_code`` or ``ward_code``; ``aggregated`` reads the
    store's ``vso_outcome_counts`` (the same counts, aggregated once per lake state).
    """
    if aggregated:
        rows = con.execute(
            f"""SELECT outcome, sum(n)::BIGINT, (sum(n) FILTER (WHERE linked))::BIGINT
                FROM vso_outcome_counts WHERE {column} = ? AND month IN (SELECT unnest(?::DATE[]))
                GROUP BY 1""", [code, months]).fetchall()
        rows = [(outcome, n, linked or 0) for outcome, n, linked in rows]
    else:
        rows = con.execute(
            f"""WITH last_outcome AS (
                    SELECT crime_id, arg_max(outcome_type, {latest_outcome_key_sql('outcome_type', 'month')}) AS outcome_type
                    FROM outcomes GROUP BY crime_id)
                SELECT coalesce(o.outcome_type, nullif(c.last_outcome_category, '')) AS outcome,
                       count(*)::BIGINT, count(o.outcome_type)::BIGINT
                FROM crimes_geo c LEFT JOIN last_outcome o ON c.crime_id = o.crime_id
                WHERE c.crime_type = ? AND c.{column} = ? AND c.month IN (SELECT unnest(?::DATE[]))
                GROUP BY 1""", [POLICE_UK_TYPE, code, months]).fetchall()
    total = sum(n for _, n, _ in rows)
    out = []
    for outcome, n, linked in sorted(rows, key=lambda r: (-r[1], r[0] or "")):
        lo, hi = wilson_interval(int(n), total)
        group = outcome_group(outcome)
        out.append({"outcome": outcome or "No outcome recorded", "group": LABELS[group], "crimes": int(n),
                    "share": n / total, "share_low_95": lo, "share_high_95": hi,
                    "from_outcomes_file": int(linked)})
    return out


def _outcome_months(con, column: str, code: str, period: Period | None, aggregated: bool = False) -> list[date]:
    if period is not None:
        return [period.shift(i).first for i in range(period.months)]
    if aggregated:
        got = [r[0] for r in con.execute(
            f"SELECT DISTINCT month FROM vso_outcome_counts WHERE {column} = ? ORDER BY 1 DESC LIMIT 12",
            [code]).fetchall()]
    else:
        got = [r[0] for r in con.execute(
            f"SELECT DISTINCT month FROM crimes_geo WHERE crime_type = ? AND {column} = ? ORDER BY 1 DESC LIMIT 12",
            [POLICE_UK_TYPE, code]).fetchall()]
    return sorted(got)


# ---- the figure -----------------------------------------------------------------------


def _period(months_held: list[date], first: str | None, last: str | None) -> Period:
    end = parse_month(last) if last else months_held[-1]
    start = parse_month(first) if first else Period(end, end).shift(-11).first
    if start > end:
        from openbeat.analytics.store import BadPeriod

        raise BadPeriod(f"the period starts ({start:%Y-%m}) after it ends ({end:%Y-%m})")
    return Period(start, end)


def vawg(store: Store, code: str, first: str | None = None, last: str | None = None) -> Result:
    """Rape, other sexual offences, stalking and harassment in a ward, borough or the Met.

    Counts by month and over the period, rates, change against a year earlier, a funnel
    comparison with the area's peers, and police.uk outcomes of violence and sexual offences.
    """
    con = store.cursor()
    area = find_area(con, code)
    asked = (first, last) if (first or last) else None
    notes = [CAVEAT]
    tables: dict[str, list[dict]] = {}
    summary: dict = {}
    sources: list[str] = []
    period = None
    in_file = area is not None
    if area is None:
        try:
            found = store.area(code)
        except UnknownArea:
            raise UnknownArea(f"no ward, borough or force with code {code!r} is loaded") from None
        area = VawgArea(found.code, found.name, found.level, found.borough_code)
        in_file = found.level == "force" and _file_is_the_forces(store, con, found.code)
    if not in_file:
        notes.append(f"The ward-level recorded crime file holds no counts for {area.name}"
                     + ("" if has_ward_crime(con) else " (it is not loaded: `openbeat reference load` a copy of the "
                        "London Datastore's \"MPS Ward Level Crime\")")
                     + "; rape, other sexual offences and stalking and harassment cannot be shown here.")
    else:
        counts, held = monthly(con, area)
        period = _period(held, first, last)
        months = [period.shift(i).first for i in range(period.months)]
        counted = [m for m in months if m in held]
        before = period.shift(-12)
        pairs = [(m, b) for m, b in zip(months, [before.shift(i).first for i in range(before.months)])
                 if m in held and b in held]
        den = denominators(con, area.level, [area.code], period).get(area.code)
        tables["by_offence"] = _offence_rows(counts, counted, pairs, den)
        tables["by_month"] = [{"month": f"{m:%Y-%m}", **{k: counts.get((m, k), 0) for k, *_ in OFFENCES},
                               "total": sum(counts.get((m, k), 0) for k, *_ in OFFENCES)} for m in counted]
        total = sum(r["count"] for r in tables["by_offence"])
        change = compare_counts(sum(r["count_year_earlier"] for r in tables["by_offence"]),
                                sum(r["count_same_months"] for r in tables["by_offence"]),
                                label1="the same months a year earlier", label2="these months") if pairs else None
        summary.update({
            "total": total, "months_counted": len(counted),
            "rate_per_1000": _rate(total, den, len(counted)),
            "rate_basis": f"per 1,000 {den.basis} per year" if den else None,
            "denominator": den.population if den else None,
            "denominator_source": den.source if den else "no population loaded",
            "change": ({**change.as_dict(), "summary": f"{change.summary} {CAVEAT}"} if change else None),
        })
        if area.level != "ward" and con.execute(
                f"SELECT bool_or(aviation_security) FROM ward_crime WHERE {area.where}", [area.code]).fetchone()[0]:
            notes.append("Heathrow Villages, which the file places under the Met's aviation command (\"Aviation "
                         "Security (SO18)\"), is counted in Hillingdon, where the ward lies.")
        if len(counted) < len(months):
            notes.append(f"The file does not hold {len(months) - len(counted)} month(s) of {period.label()}; "
                         "they are left out, not counted as zero.")
        if pairs:
            notes.append(f"Change compares the {len(pairs)} month(s) of {period.label()} the file holds with the "
                         "same months a year earlier, offence by offence (Poisson E-test, Wheeler's z).")
        else:
            notes.append(f"The file does not hold the months a year before {period.label()}, so no change is "
                         "tested; it holds " + _span(held) + ".")
        if den is None:
            notes.append("No population is loaded for this area, so no rate is given.")
        elif den.basis == "female residents":
            notes.append(f"Rates are per 1,000 female residents per year ({den.source}). Men and boys are victims "
                         "of these offences too; the female population is the denominator because most victims "
                         "are women and girls.")
        else:
            notes.append(f"Rates are per 1,000 residents per year, not per female resident: {den.source}.")
        tables["peers"], peer_note, peer_basis = _peers(con, area, counted, period)
        if peer_note:
            notes.append(peer_note)
        # the peers' own units: per female resident even where this area's rate is per resident
        summary["peers_rate_basis"] = f"per 1,000 {peer_basis} per year" if peer_basis else None
        sources.append("London Datastore, MPS Ward Level Crime (most recent 24 months): "
                       + ", ".join(sorted({r[0] for r in con.execute("SELECT DISTINCT file FROM ward_crime")
                                   .fetchall()})))
    tables["outcomes"], outcome_notes, out_period = _outcomes(store, con, area, period if asked else None)
    notes += outcome_notes
    summary["outcomes_period"] = out_period
    tables["hotspots"], summary["hotspots"], hot_note = _hotspots(store, area, out_period)
    notes.append(hot_note)
    return Result(
        method="vawg",
        title=f"Violence against women and girls in {area.name}"
              + (f", {period.label()}" if period else ""),
        summary=summary, tables=tables,
        area={"code": area.code, "name": area.name, "level": area.level},
        period=({"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months}
                if period else None),
        sources=sources + (store.police_sources("crimes") + store.police_sources("outcomes")
                           if tables["outcomes"] else []),
        notes=notes,
    )


def _file_is_the_forces(store: Store, con, force: str) -> bool:
    """Whether the ward file covers ``force``: every borough it counts is one where the force places crimes."""
    if not has_ward_crime(con) or not store.has("crime_counts"):
        return False
    file_boroughs = {b for (b,) in con.execute(
        "SELECT DISTINCT borough_code FROM ward_crime WHERE borough_code IS NOT NULL").fetchall()}
    force_boroughs = {b for (b,) in con.execute(
        "SELECT DISTINCT borough_code FROM crime_counts WHERE force = ? AND geo_status = 'ok'", [force]).fetchall()}
    return bool(file_boroughs) and file_boroughs <= force_boroughs


def _offence_rows(counts, counted, pairs, den) -> list[dict]:
    rows = []
    for k, label, *_ in OFFENCES:
        c = sum(counts.get((m, k), 0) for m in counted)
        c2 = sum(counts.get((m, k), 0) for m, _ in pairs)
        c1 = sum(counts.get((b, k), 0) for _, b in pairs)
        ch = compare_counts(c1, c2, label1="the same months a year earlier", label2="these months") if pairs else None
        rows.append({
            "offence": label, "count": c, "rate_per_1000": _rate(c, den, len(counted)),
            "rate_basis": den.basis if den else None,
            "count_same_months": c2 if pairs else None, "count_year_earlier": c1 if pairs else None,
            "ratio": ch.ratio if ch else None, "p_value": ch.p_value if ch else None,
            "direction": ch.direction if ch else "not tested",
            "verdict": (f"{label}: {ch.summary} {CAVEAT}" if ch else
                        f"{label}: not tested (the file lacks the months a year earlier). {CAVEAT}"),
        })
    return rows


def _peers(con, area: VawgArea, months: list[date], period: Period) -> tuple[list[dict], str, str | None]:
    """Wards of the area's borough, or boroughs of the force, inside funnel limits; the note
    (how many are compared, which are left out and why) and the rates' basis."""
    if not months:  # no rate of any area over months the file does not hold: every one would read 0
        return [], f"No peers are compared: the file holds none of the months of {period.label()}.", None
    if area.level == "ward" and area.borough_code:
        level, within = "ward", area.borough_code
    else:
        level, within = "borough", None
    counts = counts_by_area(con, level, months, within)
    names = dict(con.execute(
        f"SELECT {'ward_code, any_value(ward_name)' if level == 'ward' else 'borough_code, mode(borough_name) FILTER (WHERE NOT aviation_security)'} "
        f"FROM ward_crime WHERE {'ward_code' if level == 'ward' else 'borough_code'} IS NOT NULL "
        + ("AND borough_code = ? " if within else "") + "GROUP BY 1", [within] if within else []).fetchall())
    members = sorted(set(names) | set(counts))  # every ward (borough) the file holds, offences or none
    dens = denominators(con, level, members, period)
    codes = [c for c in members if c in dens and dens[c].population > 0]
    if len(codes) < 3:
        return [], f"Too few {level}s with a population loaded ({len(codes)}) for a funnel comparison.", None
    bases = {dens[c].basis for c in codes}
    if len(bases) > 1:  # never put female and all-resident rates on one funnel
        codes = [c for c in codes if dens[c].basis == "female residents"]
    left_out = {c: ("female population not loaded" if c in dens and dens[c].population > 0 else
                    "no population loaded") for c in members if c not in codes}
    years = len(months) / 12
    totals = [sum(counts.get(c, {}).values()) for c in codes]  # a ward with no offences counts 0
    f = funnel(totals, [dens[c].population * years for c in codes], labels=codes, per=1000.0, overdispersion=True)
    rows = []
    for r in f.areas.to_dict("records"):
        rows.append({"code": r["area"], "name": names.get(r["area"], r["area"]), "count": int(r["count"]),
                     "population": dens[r["area"]].population, "rate_per_1000": r["rate"],
                     "lower_95": r["lower_95"], "upper_95": r["upper_95"], "lower_998": r["lower_998"],
                     "upper_998": r["upper_998"], "classification": r["classification"],
                     "this_area": r["area"] == area.code})
    rows.sort(key=lambda r: -r["rate_per_1000"])
    if area.code in left_out:  # the area itself stays in its own table, without a rate
        rows.append({"code": area.code, "name": names.get(area.code, area.name),
                     "count": sum(counts.get(area.code, {}).values()), "population": None, "rate_per_1000": None,
                     "lower_95": None, "upper_95": None, "lower_998": None, "upper_998": None,
                     "classification": f"no rate: {left_out[area.code]}", "this_area": True})
    if level == "ward":
        borough = con.execute("SELECT mode(borough_name) FILTER (WHERE NOT aviation_security) FROM ward_crime "
                              "WHERE borough_code = ?", [within]).fetchone()[0]
        what = f"wards of {borough or within}"
    else:
        what = "boroughs in the ward file"
    basis = next(iter({dens[c].basis for c in codes}))
    compared = (f"all {len(codes)} {what}" if not left_out else f"{len(codes)} of the {len(members)} {what}")
    note = (f"Peers: {compared} are compared, rape, other sexual offences and stalking and harassment together per "
            f"1,000 {basis} per year, with funnel limits "
            + ("widened for overdispersion" if f.overdispersed else "for chance alone")
            + f" (phi = {f.phi:.2f}). An area above the limits has more recorded offences than its size explains; "
            + "that can mean more offending or more victims reporting, and the data cannot tell which.")
    if left_out:
        why = "; ".join(f"{names.get(c, c)} ({reason})" for c, reason in sorted(
            left_out.items(), key=lambda kv: names.get(kv[0], kv[0])))
        note += (f" Left out, because a rate per 1,000 {basis} cannot be worked out for them: {why}"
                 + ("; a rate per resident would not compare like with like." if basis == "female residents" else ".")
                 )
    return rows, note, basis


def _outcomes(store: Store, con, area: VawgArea, period: Period | None) -> tuple[list[dict], list[str], str | None]:
    column = {"ward": "ward_code", "borough": "borough_code", "force": "force"}[area.level]
    aggregated = store.has("vso_outcome_counts")
    months = _outcome_months(con, column, area.code, period, aggregated)
    rows = outcomes(con, column, area.code, months, aggregated=aggregated) if months else []
    if not rows:
        return [], [f"police.uk holds no violence and sexual offences crimes placed in {area.name}"
                    + (f" in {period.label()}" if period else "")
                    + ", so no outcomes are shown (the Met's street files in the lake may be a burglary-only "
                    "subset)."], None
    label = f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}"
    n = sum(r["crimes"] for r in rows)
    linked = sum(r["from_outcomes_file"] for r in rows)
    notes = [
        f"Outcomes: the {n:,} police.uk \"Violence and sexual offences\" crimes placed here in {label} "
        f"(police.uk does not split rape or stalking from other violence), by latest outcome; {linked:,} from the "
        "outcomes files, the rest from the street files' last outcome category. Intervals are Wilson 95%.",
        "police.uk does not publish the Home Office's \"evidential difficulties: victim does not support action\" "
        "outcomes separately: they are among \"Unable to prosecute suspect\" and \"Investigation complete; no "
        "suspect identified\". Recent crimes are often still \"Under investigation\", so charge shares for the "
        "latest months will rise.",
    ]
    return rows, notes, label


#: Hot spot cells listed in the result (the busiest by Gi* z); the API's hotspots figure has them all.
HOTSPOT_ROWS = 10


def _hotspots(store: Store, area: VawgArea, out_period: str | None) -> tuple[list[dict], dict | None, str]:
    """Gi* hot spots of police.uk violence and sexual offences over the outcomes' months, and concentration."""
    from openbeat.analytics.hotspots import hotspots

    if out_period is None:
        return [], None, f"No hot spots: police.uk holds no located violence and sexual offences here. {NO_TIME_OF_DAY}"
    first, last = out_period.split(" to ")
    try:
        hot = hotspots(store, area.code, first, last, crime_type=POLICE_UK_TYPE)
    except (ValueError, UnknownArea) as exc:  # no boundary, too few cells, months not published
        return [], None, f"No hot spots: {exc}. {NO_TIME_OF_DAY}"
    s = hot.summary
    top = s["share_of_crime_in_top_5pct_of_cells"]
    rows = [r for r in hot.tables["cells"] if r["class"].startswith("hot")][:HOTSPOT_ROWS]
    summary = {k: s[k] for k in ("unit", "cells", "crimes_mapped", "hot_99", "hot_95",
                                 "share_of_crime_in_top_5pct_of_cells", "share_of_cells_holding_half_of_crime")}
    note = (f"Hot spots of police.uk violence and sexual offences, {out_period}: {s['hot_95'] + s['hot_99']} of "
            f"{s['cells']:,} {s['unit']} are hot spots (Gi*, false discovery rate 5%)"
            + (f"; the busiest 5% of cells hold {top:.0%} of these crimes" if top is not None else "")
            + f". {NO_TIME_OF_DAY}")
    return rows, summary, note


def _span(months: list[date]) -> str:
    return f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}" if months else "no months"
