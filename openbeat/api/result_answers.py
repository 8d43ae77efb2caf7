"""Analytics results as API answers: the whole result, or one of its tables paged or as CSV.

Every figure endpoint answers with the :class:`~openbeat.analytics.result.Result` as JSON::

    {"method": "profile", "title": "...", "area": {...}, "period": {"from": "2025-01", ...},
     "summary": {...}, "tables": {"by_crime_type": [...], ...}, "sources": [...],
     "notes": [...], "licence": "...", "links": {"by_crime_type": "/api/...?table=by_crime_type", ...}}

``?table=NAME`` gives that table alone, paged like every list (``limit``, ``offset``,
``next``); ``?format=csv`` gives a table as CSV (the first table when none is named).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema

from openbeat.analytics import wording
from openbeat.analytics.result import Result, jsonable
from openbeat.analytics.store import BadPeriod, UnknownArea
from openbeat.api.errors import ApiError, analytics_error, check_period
from openbeat.api.params import Month
from openbeat.api.tables import MAX_LIMIT, MAX_OFFSET, table_response
from openbeat.web.shared_figures import available, figure


class ResultQuery(Schema):
    table: str | None = Field(None, pattern=r"^[a-z0-9_]{1,40}$",
                              description="One table of the result, paged (see the result's `links`).")
    format: Literal["json", "csv"] = Field("json", description="json, or csv for one table (the first by default).")
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page of a table, 1 to {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows of a table to skip.")


class PeriodQuery(ResultQuery):
    start: Month | None = Field(None, alias="from", description="First month, YYYY-MM (default: 12 months to `to`).")
    end: Month | None = Field(None, alias="to", description="Last month, YYYY-MM (default: the latest the area's own forces published).")


class ResultOut(Schema):
    method: str = Field(..., description="Which analysis: profile, hotspots, stop_search, trust, …")
    title: str
    area: dict[str, Any] | None
    period: dict[str, Any] | None = Field(..., description='{"from": "YYYY-MM", "to": "YYYY-MM", "months": n}')
    summary: dict[str, Any] = Field(..., description="Headline figures, each with its interval or test.")
    tables: dict[str, list[dict[str, Any]]]
    sources: list[str]
    notes: list[str] = Field(..., description="How to read the figures, in plain English.")
    licence: str
    links: dict[str, str] = Field(..., description="Each table on its own (paged; add format=csv for CSV).")
    plain: dict[str, str] | None = Field(None, description="The verdict in plain words (`lead`) and the test "
                                                           "behind it (`how`), as the pages say it; see docs/wording.md.")


class HotspotsOut(Schema):
    type: str = Field(..., description="FeatureCollection")
    features: list[dict[str, Any]] = Field(
        ..., description="Cells (or LSOAs) with properties cell_id, count, gi_z, p, q, class; rings clockwise.")
    method: str
    title: str
    area: dict[str, Any] | None
    period: dict[str, Any] | None
    summary: dict[str, Any]
    sources: list[str]
    notes: list[str]
    licence: str
    links: dict[str, str]
    plain: dict[str, str] | None = None


class TableOut(Schema):
    table: str
    count: int = Field(..., description="Rows in the whole table.")
    limit: int
    offset: int
    next: str | None = Field(None, description="Root-relative URL of the next page, or null.")
    previous: str | None = None
    results: list[dict[str, Any]]


def run(name: str, *args, **kwargs) -> Result:
    """An analytics figure; bad input becomes a 4xx ApiError, never a 500."""
    if not available(name):
        raise ApiError(404, "not_available", f"The {name} figures are not available on this server yet.")
    try:
        return figure(name, *args, **kwargs)
    except (UnknownArea, BadPeriod, ValueError) as exc:
        raise analytics_error(exc) from None


def period_of(q: PeriodQuery) -> tuple[str | None, str | None]:
    check_period(q.start, q.end)
    return q.start, q.end


def _url(request: HttpRequest, **changes) -> str:
    query = request.GET.copy()
    for key in ("format", "limit", "offset", "table"):
        query.pop(key, None)
    for key, value in changes.items():
        query[key] = value
    return f"{request.path_info}?{query.urlencode()}" if query else request.path_info


def _columns(rows: list[dict]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)


def result_response(request: HttpRequest, result: Result, q: ResultQuery, name: str, *,
                    body: dict | None = None):
    """The whole result (``body`` replaces its JSON form, e.g. GeoJSON), or one table."""
    if q.table is None and q.format == "json":
        out = body if body is not None else result.as_dict()
        verdict = wording.plain(result.method, jsonable(result.summary), area=result.area, period=result.period)
        out["plain"] = verdict.as_dict() if verdict else None
        out["links"] = {t: _url(request, table=t) for t in result.tables}
        return out
    table = q.table or next(iter(result.tables), None)
    if table not in result.tables:
        raise ApiError(400, "unknown_table", f"This result has no table {table!r}.",
                       hint=f"Its tables are: {', '.join(result.tables)}.",
                       errors=[{"parameter": "table", "location": "query",
                                "message": f"must be one of {', '.join(result.tables)}"}])
    rows = jsonable(result.tables[table])
    page = rows[q.offset:q.offset + q.limit]
    out = table_response(request, rows=page, count=len(rows), limit=q.limit, offset=q.offset, fmt=q.format,
                         name=f"{name}-{table}", columns=_columns(rows) or None)
    if isinstance(out, dict):
        out = {"table": table, **out}
    return out


#: The OpenAPI answers of a figure endpoint: the result, or one of its tables (JSON or CSV).
RESULT_OPENAPI = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}
