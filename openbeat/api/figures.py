"""An area's figures: profile, trends, hot spots, stop and search, trust, scorecard, vawg.

Each answers with an analytics :class:`~openbeat.analytics.result.Result` (see
:mod:`openbeat.api.result_answers`): ``?table=`` for one table paged, ``?format=csv`` for CSV.
"""

from __future__ import annotations

from enum import IntEnum

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router
from ninja.decorators import decorate_view

from openbeat.api.areas import get_area
from openbeat.api.errors import ERROR_RESPONSES, ApiError, check_crime_type
from openbeat.api.params import CRIME_TYPE_HELP, AreaCode
from openbeat.api.result_answers import (
    RESULT_OPENAPI, HotspotsOut, PeriodQuery, ResultOut, TableOut, period_of, result_response, run)
from openbeat.areas import area_figures, lake_reads, lookup, maps
from openbeat.areas.lookup import ListedArea
from openbeat.geo.levels import LEVEL_NAMES
from openbeat.web.cache import lake_cached

router = Router(tags=["figures"])

RESPONSES = {200: ResultOut | TableOut, **ERROR_RESPONSES}


def _area_for(code: str, figure: str) -> ListedArea:
    area = get_area(code)
    if figure not in area.figures:
        levels = [LEVEL_NAMES[lv].lower() for lv, figs in lookup.FIGURES.items() if figure in figs]
        raise ApiError(404, "not_available", f"{area.name} is a {area.level_name.lower()}; these figures are given "
                                             f"for: {', '.join(levels)}.")
    return area


class ProfileQuery(PeriodQuery):
    force: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$",
                              description="Only this force's crimes, by slug (e.g. `metropolitan` apart from `btp`).")


@router.get("/areas/{code}/profile", response=RESPONSES, url_name="area_profile", openapi_extra=RESULT_OPENAPI,
            summary="Crime profile: counts, rates, harm, outcomes and change on a year earlier")
@decorate_view(lake_cached)
def area_profile(request: HttpRequest, code: AreaCode, q: Query[ProfileQuery]):
    """Crimes per type (with the change on the same months a year earlier: Poisson E-test and
    Wheeler's z), rates per 1,000 residents, harm, outcomes. Tables: by_crime_type, trend,
    by_month, outcomes, by_force. Default period: the 12 months to the latest month the area's
    own forces published. The change compares only months every force counted published in
    both periods, else it is null with `change_declined` saying why; a period the area's
    forces published none of is `400 cannot_compute`."""
    first, last = period_of(q)
    area = _area_for(code, "profile")
    if q.force:
        result = run("profile", area.code, first, last, force=q.force)
    else:
        result = run("profile", area.code, first, last)
    return result_response(request, result, q, f"profile-{area.code}")


@router.get("/areas/{code}/trends", response=RESPONSES, url_name="area_trends", openapi_extra=RESULT_OPENAPI,
            summary="Crime trends: every month, each against a year earlier")
@decorate_view(lake_cached)
def area_trends(request: HttpRequest, code: AreaCode, q: Query[PeriodQuery]):
    """The profile over every month the lake holds (or the period asked for): table ``trend``
    has each month against the same month a year earlier and the 12 months to it against the
    12 before, with the E-test; ``by_month`` has every crime type."""
    first, last = period_of(q)
    area = _area_for(code, "profile")
    months = area_figures.lake_months()
    if months:  # to: the latest month the area's own forces published (the profile's default)
        first = first or months[0]
    return result_response(request, run("profile", area.code, first, last), q, f"trends-{area.code}")


class CellSize(IntEnum):
    """Grid cell sizes in metres (an int enum: a query string's "100" is read as 100, which a Literal refuses)."""

    m100 = 100
    m150 = 150
    m200 = 200
    m250 = 250
    m300 = 300
    m400 = 400
    m500 = 500


class HotspotQuery(PeriodQuery):
    crime_type: str | None = Field(None, max_length=60, description=CRIME_TYPE_HELP)
    by: Literal["grid", "lsoa"] = Field("grid", description="250 m grid cells, or LSOAs (2021).")
    cell_size: CellSize = Field(CellSize.m250, description="Grid cell size in metres.")


def hotspot_geojson(result) -> dict:
    """The result's GeoJSON with rings wound as d3-geo draws them, and the result's figures beside it."""
    features = []
    for f in (result.geojson or {}).get("features", []):
        features.append({**f, "geometry": maps.d3_winding(f["geometry"])})
    out = result.as_dict()
    out.pop("tables")
    return {"type": "FeatureCollection", "features": features, **out}


@router.get("/areas/{code}/hotspots", response={200: HotspotsOut | TableOut, **ERROR_RESPONSES}, url_name="area_hotspots", openapi_extra=RESULT_OPENAPI,
            summary="Hot spots (Getis-Ord Gi*) as GeoJSON")
@decorate_view(lake_cached)
def area_hotspots(request: HttpRequest, code: AreaCode, q: Query[HotspotQuery]):
    """A GeoJSON FeatureCollection of grid cells (or LSOAs) with their count, Gi* z, p, q and
    class (hot/cold at 95% or 99% after false-discovery-rate control), with the result's
    summary, notes and sources as members beside ``features``. Tables: cells, concentration."""
    first, last = period_of(q)
    check_crime_type(q.crime_type)
    area = _area_for(code, "hotspots")
    result = run("hotspots", area.code, first, last, crime_type=q.crime_type, cell_size=float(int(q.cell_size)), by=q.by)
    body = hotspot_geojson(result) if q.table is None and q.format == "json" else None
    return result_response(request, result, q, f"hotspots-{area.code}", body=body)


@router.get("/areas/{code}/stop-search", response=RESPONSES, url_name="area_stop_search",
            openapi_extra=RESULT_OPENAPI, summary="Stop and search: rates by group, disproportionality, finds")
@decorate_view(lake_cached)
def area_stop_search(request: HttpRequest, code: AreaCode, q: Query[PeriodQuery]):
    """Searches, rates per 1,000 residents by self-defined ethnicity with Census 2021
    denominators, the ratio to the White rate with its Katz interval, find and arrest rates
    with Wilson intervals ("not recorded" where the force does not record the find outcome).
    Wards: rates by group are declined (Census ethnicity exists by borough only)."""
    first, last = period_of(q)
    area = _area_for(code, "stop_search")
    return result_response(request, run("stop_search", area.code, first, last), q, f"stop-search-{area.code}")


class TrustQuery(PeriodQuery):
    measure: str | None = Field(None, max_length=80, description="A PAS measure, e.g. `Trust MPS` (the default).")


@router.get("/areas/{code}/trust", response=RESPONSES, url_name="area_trust", openapi_extra=RESULT_OPENAPI,
            summary="Trust and confidence: the Public Attitude Survey, and ward estimates")
@decorate_view(lake_cached)
def area_trust(request: HttpRequest, code: AreaCode, q: Query[TrustQuery]):
    """The borough's (or MPS-wide) PAS measures by quarter with indicative intervals and
    descriptive change; a ward's estimate from local surveys, shrunk toward its borough,
    where the site has survey responses."""
    first, last = period_of(q)
    area = _area_for(code, "trust")
    if not lake_reads.has("pas"):
        raise ApiError(404, "not_available", "No Public Attitude Survey has been loaded on this server.")
    result = run("trust", area.code, first, last, responses=area_figures.ward_survey(), measure=q.measure)
    return result_response(request, result, q, f"trust-{area.code}")


@router.get("/areas/{code}/scorecard", response=RESPONSES, url_name="area_scorecard",
            openapi_extra=RESULT_OPENAPI, summary="Progress scorecard of a force or borough")
@decorate_view(lake_cached)
def area_scorecard(request: HttpRequest, code: AreaCode, q: Query[ProfileQuery]):
    """For every borough and ward of a force (or of one borough): trust with its interval and
    change, crime and harm per 1,000 residents with the change on a year earlier (E-test), and
    stop and search (Black/White ratio with its interval; find or arrest rate). Tables:
    boroughs, wards."""
    first, last = period_of(q)
    area = get_area(code)
    if area.level not in ("force", "borough"):
        raise ApiError(404, "not_available", f"A scorecard covers a force or a borough; {area.name} is a "
                                             f"{area.level_name.lower()}.")
    if q.force:
        result = run("scorecard", area.code, first, last, responses=area_figures.ward_survey(), force=q.force)
    else:
        result = run("scorecard", area.code, first, last, responses=area_figures.ward_survey())
    return result_response(request, result, q, f"scorecard-{area.code}")


@router.get("/areas/{code}/vawg", response=RESPONSES, url_name="area_vawg", openapi_extra=RESULT_OPENAPI,
            summary="Violence against women and girls: rape, sexual offences, stalking and harassment")
@decorate_view(lake_cached)
def area_vawg(request: HttpRequest, code: AreaCode, q: Query[PeriodQuery]):
    """Rape, other sexual offences and stalking and harassment from the Met's ward-level recorded
    crime (London Datastore), by month and over the period: rates per 1,000 female residents
    (mid-year estimates by sex; per 1,000 residents where none is loaded, saying so), change on
    the same months a year earlier, a funnel comparison with the area's peers, and outcomes of
    police.uk violence and sexual offences with Wilson intervals. Tables: by_offence, by_month,
    peers, outcomes. Every verdict says that a rise in recorded offences can mean more victims
    came forward. Default period: the 12 months to the ward file's latest month."""
    first, last = period_of(q)
    area = get_area(code)
    if area.level not in ("force", "borough", "ward"):
        raise ApiError(404, "not_available", f"These figures are given for wards, boroughs and forces; {area.name} "
                                             f"is a {area.level_name.lower()}.")
    return result_response(request, run("vawg", area.code, first, last), q, f"vawg-{area.code}")
