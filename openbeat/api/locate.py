"""Locate: which areas contain a postcode or a point."""

from __future__ import annotations

import math

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from openbeat.api.areas import area_links
from openbeat.api.errors import ERROR_RESPONSES, ApiError
from openbeat.api.schemas import LocateOut
from openbeat.areas import lookup
from openbeat.web.cache import lake_cached
from openbeat.web.lake_access import StoreLake, get_store

router = Router(tags=["locate"])


class LocateQuery(Schema):
    q: str = Field(..., min_length=1, max_length=100,
                   description='A postcode ("N13 4PN"), "latitude,longitude" or "easting,northing".')


def _finite(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


@router.get("/locate", response={200: LocateOut, **ERROR_RESPONSES}, url_name="locate",
            summary="Areas at a postcode or point")
@decorate_view(lake_cached)
def locate(request: HttpRequest, params: Query[LocateQuery]):
    """The loaded borough, ward, MSOA and LSOA containing a postcode (from the loaded ONS
    Postcode Directory; never an online look-up) or a point, and the police.uk neighbourhood."""
    try:
        from openbeat.locate import LocateError, parse_query
        from openbeat.locate import locate as locate_point
    except ImportError:
        raise ApiError(404, "not_available", "Finding areas by postcode or point is not available on this server.")
    try:
        parse_query(params.q)
    except LocateError as exc:
        raise ApiError(400, "bad_query", str(exc),
                       errors=[{"parameter": "q", "location": "query", "message": str(exc)}]) from None
    try:
        found = locate_point(StoreLake(get_store()), params.q)
    except LocateError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    areas = []
    for level in ("borough", "ward", "msoa21", "lsoa21"):
        hit = found.get(level)
        if hit and (area := lookup.area_get(code=hit["code"])) is not None:
            areas.append({"code": area.code, "name": area.name, "level": area.level,
                          "links": area_links(area)})
    return {
        "query": params.q, "source": found.get("source") or "coordinates", "postcode": found.get("postcode"),
        "latitude": _finite(found.get("latitude")), "longitude": _finite(found.get("longitude")),
        "easting": _finite(found.get("easting")), "northing": _finite(found.get("northing")),
        "status": found.get("status") or "ok", "areas": areas, "neighbourhood": found.get("neighbourhood"),
    }
