"""Analytics results as what a page shows: charts with their table alternatives, and data links.

Presentation only: every number comes from a :class:`~openbeat.analytics.result.Result`
(through :mod:`openbeat.areas.area_figures`); here it is put in a table, given a picture whose
spec URL serves the same rows from the API, and linked to as CSV and JSON.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from openbeat.analytics import wording
from openbeat.analytics.result import Result, jsonable
from openbeat.areas import area_figures, maps
from openbeat.areas.area_figures import AreaFigures
from openbeat.areas.lookup import ListedArea
from openbeat.web.charts import Chart, Column, DataLink, Table

HOTSPOT_ROWS = 20


def _api(name: str, code: str | None = None, **params) -> str:
    url = reverse(f"api:{name}", kwargs={"code": code} if code else None)
    params = {k: v for k, v in params.items() if v is not None}
    return f"{url}?{urlencode(params)}" if params else url


def _spec(area: ListedArea, name: str, period: dict | None = None) -> str:
    """A chart spec URL; ``period`` (``from``/``to``) is carried into the API URL the spec fetches."""
    url = reverse("areas:chart_spec", kwargs={"code": area.code, "name": name})
    return f"{url}?{urlencode(period)}" if period else url


def links(json_url: str, *, table: str | None = None, geojson: bool = False) -> list[DataLink]:
    """CSV and JSON links for one table of a result (or the whole result)."""
    sep = "&" if "?" in json_url else "?"
    out = [DataLink("CSV", f"{json_url}{sep}format=csv" + (f"&table={table}" if table else ""))]
    out.append(DataLink("GeoJSON" if geojson else "JSON", json_url + (f"{sep}table={table}" if table else "")))
    return out


#: Notes said beside a chart, not only in the collapsed notes: what limits the figure.
CAVEATS = ("Trust does not separate", "wards have no survey responses", "Limits drawn", "Rates count only",
           "Change compares only", "No change is given", "Outcome shares leave out")


def caveats(result: Result) -> str:
    """The result's notes on coverage, borrowed trust and limits drawn, for the chart's own note."""
    return " ".join(n for n in result.notes if any(c in n for c in CAVEATS))


def source_note(result: Result) -> str:
    return "Sources: " + "; ".join(result.sources) + "." if result.sources else ""


# ---- less crime ------------------------------------------------------------------------


def trend_chart(area: ListedArea, trend: Result, chosen: dict | None = None) -> Chart:
    """Every month the lake holds; only the chosen months when a period is chosen (``chosen``: from/to)."""
    rows = area_figures.monthly_counts(trend)
    if chosen:
        rows = [r for r in rows if chosen.get("from", "0000-00") <= r["month"] <= chosen.get("to", "9999-99")]
        period = {"from": rows[0]["month"], "to": rows[-1]["month"]} if rows else {}
    else:
        period = trend.period or {}
    api = _api("area_crimes_by_month", area.code, **(chosen or {}))
    sep = "&" if "?" in api else "?"
    total = sum(r["crimes"] or 0 for r in rows)
    return Chart(
        id="crimes-by-month",
        title="Recorded crime, month by month",
        description=(f"Line chart of recorded crimes in {area.name} each month from {period_words(period)}: {total:,} "
                     "crimes in all, with anti-social behaviour shown apart."),
        spec_url=_spec(area, "crimes-by-month", chosen),
        table=Table(
            caption=f"Recorded crimes in {area.name}, by month, each against the same month a year earlier",
            columns=[Column("month", "Month", format="month"), Column("crimes", "Crimes", True),
                     Column("anti_social_behaviour", "Anti-social behaviour", True),
                     Column("count_year_before", "Crimes a year earlier", True),
                     Column("yoy_label", "Change on a year earlier"),
                     Column("rolling_label", "12 months to here against the 12 before")],
            rows=[{**r, "yoy_label": _direction(r["yoy_direction"], r["yoy_p_value"], c1=r["count_year_before"],
                                                c2=r["crimes"]),
                   "rolling_label": _direction(r["rolling_direction"], r["rolling_p_value"], c1=r["rolling_12_before"],
                                               c2=r["rolling_12"])} for r in rows],
        ),
        data_links=[DataLink("CSV", _csv(api, limit=1000)), DataLink("JSON", f"{api}{sep}limit=1000")],
        note=("Crimes police.uk placed in this area. A month the force did not publish is left blank. "
              "Changes are tested with the Poisson E-test (Krishnamoorthy & Thomson 2004); 'no significant "
              "change' means the counts cannot tell a rise or fall from chance. " + source_note(trend)),
    )


def _csv(api: str, **params) -> str:
    """The ``.csv`` form of an API URL, keeping its query."""
    path, _, query = api.partition("?")
    extra = urlencode(params)
    query = "&".join(q for q in (query, extra) if q)
    return f"{path}.csv?{query}" if query else f"{path}.csv"


def period_words(period: dict | None) -> str:
    from openbeat.web.templatetags.openbeat_tags import period as words

    return words(period)


def _direction(direction: str | None, p: float | None, *, c1=None, c2=None, ratio=None) -> str:
    """A change in a table cell: its size first ("About 7% fewer"), then the p-value."""
    from openbeat.web.templatetags.openbeat_tags import direction as words, pvalue

    if ratio is None and c1 and c2 is not None:
        ratio = c2 / c1
    if direction in (None, "not comparable") or ratio is None:
        text = words(direction)
    else:
        text = wording.change_size({"direction": direction, "ratio": ratio, "c1": c1, "c2": c2})
    return f"{text} ({pvalue(p)})" if p is not None else text


def crime_type_table(profile: Result) -> Table:
    rows = []
    for r in profile.tables["by_crime_type"]:
        rows.append({**r, "change": _direction(r["direction"], r["p_value"], c1=r.get("count_previous_year"),
                                               c2=r.get("count_compared", r.get("count")), ratio=r.get("ratio"))})
    compared = profile.summary.get("compared")
    period = profile.period or {}
    partial = compared is not None and len(compared["months"]) < period.get("months", 0)
    caption = "Crimes by type, with the change on the same months a year earlier"
    if partial:
        caption += (f" (compared over {len(compared['months'])} of the {period['months']} months: those every "
                    "force counted here published in both years)")
    elif compared is None:
        caption += " (no change given: " + (profile.summary.get("change_declined") or "").removeprefix(
            "No change is given: ").rstrip(".") + ")"
    return Table(
        caption=caption,
        columns=[Column("crime_type", "Crime type"), Column("count", "Crimes", True),
                 Column("per_1000", "Per 1,000 residents a year", True),
                 Column("harm_days", "Harm (days)", True, "int")]
        + ([Column("count_compared", "In the months compared", True)] if partial else [])
        + [Column("count_previous_year", "A year earlier", True),
                 Column("ratio", "Rate ratio", True, "ratio"),
                 Column("wheeler_z", "Wheeler's z", True, "ratio"), Column("change", "Change on a year earlier")],
        rows=rows,
    )


def _area_word(level: str) -> str:
    """A table's heading for the areas in its rows, in plain words ("Ward", not a code name)."""
    return {"force": "Police force", "borough": "Borough", "ward": "Ward",
            "lsoa21": "Small area (LSOA)"}.get(level, "Area")


def area_map_chart(area: ListedArea, area_map: maps.AreaMap, chosen: dict | None = None) -> Chart | None:
    if not area_map.features:
        return None
    parts = {"ward": "its wards", "borough": "its boroughs", "lsoa21": "its small areas (LSOAs)"}.get(
        area_map.level, "the area")
    when = ""
    if area_map.period:
        when = period_words({"from": area_map.period[0], "to": area_map.period[1]})
    rows = sorted((f["properties"] for f in area_map.features), key=lambda p: (-(p["crimes"] or 0), p["name"]))
    api = _api("area_map", area.code, **(chosen or {}))
    return Chart(
        id="crime-map",
        title=f"Where crime was recorded, {when}" if when else "Map",
        description=(f"Map of {area.name} showing {parts}, shaded darker where more crimes were recorded from "
                     f"{when}." if when else f"Map of {area.name}."),
        spec_url=_spec(area, "crime-map", chosen),
        kind="map",
        table=Table(caption=f"Recorded crimes by area, {when}",
                    columns=[Column("name", _area_word(area_map.level)), Column("code", "Code"),
                             Column("crimes", "Crimes", True)],
                    rows=rows),
        data_links=[DataLink("CSV", _csv(api)), DataLink("GeoJSON", api)],
        note="Boundaries: Office for National Statistics, simplified for the web. Crimes exclude anti-social "
             "behaviour.",
    )


def hotspot_chart(area: ListedArea, hot: Result, chosen: dict | None = None) -> Chart:
    s = hot.summary
    cells = hot.tables["cells"]
    api = _api("area_hotspots", area.code, **(chosen or {}))
    sep = "&" if "?" in api else "?"
    shown = cells[:HOTSPOT_ROWS]
    when = period_words(hot.period)
    found = s["hot_99"] + s["hot_95"]
    return Chart(
        id="hotspot-map",
        title=f"Hot spots, {when}",
        description=(f"Map of {area.name} on a grid of {s['unit']}, each cell shaded by its number of crimes "
                     f"({s['crimes_mapped']:,} in all); {found} hot spot cell(s) are outlined in red and "
                     f"{s['cold_99'] + s['cold_95']} cold spot cell(s) in blue, after allowing for chance."),
        spec_url=_spec(area, "hotspot-map", chosen),
        kind="map",
        table=Table(
            caption=f"The grid cells most like a hot spot ({len(shown)} of {len(cells):,}, by Gi* z-score)",
            columns=[Column("cell_id", "Cell"), Column("count", "Crimes", True), Column("gi_z", "Gi* z", True, "ratio"),
                     Column("q", "Chance of a false alarm (q)", True, "ratio"), Column("class", "Class")],
            rows=shown,
            more=f"All {len(cells):,} cells are in the CSV." if len(cells) > len(shown) else "",
        ),
        data_links=[DataLink("CSV", f"{api}{sep}format=csv&table=cells"), DataLink("GeoJSON", api)],
        note=" ".join(hot.notes[:2]) + " " + source_note(hot),
    )


# ---- high standards ----------------------------------------------------------------------


def stop_search_chart(area: ListedArea, ss: Result, chosen: dict | None = None) -> Chart:
    rows = ss.tables["by_ethnicity"]
    api = _api("area_stop_search", area.code, **(chosen or {}))
    rates = any(r["rate_per_1000_per_year"] is not None for r in rows)
    cols = [Column("group", "Self-defined ethnicity"), Column("searches", "Searches", True)]
    if rates:
        cols += [Column("residents", "Residents", True, "int"),
                 Column("rate_per_1000_per_year", "Searches per 1,000 a year", True),
                 Column("rate_low", "95% interval from", True), Column("rate_high", "to", True),
                 Column("ratio", "Ratio to White", True, "ratio"), Column("ratio_low", "95% interval from", True, "ratio"),
                 Column("ratio_high", "to", True, "ratio")]
    cols.append(Column("note", "Note"))
    if rates:
        title, name = "Stop and search rates by ethnic group", "stop-search-rates"
        description = (f"Chart of searches per 1,000 residents a year in {area.name} for each self-defined ethnic "
                       "group, a dot for the rate and a line for its 95% interval.")
    else:
        title, name = "Searches by ethnic group", "stop-search-groups"
        description = (f"Bar chart of the number of searches in {area.name} by self-defined ethnic group. "
                       "Rates are not given for a ward: the Census gives ethnicity by borough only.")
    return Chart(
        id="stop-search", title=title, description=description, spec_url=_spec(area, name, chosen),
        table=Table(caption=f"Stop and search in {area.name} by self-defined ethnic group", columns=cols, rows=rows),
        data_links=links(api, table="by_ethnicity"),
        note=" ".join(ss.notes[:1]) + " " + source_note(ss),
    )


def object_table(ss: Result) -> Table:
    return Table(
        caption="Find and arrest rates by what the search was for",
        columns=[Column("object_of_search", "Object of search"), Column("searches", "Searches", True),
                 Column("find_rate", "Find rate", True, "pct"), Column("find_status", "Find outcome"),
                 Column("arrest_rate", "Arrest rate", True, "pct"), Column("arrest_low", "95% interval from", True, "pct"),
                 Column("arrest_high", "to", True, "pct")],
        rows=[{**r, "find_status": "recorded" if r["find_status"] == "ok" else r["find_status"]}
              for r in ss.tables["by_object_of_search"]],
    )


def _found(rows: list[dict]) -> list[dict]:
    """Rows with the find outcome's status in words ("recorded", "not recorded", "not published")."""
    return [{**r, "find_status": "recorded" if r.get("find_status") == "ok" else r.get("find_status")} for r in rows]


def stop_search_over_time(area: ListedArea, ss: Result, chosen: dict | None = None) -> dict:
    """Stop and search month by month, by the law used, by age and by gender: charts each with its table.

    The monthly Black/White ratio (Katz 95% interval) is drawn only where residents by
    ethnicity are known (forces, boroughs); a ward gets its monthly volume and a sentence.
    """
    api = _api("area_stop_search", area.code, **(chosen or {}))
    when = period_words(ss.period)
    monthly = ss.tables["monthly"]
    searches = sum(r["searches"] or 0 for r in monthly)
    month_cols = [Column("month", "Month", format="month"), Column("searches", "Searches", True),
                  Column("black", "Black", True), Column("white", "White", True)]
    out: dict = {"period": when}
    out["volume_chart"] = Chart(
        id="stop-search-monthly", title=f"Searches month by month, {when}",
        description=(f"Line chart of the number of stop and searches in {area.name} each month from {when}: "
                     f"{searches:,} in all. A month the force did not publish is left out."),
        spec_url=_spec(area, "stop-search-monthly", chosen),
        table=Table(caption=f"Stop and search in {area.name} by month, with find and arrest rates",
                    columns=month_cols + [Column("find_rate", "Find rate", True, "pct"),
                                          Column("find_status", "Find outcome"),
                                          Column("arrest_rate", "Arrest rate", True, "pct"),
                                          Column("arrest_low", "95% interval from", True, "pct"),
                                          Column("arrest_high", "to", True, "pct")],
                    rows=_found(monthly)),
        data_links=links(api, table="monthly"),
        note="Searches police.uk placed in this area. Arrest rates are of searches with an outcome recorded, "
             "with Wilson 95% intervals. " + source_note(ss),
    )
    if any(r["black_white_ratio"] is not None for r in monthly):
        out["ratio_chart"] = Chart(
            id="stop-search-ratio-monthly", title=f"Black/White ratio month by month, {when}",
            description=(f"Line chart of how many times more often Black residents than White residents of "
                         f"{area.name} were searched each month, in a shaded 95% interval, with a dashed line at "
                         "1 (searched equally often)."),
            spec_url=_spec(area, "stop-search-ratio-monthly", chosen),
            table=Table(caption=f"Black/White ratio of search rates in {area.name} by month",
                        columns=month_cols + [Column("black_white_ratio", "Ratio", True, "ratio"),
                                              Column("ratio_low", "95% interval from", True, "ratio"),
                                              Column("ratio_high", "to", True, "ratio")],
                        rows=monthly),
            data_links=links(api, table="monthly"),
            note="Rates per resident from Census 2021 ethnic groups; Katz log interval. A single month holds few "
                 "searches, so its interval is wide: read the months together, not one by one.",
        )
    else:
        out["ratio_declined"] = ("There is no month-by-month Black/White ratio here: the Census gives residents by "
                                 "ethnic group for boroughs, not wards, so there is nothing to divide by.")
    rate_cols = [Column("searches", "Searches", True), Column("arrest_rate", "Arrest rate", True, "pct"),
                 Column("arrest_low", "95% interval from", True, "pct"), Column("arrest_high", "to", True, "pct")]
    out["legislation"] = Table(
        caption=f"Searches by the law used, {when}: find and arrest rates",
        columns=[Column("legislation", "Law used"), Column("searches", "Searches", True),
                 Column("find_rate", "Find rate", True, "pct"), Column("find_status", "Find outcome")] + rate_cols[1:],
        rows=_found(ss.tables["by_legislation"]))
    out["age"] = Table(caption=f"Searches by age, {when}",
                       columns=[Column("age_range", "Age"), rate_cols[0], Column("share", "Share of searches", True,
                                                                                  "pct")] + rate_cols[1:],
                       rows=ss.tables.get("by_age_range", []))
    out["gender"] = Table(caption=f"Searches by gender, {when}",
                          columns=[Column("gender", "Gender"), rate_cols[0], Column("share", "Share of searches",
                                                                                     True, "pct")] + rate_cols[1:],
                          rows=ss.tables.get("by_gender", []))
    out["links"] = [DataLink(f"{label}, CSV", _api("area_stop_search", area.code, **(chosen or {}), table=t,
                                                   format="csv"))
                    for t, label in (("by_legislation", "By the law used"), ("by_age_range", "By age"),
                                     ("by_gender", "By gender"))]
    return out


# ---- more trust ------------------------------------------------------------------------


def force_wide(force: ListedArea | None) -> str:
    """What the survey's force-wide figure is called on this page (never "MPS-wide" for another force)."""
    return f"All of {force.name}".replace("'", "’") if force else "The whole force area"


def surveyed(series: Result, force: ListedArea | None) -> str:
    where = series.summary["area_surveyed"]
    return force_wide(force) if where == "MPS-wide" else where


def trust_chart(area: ListedArea, series: Result, force: ListedArea | None = None) -> Chart:
    measure = series.summary["measure"]
    rows = [r for r in series.tables["pas"] if r["measure"] == measure]
    p = series.period or {}
    api = _api("area_trust", area.code, **{"from": p.get("from"), "to": p.get("to")})
    where, wide = surveyed(series, force), force_wide(force)
    said = wording.measure_words(measure, force=force.name if force else "the police force")
    return Chart(
        id="trust-series",
        title=f"People who say {said}, quarter by quarter",
        description=(f"Line chart of the share of people in {where} who say {said}, each quarter, with the "
                     f"figure for {wide[:1].lower() + wide[1:]} beside it. The axis runs from 0% to 100%."),
        spec_url=_spec(area, "trust-series"),
        table=Table(caption=f"People in {where} who say {said}, by quarter",
                    columns=[Column("quarter", "Quarter"), Column("proportion", where, True, "pct0"),
                             Column("mps_proportion", wide, True, "pct0"),
                             Column("year_earlier", "A year earlier", True, "pct0")],
                    rows=[{**r, "quarter": wording.month(r["quarter"])} for r in rows]),
        data_links=links(api, table="pas"),
        note=(" ".join(series.notes[:2]).replace("MPS-wide", "force-wide") + " " + source_note(series)),
    )


def levels_table(trust: Result, force: ListedArea | None = None) -> Table:
    return Table(
        caption="Every survey measure: the latest quarter, with an indicative interval",
        columns=[Column("statement", "People who say"), Column("quarter", "Quarter"),
                 Column("level", "Share", True, "pct0"),
                 Column("low", "Indicative 95% interval from", True, "pct0"), Column("high", "to", True, "pct0"),
                 Column("mps_level", force_wide(force), True, "pct0"),
                 Column("change_on_year_points", "Change on a year (points, descriptive)", True)],
        rows=[{**r, "statement": wording.measure_words(r["measure"], force=force.name if force else "the police force"),
               "quarter": wording.month(r["quarter"])} for r in trust.tables["levels"]],
    )


def verdicts(area: ListedArea, figs: AreaFigures, force: ListedArea | None) -> dict[str, wording.Verdict]:
    """Each section's verdict in plain words, the test one click down (:mod:`openbeat.analytics.wording`)."""
    out: dict[str, wording.Verdict] = {}
    if figs.profile.ok:
        s = figs.profile.result.summary
        if s.get("change"):
            out["crime_change"] = wording.crime_change(s["change"])
        out["charged"] = wording.Verdict(wording.charged(s.get("charged_share")))
    if figs.hotspots.ok:
        out["hotspots"] = wording.hotspots(figs.hotspots.result.summary)
    if figs.stop_search.ok:
        s = figs.stop_search.result.summary
        out["stop_search"] = wording.disproportionality(s["black_white_ratio"], area_name=area.name, level=area.level,
                                                        borough=s.get("borough_black_white_ratio"))
    if figs.trust.ok:
        s = figs.trust.result.summary
        out["trust"] = wording.trust(s.get("level"), area_name=surveyed(figs.trust.result, force),
                                     force=force.name if force else "the police force",
                                     survey=wording.survey_name(force.code if force else None))
    return out


def ward_estimate(trust: Result) -> dict | None:
    est = trust.summary.get("ward_estimate")
    return jsonable(est) if est else None


# ---- you said, we did ------------------------------------------------------------------------


def priority_items(area: ListedArea, team, months: tuple[str, str] | None) -> list[dict]:
    """The team's priorities, each with the 'did it work?' link for its own crime types and period.

    A priority without a published action gets no link (there is no action to evaluate);
    one whose text names no crime type is evaluated on all crime, and says so.
    """
    from openbeat.analytics.did_it_work import priority_crime_types

    out = []
    for p in team.priorities:
        item = {**p, "crime_types": priority_crime_types(p.get("issue") or ""), "did_it_work_url": None}
        issued = f"{p['issued']:%Y-%m}" if p.get("issued") else None
        if p.get("action") and issued and months and months[0] < issued <= months[1]:
            params = [("ward", area.code), ("start", issued)] + [("crime_type", ct) for ct in item["crime_types"]]
            item["did_it_work_url"] = reverse("planning:did_it_work") + "?" + urlencode(params)
            what = " and ".join(item["crime_types"]).lower() if item["crime_types"] else "all crime"
            item["did_it_work_label"] = f"Did it work? {what[:1].upper() + what[1:]} here before and after {p['issued']:%B %Y}"
        out.append(item)
    return out


# ---- the page's data links ----------------------------------------------------------------


def area_data_links(area: ListedArea, figs: AreaFigures, team: bool, chosen: dict | None = None) -> list[DataLink]:
    """The page's data as JSON and CSV, over the period chosen (``chosen``: from/to)."""
    chosen = chosen or {}
    out = [DataLink(f"{area.level_name}, JSON", _api("area_detail", area.code))]
    if figs.profile.ok:
        api = _api("area_profile", area.code, **chosen)
        out += [DataLink("Crime profile, JSON", api), DataLink("Crimes by type, CSV", _api(
            "area_profile", area.code, **chosen, format="csv"))]
    if figs.hotspots.ok:
        out.append(DataLink("Hot spots, GeoJSON", _api("area_hotspots", area.code, **chosen)))
    if figs.stop_search.ok:
        api = _api("area_stop_search", area.code, **chosen)
        out += [DataLink("Stop and search, JSON", api), DataLink("Stop and search, CSV", _api(
            "area_stop_search", area.code, **chosen, format="csv"))]
    if figs.trust.ok:
        api = _api("area_trust", area.code, **chosen)
        out += [DataLink("Trust, JSON", api), DataLink("Trust, CSV", _api("area_trust", area.code, **chosen,
                                                                          format="csv"))]
    if team:
        out.append(DataLink("Neighbourhood team, JSON", _api("area_team", area.code)))
    return out


def page_results(figs: AreaFigures) -> list[Result]:
    return [f.result for f in (figs.profile, figs.trend, figs.hotspots, figs.stop_search, figs.trust,
                               figs.compare) if f.ok]


# ---- violence against women and girls -----------------------------------------------------


def vawg_tables(area: ListedArea, result: Result, chosen: dict | None = None) -> dict:
    """The section's headline, tables and data links (tables only: every figure is in a table)."""
    s = result.summary
    out: dict = {"caveat": wording.months_in_words(result.notes[0]) if result.notes else "",
                 "notes": [wording.months_in_words(n) for n in result.notes[1:]],
                 "period": period_words(result.period), "tables": [], "links": []}
    if "by_offence" in result.tables:
        basis = "female resident" if s.get("rate_basis", "").endswith("female residents per year") else "resident"
        # the peers' units, which are per female resident even where this area's own rate is not
        peer_basis = ("female resident" if (s.get("peers_rate_basis") or "").endswith("female residents per year")
                      else basis)
        rows = [{**r, "change": _direction(r["direction"], r["p_value"], ratio=r.get("ratio"))}
                for r in result.tables["by_offence"]]
        out["verdict"] = (wording.crime_change(s["change"], what="offences") if s.get("change") else
                          wording.Verdict(f"{s['total']:,} offences recorded in {out['period']}.", ""))
        out["rate_basis"] = s.get("rate_basis")
        out["tables"].append(Table(
            caption=f"Recorded offences by type, {out['period']}, with the change on the same months a year earlier",
            columns=[Column("offence", "Offence"), Column("count", "Recorded", True, "int"),
                     Column("rate_per_1000", f"Per 1,000 {basis}s a year", True, "dec1"),
                     Column("count_year_earlier", "A year earlier", True, "int"),
                     Column("ratio", "Rate ratio", True, "ratio"), Column("change", "Change (E-test)")],
            rows=rows))
        out["tables"].append(Table(
            caption="Recorded offences by month",
            columns=[Column("month", "Month"), Column("rape", "Rape", True, "int"),
                     Column("other_sexual_offences", "Other sexual offences", True, "int"),
                     Column("stalking_harassment", "Stalking and harassment", True, "int"),
                     Column("total", "Total", True, "int")],
            rows=result.tables["by_month"]))
        if result.tables.get("peers"):
            peers = [{**r, "name": f"{r['name']} (this area)" if r["this_area"] else r["name"]}
                     for r in result.tables["peers"]]
            out["tables"].append(Table(
                caption=f"Compared with its peers: all three offences per 1,000 {peer_basis}s a year, with 95% limits",
                columns=[Column("name", _area_word(area.level)), Column("count", "Recorded", True, "int"),
                         Column("rate_per_1000", "Per 1,000 a year", True, "dec1"),
                         Column("lower_95", "Lower 95% limit", True, "dec1"),
                         Column("upper_95", "Upper 95% limit", True, "dec1"),
                         Column("classification", "Against the limits")],
                rows=peers))
    if result.tables.get("outcomes"):
        out["tables"].append(Table(
            caption=("Outcomes of police.uk violence and sexual offences, "
                     + wording.months_in_words(str(s.get("outcomes_period")))),
            columns=[Column("outcome", "Latest outcome"), Column("crimes", "Crimes", True, "int"),
                     Column("share", "Share", True, "pct"), Column("share_low_95", "95% interval from", True, "pct"),
                     Column("share_high_95", "to", True, "pct")],
            rows=result.tables["outcomes"]))
    chosen = chosen or {}
    api = _api("area_vawg", area.code, **chosen)
    out["links"] = [DataLink("All figures, JSON", api)] + [
        DataLink(f"{t.replace('_', ' ').capitalize()}, CSV", _api("area_vawg", area.code, **chosen, table=t,
                                                                   format="csv"))
        for t in result.tables if result.tables[t]]
    return out


def street_map(area: ListedArea, period: dict | None) -> dict | None:
    """The street-level crime map's settings: the period's months (latest first), police.uk's
    crime types, where its points and outlines come from, and the optional base map."""
    from django.conf import settings

    from openbeat.analytics.harm import CRIME_TYPES
    from openbeat.web.templatetags.openbeat_tags import month as month_words

    if not period or not period.get("from"):
        return None
    y, m = (int(x) for x in period["to"].split("-"))
    months = []
    while f"{y:04d}-{m:02d}" >= period["from"] and len(months) < 120:
        months.append((f"{y:04d}-{m:02d}", month_words(f"{y:04d}-{m:02d}")))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return {"months": months, "crime_types": CRIME_TYPES, "points_url": _api("area_crime_points", area.code),
            "outline_url": _api("area_map", area.code), "tile_url": settings.OPENBEAT_TILE_URL or "",
            "tile_attribution": settings.OPENBEAT_TILE_ATTRIBUTION or ""}
