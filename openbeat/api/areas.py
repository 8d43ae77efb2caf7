"""Areas: list, one area, its map, its neighbourhood team, its crimes month by month."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router
from ninja.decorators import decorate_view

from openbeat.api.errors import ERROR_RESPONSES, ApiError, analytics_error, check_period, not_found
from openbeat.api.params import AreaCode, Month
from openbeat.api.result_answers import run
from openbeat.api.schemas import AreaMapOut, AreaOut, AreaPage, CrimeMonthPage, CrimePointsOut, TeamOut
from openbeat.api.tables import CSV_OPENAPI, Formatted, Paging, table_response
from openbeat.areas import area_figures, lookup, maps, teams
from openbeat.areas.lookup import ListedArea
from openbeat.geo.levels import ALL_LEVELS
from openbeat.web.cache import lake_cached

router = Router(tags=["areas"])


def area_links(area: ListedArea | str) -> dict:
    code = area if isinstance(area, str) else area.code
    level = None if isinstance(area, str) else area.level
    links = {
        "self": reverse("api:area_detail", kwargs={"code": code}),
        "page": reverse("areas:detail", kwargs={"code": code}),
        "map": reverse("api:area_map", kwargs={"code": code}),
    }
    figures = lookup.FIGURES.get(level, ()) if level else ("profile",)
    if "profile" in figures:
        links["profile"] = reverse("api:area_profile", kwargs={"code": code})
        links["trends"] = reverse("api:area_trends", kwargs={"code": code})
        links["crimes_by_month"] = reverse("api:area_crimes_by_month", kwargs={"code": code})
    if "hotspots" in figures:
        links["hotspots"] = reverse("api:area_hotspots", kwargs={"code": code})
    if "stop_search" in figures:
        links["stop_search"] = reverse("api:area_stop_search", kwargs={"code": code})
    if "trust" in figures:
        links["trust"] = reverse("api:area_trust", kwargs={"code": code})
    if level in ("force", "borough"):
        links["scorecard"] = reverse("api:area_scorecard", kwargs={"code": code})
    if level == "ward":
        links["team"] = reverse("api:area_team", kwargs={"code": code})
    return links


def area_out(area: ListedArea) -> dict:
    centroid = None
    if area.centroid_lat is not None and area.centroid_lon is not None:
        centroid = {"latitude": area.centroid_lat, "longitude": area.centroid_lon}
    return {
        "code": area.code, "name": area.name, "level": area.level, "level_name": area.level_name,
        "approximate": area.approximate, "parents": area.parent_codes, "centroid": centroid,
        "links": area_links(area),
    }


def _flat(row: dict) -> dict:
    c = row["centroid"] or {}
    return {
        "code": row["code"], "name": row["name"], "level": row["level"], "approximate": row["approximate"],
        "borough_code": row["parents"].get("borough"), "ward_code": row["parents"].get("ward"),
        "msoa_code": row["parents"].get("msoa21"), "latitude": c.get("latitude"), "longitude": c.get("longitude"),
    }


def get_area(code: str) -> ListedArea:
    area = lookup.area_get(code=code)
    if area is None:
        raise not_found(f"No area has the code {code!r}.", hint="Find codes at /api/areas?q=NAME")
    return area


class AreaFilters(Paging):
    level: str | None = Field(None, description=f"One of: {', '.join(ALL_LEVELS)}.",
                              pattern="^(" + "|".join(ALL_LEVELS) + ")$")
    parent: AreaCode | None = Field(None, description="Only areas inside this force, borough, ward or MSOA.")
    q: str | None = Field(None, min_length=1, max_length=100, description="Part of a name or code, any case.")


@router.get("/areas", response={200: AreaPage, **ERROR_RESPONSES}, url_name="area_list",
            summary="Areas: forces, boroughs, wards, MSOAs and LSOAs", openapi_extra=CSV_OPENAPI)
@decorate_view(lake_cached)
def area_list(request: HttpRequest, filters: Query[AreaFilters]):
    """Every loaded area, forces first, then largest first and by name. Empty when nothing is loaded."""
    found, total = lookup.area_list(level=filters.level, parent=filters.parent, q=filters.q,
                                       limit=filters.limit, offset=filters.offset)
    return table_response(request, rows=[area_out(a) for a in found], count=total, limit=filters.limit,
                          offset=filters.offset, fmt=filters.format, name="areas", flatten=_flat)


@router.get("/areas/{code}", response={200: AreaOut, **ERROR_RESPONSES}, url_name="area_detail",
            summary="One area")
@decorate_view(lake_cached)
def area_detail(request: HttpRequest, code: AreaCode):
    """The area with this code: name, level, the areas it lies in, its centre, and links to its figures."""
    return area_out(get_area(code))


def require_published(area: ListedArea, first: str | None, last: str | None) -> None:
    """400 cannot_compute, as the profile and /crimes/monthly answer, when the area's own forces
    published none of the months ``first``..``last`` (default: the lake's latest 12): months a
    force did not publish are not months without crime, so they are never counted as 0.
    Nothing to check where the lake holds no crimes, or for a level crimes are not counted at."""
    from openbeat.analytics.coverage import coverage
    from openbeat.analytics.store import BadPeriod, UnknownArea
    from openbeat.geo.levels import COUNTED_LEVELS
    from openbeat.web.lake_access import get_store

    store = get_store()
    if area.level not in COUNTED_LEVELS or not store.months():
        return
    try:
        coverage(store).require(store.area(area.code), store.period(first, last))
    except (UnknownArea, BadPeriod, ValueError) as exc:
        raise analytics_error(exc) from None


class MapQuery(Formatted):
    level: Literal["force", "borough", "ward", "lsoa21", "self"] | None = Field(
        None, description="Which areas to draw: the area's parts by default (a force's boroughs, a borough's "
                          "wards, a ward's LSOAs), smaller ones (a force's or borough's wards), or `self`.")
    start: Month | None = Field(None, alias="from", description="First month of the crimes counted, YYYY-MM "
                                                          "(default: 12 months to `to`).")
    end: Month | None = Field(None, alias="to", description="Last month, YYYY-MM (default: the lake's latest).")


@router.get("/areas/{code}/map", response={200: AreaMapOut, **ERROR_RESPONSES}, url_name="area_map",
            summary="An area's parts as GeoJSON, with crimes in the latest 12 months", openapi_extra=CSV_OPENAPI)
@decorate_view(lake_cached)
def area_map(request: HttpRequest, code: AreaCode, q: Query[MapQuery]):
    """GeoJSON FeatureCollection (WGS84) of the areas inside this one, or the area itself.
    Exterior rings run clockwise, as d3-geo and Vega draw them."""
    check_period(q.start, q.end)
    area = get_area(code)
    require_published(area, q.start, q.end)
    try:
        found = maps.area_map(area=area, level=q.level, first=q.start, last=q.end)
    except ValueError as exc:
        raise ApiError(400, "bad_level", str(exc),
                       errors=[{"parameter": "level", "location": "query", "message": str(exc)}]) from None
    if q.format == "csv":
        rows = [f["properties"] for f in found.features]
        return table_response(request, rows=rows, count=len(rows), limit=max(len(rows), 1), offset=0,
                              fmt="csv", name=f"map-{area.code}", columns=["code", "name", "level", "crimes"])
    return {"type": "FeatureCollection", "period": list(found.period) if found.period else None,
            "features": found.features}


class PointsQuery(Formatted):
    month: Month | None = Field(None, description="The month, YYYY-MM (default: the lake's latest).")


@router.get("/areas/{code}/crimes/points", response={200: CrimePointsOut, **ERROR_RESPONSES},
            url_name="area_crime_points", summary="Crimes in one month at police.uk's anonymised map points",
            openapi_extra=CSV_OPENAPI)
@decorate_view(lake_cached)
def area_crime_points(request: HttpRequest, code: AreaCode, q: Query[PointsQuery]):
    """The crimes police.uk placed in the area (a force, borough, ward or LSOA) in one month,
    counted per anonymised map point and crime type: police.uk's street-level map, busiest
    points first. police.uk moves every crime to the nearest of a fixed set of points (a street's
    middle, a park), so a point is never an address. `crimes` leaves out anti-social behaviour,
    as everywhere in this API; it is counted apart in `anti_social_behaviour` (and in
    `categories` and `counts` under its own name). A month the area's forces did not publish is
    `400 cannot_compute`, never 0 crimes."""
    area = get_area(code)
    found = maps.crime_points(area=area, month=q.month)
    if found is None:
        raise ApiError(404, "not_available", f"Crimes are mapped for forces, boroughs, wards and LSOAs (2021); "
                                             f"{area.name} is a {area.level_name}.")
    if found.month:
        require_published(area, found.month, found.month)
    if q.format == "csv":  # one row per point and crime type
        rows = [{"month": found.month, "latitude": p["latitude"], "longitude": p["longitude"],
                 "location": p["location"], "crime_type": k, "crimes": n}
                for p in found.points for k, n in p["counts"].items()]
        return table_response(request, rows=rows, count=len(rows), limit=max(len(rows), 1), offset=0, fmt="csv",
                              name=f"crime-points-{area.code}-{found.month}",
                              columns=["month", "latitude", "longitude", "location", "crime_type", "crimes"])
    # "crimes" means crimes, as in /crimes/monthly, /map and the profile: anti-social behaviour
    # is counted apart (a report of an incident, not a crime; harm leaves it out too)
    asb = lookup.ASB
    points = [{**p, "crimes": p["crimes"] - p["counts"].get(asb, 0), "anti_social_behaviour": p["counts"].get(asb, 0)}
              for p in found.points]
    return {"code": area.code, "month": found.month, "crimes": found.crimes - found.categories.get(asb, 0),
            "anti_social_behaviour": found.categories.get(asb, 0), "categories": found.categories,
            "points_total": found.points_total, "truncated": found.truncated, "points": points}


@router.get("/areas/{code}/team", response={200: TeamOut, **ERROR_RESPONSES}, url_name="area_team",
            summary="The neighbourhood policing team of a ward")
@decorate_view(lake_cached)
def area_team(request: HttpRequest, code: AreaCode):
    """The police.uk neighbourhood covering most of the ward: contact details, officers,
    published priorities and the events not yet over, as plain text. 404 when none is linked."""
    area = get_area(code)
    team = teams.area_team(area=area)
    if team is None:
        raise not_found(f"No neighbourhood team is linked to {area.name} ({area.code}).",
                        hint="Teams are linked to wards: try /api/areas?level=ward&q=NAME for the ward's code.")
    return {**team.__dict__, "events": [_zoned(e) for e in team.events],
            "past_events": [_zoned(e) for e in team.past_events]}


def _zoned(event: dict) -> dict:
    """police.uk's UK local times with their offset (RFC 3339 date-times, as the schema promises)."""
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    return {**event, **{k: event[k].replace(tzinfo=london) for k in ("starts_at", "ends_at") if event.get(k)}}


class MonthsQuery(Paging):
    start: Month | None = Field(None, alias="from", description="First month, YYYY-MM (default: the lake's first).")
    end: Month | None = Field(None, alias="to", description="Last month, YYYY-MM (default: the lake's last).")


@router.get("/areas/{code}/crimes/monthly", response={200: CrimeMonthPage, **ERROR_RESPONSES},
            url_name="area_crimes_by_month", summary="Recorded crimes in an area, month by month",
            openapi_extra=CSV_OPENAPI)
@decorate_view(lake_cached)
def area_crimes_by_month(request: HttpRequest, code: AreaCode, period: Query[MonthsQuery]):
    """Crimes police.uk placed in the area each month, anti-social behaviour counted apart, with
    each month against the same month a year earlier and the 12 months to it against the 12
    before (Poisson E-test). Months the force did not publish have no counts (null), never 0."""
    check_period(period.start, period.end)
    area = get_area(code)
    if "profile" not in area.figures:
        raise ApiError(404, "not_available", f"Crime figures are given for forces, boroughs, wards and LSOAs "
                                             f"(2021); {area.name} is a {area.level_name}.")
    months = area_figures.lake_months()
    rows = []
    if months:
        result = run("profile", area.code, period.start or months[0], period.end or months[1])
        rows = area_figures.monthly_counts(result)
    page = rows[period.offset:period.offset + period.limit]
    return table_response(request, rows=page, count=len(rows), limit=period.limit, offset=period.offset,
                          fmt=period.format, name=f"crimes-by-month-{area.code}")
