"""The progress scorecard: trust, crime and standards for every borough and ward, in public.

One row per borough and per ward of a force (or of one borough), each figure with its
interval or its test, from the same methods the rest of the platform uses:

* **more trust** — the Public Attitude Survey figure (boroughs; wards borrow their
  borough's unless the platform's own surveys give a shrunk ward estimate), its interval
  and its change over a year (descriptive: the PAS publishes no sample sizes);
* **less crime** — crimes and harm (days, after the Cambridge Crime Harm Index) per 1,000
  residents, and the change in crimes against the same months a year earlier with the
  Poisson E-test and Wheeler's z;
* **high standards** — stop and search: the Black/White disproportionality ratio with its
  Katz interval (boroughs: Census ethnicity exists by borough only), the find rate
  (boroughs, where the force records what searches found) and the arrest rate, each its
  own measure (``find_*``, ``arrest_*``) with Wilson intervals; ``standards_*`` is the older
  single choice (the find rate, else the arrest rate), kept for existing readers;
* **engagement** — left empty here: it comes from the app database's own records
  (``openbeat.events.engagement``), which change without the lake, so the web page fetches
  it apart from this lake-state answer.
"""

from __future__ import annotations

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.coverage import Coverage, spans
from openbeat.analytics.profiles import _compare, previous_like, sources
from openbeat.analytics.result import Result
from openbeat.analytics.stopsearch import stop_search
from openbeat.analytics.store import Area, Store
from openbeat.analytics.targeting import populations
from openbeat.analytics.trust import DEFAULT_MEASURE, area_trust
from openbeat.stats.disproportionality import wilson_interval


def scorecard(store: Store, code: str, first: str | None = None, last: str | None = None, *,
              measure: str = DEFAULT_MEASURE, responses=None, force: str | None = None) -> Result:
    """The scorecard of a force (all its boroughs and wards) or of one borough (it and its wards).

    ``force`` (a slug) counts only that force's crimes, e.g. the Met's apart from British
    Transport Police's, so its wards compare every month it published.
    """
    area = store.area(code)
    if area.level not in ("force", "borough"):
        raise ValueError(f"a scorecard covers a force or a borough; {area.name} is a {area.level}")
    cov = Coverage(store)
    period = cov.area_period(area, first, last)
    cov.require(area, period)
    before = previous_like(period)
    boroughs = [area] if area.level == "borough" else store.areas("borough", within=area.code)
    wards = store.areas("ward", within=area.code)
    if not boroughs:
        raise ValueError(f"no boroughs are loaded for {area.name}: run `openbeat reference load` first")

    if force is not None:
        found = store.area(force)
        if found.level != "force":
            raise ValueError(f"{force!r} is not a force; give a force slug such as metropolitan or btp")
        force = found.code
    rows = {"boroughs": _rows(store, boroughs, period, before, measure, responses, force),
            "wards": _rows(store, wards, period, before, measure, responses, force)}
    _standards(store, rows["boroughs"], boroughs, period)
    _ward_standards(store, rows["wards"], period)
    # Many wards, each tested: at p < 0.05 about one in twenty passes the E-test by chance alone,
    # so a ward counts as up or down only when Wheeler's z agrees (|z| > 3), the rule the
    # platform keeps for many comparisons at once (openbeat.stats.change).
    down = sum(1 for r in rows["wards"] if r["crime_shift"] == "down")
    up = sum(1 for r in rows["wards"] if r["crime_shift"] == "up")
    unknown = sum(1 for r in rows["wards"] if r["crime_change"] == "not comparable")
    e_test_only = sum(1 for r in rows["wards"] if r["crime_change"] in ("up", "down") and r["crime_shift"] is None)
    summary = {
        "boroughs": len(boroughs), "wards": len(wards), "trust_measure": measure,
        "wards_crime_down": down, "wards_crime_up": up,
        "wards_no_significant_change": len(wards) - down - up - unknown - e_test_only,
        "wards_e_test_only": e_test_only,
        "false_alarms_expected": round(0.05 * (len(wards) - unknown), 2),
        "comparison_period": before.label(),
        "wards_not_comparable": unknown,
        "wards_compared_on_fewer_months": sum(1 for r in rows["wards"]
                                              if 0 < r["months_compared"] < period.months),
    }
    search_forces = cov.own_forces(area, "stop_searches") if cov.forces_of(area, "stop_searches") else []
    search_gaps = cov.gaps_sentence(search_forces, period, dataset="stop_searches")
    summary["stop_search_months_missing"] = search_gaps or None
    notes = [
        f"Trust is the Public Attitude Survey's '{measure}' (share agreeing); its interval assumes the "
        "PAS's typical interviews per borough, and its change over a year is descriptive.",
        "Crime excludes anti-social behaviour; harm is in days of imprisonment per crime (a category-level "
        "approximation after the Cambridge Crime Harm Index). Change compares crimes with the same months a year "
        "earlier (Poisson E-test; Wheeler's z flags shifts beyond ±3); 'no significant change' means the data "
        "cannot tell a rise or fall from chance.",
        f"With {len(wards) - unknown} wards each tested, about {0.05 * (len(wards) - unknown):.1f} would pass the "
        "E-test (p < 0.05) by chance alone, so a ward is counted as up or down only when Wheeler's z is beyond ±3 "
        "as well: a clear shift. A ward whose E-test alone passes is shown as such, not counted.",
        "Coverage: a row's change compares only months every force with crimes there (British Transport "
        "Police included) published in both periods; 'not comparable' names the force and months missing. "
        "Rates are per month the area's own force published.",
        "Stop and search: the Black/White ratio uses Census 2021 ethnicity, which exists by borough only; the "
        "find rate is shown where the force records whether the outcome was linked to the object of the "
        "search, else the arrest rate.",
        "Engagement (meetings held, residents' priorities adopted, feedback) is filled in by the community "
        "features.",
    ]
    if search_gaps:
        notes.append(f"Stop and search: {search_gaps}; search counts cover only the months published, and the "
                     "ratios and rates, which do not depend on the number of months, use those months.")
    if force:
        notes.insert(0, f"Crime counts only {cov.force_name(force)}'s crimes.")
    return Result(
        method="scorecard",
        title=f"Progress scorecard: {area.name}" + (f" ({cov.force_name(force)}'s crimes)" if force else "")
        + f", {period.label()}",
        summary=summary,
        tables=rows,
        area={"code": area.code, "name": area.name, "level": area.level},
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=sources(store),
        notes=notes,
    )


def _rows(store: Store, areas: list[Area], period, before, measure, responses, force=None) -> list[dict]:
    """One row per area; crime change only over month pairs every force with crimes there published."""
    if not areas:
        return []
    level = areas[0].level
    codes = [a.code for a in areas]
    cov = Coverage(store)
    by_month = counts_by_area_month(store, level, codes, before.first, period.last, force)
    pops = populations(store, level, codes, period)
    trust_now = _trust(store, areas, period, measure, responses)
    trust_then = _trust(store, areas, period.shift(-12), measure, responses)
    out = []
    for a in areas:
        forces = [force] if force else (cov.forces_of(a) or cov.own_forces(a))
        months = cov.complete_months([force] if force else cov.own_forces(a), period)
        pairs = cov.pairs(forces, period, before)
        rows_a = by_month.get(a.code, {})
        c_now: dict[str, int] = {}
        for (m, ct), n in rows_a.items():
            if period.first <= m <= period.last:
                c_now[ct] = c_now.get(ct, 0) + n
        h = harm_lib.harm_of_counts(c_now)
        cmp_now = sum(n for (m, ct), n in rows_a.items() if ct != harm_lib.ASB and m in {p[0] for p in pairs})
        cmp_then = sum(n for (m, ct), n in rows_a.items() if ct != harm_lib.ASB and m in {p[1] for p in pairs})
        pop = pops.get(a.code)
        years = len(months) / 12
        t, t0 = trust_now[a.code], trust_then[a.code]
        row = {
            "code": a.code, "name": a.name, "borough_code": a.borough_code if a.level == "ward" else a.code,
            "trust": t.value, "trust_low": t.low, "trust_high": t.high, "trust_source": t.source,
            "trust_change": None if t.value is None or t0.value is None else t.value - t0.value,
            "crimes": h.crimes, "crimes_per_1000": h.crimes / pop * 1000 / years if pop and years else None,
            "harm_days": h.harm_days, "harm_per_1000": h.harm_days / pop * 1000 / years if pop and years else None,
            "forces": ", ".join(cov.force_name(f) for f in forces),
            "months_compared": len(pairs),
            "crimes_compared": cmp_now if pairs else None,
            "crimes_previous_year": cmp_then if pairs else None,
        }
        if pairs:
            label_now = period.label() if len(pairs) == period.months else spans([p[0] for p in pairs])
            label_then = before.label() if len(pairs) == period.months else spans([p[1] for p in pairs])
            ch = _compare(cmp_then, cmp_now, label_then, label_now)
            row.update(crime_change=ch.direction, crime_change_p=ch.p_value, crime_change_wheeler_z=ch.z,
                       crime_shift=ch.direction if ch.flag and ch.direction in ("up", "down") else None,
                       crime_ratio=ch.ratio, crime_change_note=None if len(pairs) == period.months else
                       f"over {label_now} only: {cov.gaps_sentence(forces, before, period)}")
        else:
            row.update(crime_change="not comparable", crime_change_p=None, crime_change_wheeler_z=None,
                       crime_shift=None,
                       crime_ratio=None, crime_change_note=cov.gaps_sentence(forces, before, period)
                       or "no crimes recorded")
        row.update(black_white_ratio=None, ratio_low=None, ratio_high=None, searches=None,
                   standards_measure=None, standards_rate=None, standards_low=None, standards_high=None,
                   find_rate=None, find_low=None, find_high=None, find_note=None,
                   arrest_rate=None, arrest_low=None, arrest_high=None, engagement=None)
        out.append(row)
    return out


def counts_by_area_month(store: Store, level: str, codes: list[str], first, last,
                         force: str | None = None) -> dict[str, dict]:
    """{area code: {(month, crime type): crimes}} where police.uk places them, any force (or ``force``'s)."""
    col = {"ward": "ward_code", "borough": "borough_code", "lsoa21": "lsoa21_code"}[level]
    out: dict[str, dict] = {c: {} for c in codes}
    for code, m, ct, n in store.cursor().execute(
            f"SELECT {col}, month, crime_type, sum(n)::BIGINT FROM crime_counts WHERE {col} IN "
            f"(SELECT unnest(?::VARCHAR[])) AND month BETWEEN ? AND ? AND (?::VARCHAR IS NULL OR force = ?) "
            "GROUP BY ALL", [codes, first, last, force, force]).fetchall():
        out[code][(m, ct)] = int(n)
    return out


def _trust(store: Store, areas: list[Area], period, measure, responses):
    if responses is not None:  # a table of responses is not a key: compute afresh
        return area_trust(store, areas, period, measure=measure, responses=responses)
    key = ("area-trust", tuple(a.code for a in areas), period, measure)
    return store.memo(key, lambda: area_trust(store, areas, period, measure=measure))


def _standards(store: Store, rows: list[dict], boroughs: list[Area], period) -> None:
    for row, b in zip(rows, boroughs):
        first, last = f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"
        try:  # the same figures as the borough's stop-and-search page, computed once per lake state
            s = store.memo(("stop-search", b.code, first, last), lambda: stop_search(store, b.code, first, last)).summary
        except (ValueError, LookupError):
            continue
        ratio = s.get("black_white_ratio") or {}
        row.update(searches=s.get("searches"), black_white_ratio=ratio.get("ratio"),
                   ratio_low=ratio.get("ratio_low"), ratio_high=ratio.get("ratio_high"))
        find, arrest = s.get("find_rate") or {}, s.get("arrest_rate") or {}
        chosen, name = (find, "find rate") if find.get("status") == "ok" else (arrest, "arrest rate")
        row.update(standards_measure=name, standards_rate=chosen.get("value"), standards_low=chosen.get("low"),
                   standards_high=chosen.get("high"))
        _find_and_arrest(row, s)


def _find_and_arrest(row: dict, summary: dict) -> None:
    """One measure a column, as the area's stop-and-search page gives them: the find rate where
    the force records what searches found, and the arrest rate."""
    find, arrest = summary.get("find_rate") or {}, summary.get("arrest_rate") or {}
    if find.get("status") == "ok":
        row.update(find_rate=find.get("value"), find_low=find.get("low"), find_high=find.get("high"))
    elif find.get("status"):
        row["find_note"] = find["status"]
    if arrest.get("status") == "ok":
        row.update(arrest_rate=arrest.get("value"), arrest_low=arrest.get("low"), arrest_high=arrest.get("high"))


def _ward_standards(store: Store, rows: list[dict], period) -> None:
    """Wards: searches and the arrest rate (ratios need borough-level Census ethnicity)."""
    if not rows:
        return
    counts = {code: (n, arrests) for code, n, arrests in store.cursor().execute(
        "SELECT ward_code, sum(n)::INTEGER, sum(n) FILTER (WHERE outcome = 'Arrest')::INTEGER "
        "FROM stop_search_counts WHERE month BETWEEN ? AND ? GROUP BY 1", [period.first, period.last]).fetchall()}
    first, last = f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"
    for row in rows:
        n, arrests = counts.get(row["code"], (0, 0))
        row["searches"] = n
        if n:
            lo, hi = wilson_interval(arrests or 0, n)
            row.update(standards_measure="arrest rate", standards_rate=(arrests or 0) / n,
                       standards_low=lo, standards_high=hi)
            try:  # the find and arrest rates the ward's own page gives, computed once per lake state
                s = store.memo(("stop-search", row["code"], first, last),
                               lambda code=row["code"]: stop_search(store, code, first, last)).summary
            except (ValueError, LookupError):
                continue
            _find_and_arrest(row, s)
