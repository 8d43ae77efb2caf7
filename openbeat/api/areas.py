"""Areas: list, one area, its crimes by month, its map."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router
from ninja.decorators import decorate_view

from openbeat.api.caching import lake_cached
from openbeat.api.errors import ERROR_RESPONSES, not_found
from openbeat.api.params import AreaCode, Month, check_period
from openbeat.api.schemas import AreaMapOut, AreaOut, AreaPage, CrimeMonthPage, TeamOut
from openbeat.api.tables import CSV_OPENAPI, Formatted, Paging, table_response
from openbeat.areas import selectors
from openbeat.areas.selectors import LEVELS, Area

router = Router(tags=["areas"])


def area_links(code: str) -> dict:
    return {
        "self": reverse("api:area_detail", kwargs={"code": code}),
        "page": reverse("areas:detail", kwargs={"code": code}),
        "crimes_by_month": reverse("api:area_crimes_by_month", kwargs={"code": code}),
        "map": reverse("api:area_map", kwargs={"code": code}),
    }


def area_out(area: Area) -> dict:
    centroid = None
    if area.centroid_lat is not None and area.centroid_lon is not None:
        centroid = {"latitude": area.centroid_lat, "longitude": area.centroid_lon}
    return {
        "code": area.code, "name": area.name, "level": area.level, "level_name": area.level_name,
        "approximate": area.approximate, "parents": area.parent_codes, "centroid": centroid,
        "links": area_links(area.code),
    }


def _flat(row: dict) -> dict:
    c = row["centroid"] or {}
    return {
        "code": row["code"], "name": row["name"], "level": row["level"], "approximate": row["approximate"],
        "borough_code": row["parents"].get("borough"), "ward_code": row["parents"].get("ward"),
        "msoa_code": row["parents"].get("msoa21"), "latitude": c.get("latitude"), "longitude": c.get("longitude"),
    }


def _get(code: str) -> Area:
    area = selectors.area_get(code=code)
    if area is None:
        raise not_found(f"No area has the code {code!r}.", hint="Find codes at /api/areas?q=NAME")
    return area


class AreaFilters(Paging):
    level: str | None = Field(None, description=f"One of: {', '.join(LEVELS)}.", pattern="^(" + "|".join(LEVELS) + ")$")
    parent: AreaCode | None = Field(None, description="Only areas inside this borough, ward or MSOA.")
    q: str | None = Field(None, min_length=1, max_length=100, description="Part of a name or code, any case.")


@router.get("/areas", response={200: AreaPage, **ERROR_RESPONSES}, url_name="area_list",
            summary="Areas: boroughs, wards, MSOAs and LSOAs", openapi_extra=CSV_OPENAPI)
@decorate_view(lake_cached)
def area_list(request: HttpRequest, filters: Query[AreaFilters]):
    """Every loaded area, largest first then by name. Empty when no boundaries are loaded."""
    found, total = selectors.area_list(level=filters.level, parent=filters.parent, q=filters.q,
                                       limit=filters.limit, offset=filters.offset)
    return table_response(request, rows=[area_out(a) for a in found], count=total, limit=filters.limit,
                          offset=filters.offset, fmt=filters.format, name="areas", flatten=_flat)


@router.get("/areas/{code}", response={200: AreaOut, **ERROR_RESPONSES}, url_name="area_detail",
            summary="One area")
@decorate_view(lake_cached)
def area_detail(request: HttpRequest, code: AreaCode):
    """The area with this code: name, level, the areas it lies in, its centre and links."""
    return area_out(_get(code))


class PeriodFilters(Paging):
    start: Month | None = Field(None, alias="from", description="First month, YYYY-MM.")
    end: Month | None = Field(None, alias="to", description="Last month, YYYY-MM.")


@router.get("/areas/{code}/crimes/monthly", response={200: CrimeMonthPage, **ERROR_RESPONSES},
            url_name="area_crimes_by_month", summary="Recorded crimes in an area, month by month",
            openapi_extra=CSV_OPENAPI)
@decorate_view(lake_cached)
def area_crimes_by_month(request: HttpRequest, code: AreaCode, period: Query[PeriodFilters]):
    """Street crimes police.uk placed in the area, each month of the lake (zero-filled), with
    anti-social behaviour counted apart. Plain counts: trends and their tests come later."""
    check_period(period.start, period.end)
    area = _get(code)
    months = selectors.area_crime_months(area=area, start=period.start, end=period.end)
    page = months[period.offset:period.offset + period.limit]
    return table_response(request, rows=page, count=len(months), limit=period.limit, offset=period.offset,
                          fmt=period.format, name=f"crimes-by-month-{area.code}")


@router.get("/areas/{code}/map", response={200: AreaMapOut, **ERROR_RESPONSES}, url_name="area_map",
            summary="An area's parts as GeoJSON, with crimes in the last 12 months", openapi_extra=CSV_OPENAPI)
@decorate_view(lake_cached)
def area_map(request: HttpRequest, code: AreaCode, fmt: Query[Formatted]):
    """GeoJSON FeatureCollection (WGS84) of the wards of a borough, the LSOAs of a ward or
    MSOA, or the area itself. Exterior rings run clockwise, as d3-geo and Vega draw them."""
    area = _get(code)
    found = selectors.area_map(area=area)
    if fmt.format == "csv":
        rows = [f["properties"] for f in found.features]
        return table_response(request, rows=rows, count=len(rows), limit=max(len(rows), 1), offset=0,
                              fmt="csv", name=f"map-{area.code}", columns=["code", "name", "level", "crimes"])
    return {"type": "FeatureCollection", "period": list(found.period) if found.period else None,
            "features": found.features}


@router.get("/areas/{code}/team", response={200: TeamOut, **ERROR_RESPONSES}, url_name="area_team",
            summary="The neighbourhood policing team of a ward")
@decorate_view(lake_cached)
def area_team(request: HttpRequest, code: AreaCode):
    """The police.uk neighbourhood covering most of the ward: contact details, officers,
    published priorities and the events not yet over. 404 when none is linked."""
    area = _get(code)
    team = selectors.area_team(area=area)
    if team is None:
        raise not_found(f"No neighbourhood team is linked to {area.name} ({area.code}).",
                        hint="Teams are linked to wards; load them with 'openbeat fetch neighbourhoods'.")
    return team.__dict__
