"""Planning across areas: compare (funnel plot), targeting, allocation, did it work?

The API of the planning pages (:mod:`openbeat.planning`)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router
from ninja.decorators import decorate_view

from openbeat.api.areas import get_area
from openbeat.api.errors import ERROR_RESPONSES, check_crime_type
from openbeat.api.params import CRIME_TYPE_HELP, AreaCode, Month
from openbeat.api.result_answers import (
    RESULT_OPENAPI, PeriodQuery, ResultOut, ResultQuery, TableOut, period_of, result_response, run)
from openbeat.areas import area_figures
from openbeat.web.cache import lake_cached

router = Router(tags=["planning"])

RESPONSES = {200: ResultOut | TableOut, **ERROR_RESPONSES}


class CompareQuery(PeriodQuery):
    level: Literal["ward", "borough", "lsoa21"] = Field("ward", description="Which areas to compare.")
    within: AreaCode | None = Field(None, description="Only the areas inside this force or borough.")
    crime_type: str | None = Field(None, max_length=60, description=CRIME_TYPE_HELP)
    overdispersion: bool | None = Field(None, description="Limits widened by Spiegelhalter's phi (true) or plain "
                                        "Poisson (false); default: widened when the areas are overdispersed "
                                        "(phi > 1).")


@router.get("/compare", response=RESPONSES, url_name="compare", openapi_extra=RESULT_OPENAPI,
            summary="Compare areas: crime rates with funnel-plot limits")
@decorate_view(lake_cached)
def compare(request: HttpRequest, q: Query[CompareQuery]):
    """Crime per 1,000 residents of every ward (or borough, or LSOA) with exact Poisson 95% and
    99.8% funnel limits (Spiegelhalter 2005): only areas outside them differ by more than
    chance. Tables: areas (by rate), funnel (the limits for each population size)."""
    first, last = period_of(q)
    check_crime_type(q.crime_type)
    within = get_area(q.within).code if q.within else None
    result = run("compare", q.level, within, first, last, crime_type=q.crime_type, overdispersion=q.overdispersion)
    return result_response(request, result, q, f"compare-{q.level}")


class TargetingQuery(PeriodQuery):
    level: Literal["ward", "borough"] = Field("ward", description="Which areas to rank.")
    within: AreaCode | None = Field(None, description="Only the areas inside this force or borough.")


@router.get("/targeting", response=RESPONSES, url_name="targeting", openapi_extra=RESULT_OPENAPI,
            summary="Highest crime, lowest trust: areas ranked on harm and trust")
@decorate_view(lake_cached)
def targeting(request: HttpRequest, q: Query[TargetingQuery]):
    """Every ward (or borough) placed on harm per 1,000 residents (with a gamma interval) and
    trust (with its interval); classed high or low only when the whole interval is beyond the
    others' median, then ranked: high crime and low trust first. Table: areas."""
    first, last = period_of(q)
    within = get_area(q.within).code if q.within else None
    result = run("targeting", q.level, within, first, last, responses=area_figures.ward_survey())
    return result_response(request, result, q, f"targeting-{q.level}")


class AllocationQuery(PeriodQuery):
    within: AreaCode = Field(..., description="The borough (or force) whose wards share the people.")
    officers: int = Field(..., ge=0, le=100_000, description="Dedicated ward officers to place.")
    pcsos: int = Field(..., ge=0, le=100_000, description="PCSOs to place.")
    trust_weight: float = Field(0.0, ge=0, le=10, description="Weight need by the trust deficit (0: harm alone).")
    min_officers: int = Field(2, ge=0, le=100, description="Officers every ward gets first.")
    min_pcsos: int = Field(1, ge=0, le=100, description="PCSOs every ward gets first.")


@router.get("/allocation", response=RESPONSES, url_name="allocation", openapi_extra=RESULT_OPENAPI,
            summary="Share officers and PCSOs among wards: minimums first, the rest by need")
@decorate_view(lake_cached)
def allocation(request: HttpRequest, q: Query[AllocationQuery]):
    """Every ward gets its minimum (2 officers and 1 PCSO by default, the Met's standard), the
    rest are shared by need (harm, optionally weighted by the trust deficit) with the
    largest-remainder method. Table: wards."""
    first, last = period_of(q)
    area = get_area(q.within)
    result = run("allocation", area.code, q.officers, q.pcsos, trust_weight=q.trust_weight,
                 minimum_officers=q.min_officers, minimum_pcsos=q.min_pcsos, first=first, last=last,
                 responses=area_figures.ward_survey() if q.trust_weight else None)
    return result_response(request, result, q, f"allocation-{area.code}")


class DidItWorkQuery(ResultQuery):
    ward: AreaCode = Field(..., description="The ward where the action happened (or its police.uk neighbourhood id).")
    start: Month = Field(..., description="The month the action started, YYYY-MM.")
    crime_type: list[str] | None = Field(None, max_length=14, description=CRIME_TYPE_HELP + " Repeat it for a "
                                         "priority about several crime types.")
    before_months: int = Field(12, ge=1, le=60, description="Months before the start used as the baseline.")
    after_months: int | None = Field(None, ge=1, le=60, description="Months from the start (default: to the latest).")


@router.get("/did-it-work", response=RESPONSES, url_name="did_it_work", openapi_extra=RESULT_OPENAPI,
            summary="Did it work? Before and after against comparison wards")
# Deprecated: the same answer at its name before 2026-12, kept for old links; not in the schema.
@router.get("/evaluation", response=RESPONSES, url_name="evaluation", include_in_schema=False)
@decorate_view(lake_cached)
def did_it_work(request: HttpRequest, q: Query[DidItWorkQuery]):
    """Crime in the ward before and after the start against comparison wards of the same
    borough (a before/after ratio with its interval), and the Weighted Displacement Difference
    (Wheeler & Ratcliffe 2018) with its standard error, counting crime pushed into
    neighbouring wards against the action. Tables: areas, wards."""
    for crime_type in q.crime_type or []:
        check_crime_type(crime_type)
    result = run("did_it_work", q.ward, q.start, tuple(q.crime_type or ()) or None, before_months=q.before_months,
                 after_months=q.after_months)
    return result_response(request, result, q, f"did-it-work-{q.ward}")
