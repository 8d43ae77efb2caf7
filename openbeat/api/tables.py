"""Tables: limit/offset paging with next links, and the same table as CSV.

Every endpoint that answers with rows returns :func:`table_response`, which gives

    {"count": 812, "limit": 100, "offset": 0,
     "next": "/api/areas?limit=100&offset=100", "previous": null, "results": [...]}

or, with ``?format=csv`` (or the path ending ``.csv``), the rows as CSV with a header
line, the same paging, and the next page in a ``Link`` header (RFC 8288). Links are
root-relative so they stay right behind any proxy or host name.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from pydantic import create_model

MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000


class Paging(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")
    format: Literal["json", "csv"] = Field("json", description="json, or csv for a spreadsheet.")


class Formatted(Schema):
    format: Literal["json", "csv"] = Field("json", description="json, or csv for a spreadsheet.")


def page_schema(item: type, name: str) -> type:
    """The JSON envelope of a paged table of ``item`` rows, for the OpenAPI document."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, Field(..., description="Rows in the whole table.")),
        limit=(int, ...),
        offset=(int, ...),
        next=(str | None, Field(None, description="Root-relative URL of the next page, or null.")),
        previous=(str | None, Field(None, description="Root-relative URL of the previous page, or null.")),
        results=(list[item], ...),
    )


#: Declare on table operations so the OpenAPI document lists the CSV answer too.
CSV_OPENAPI = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


def _url(request: HttpRequest, *, as_csv: bool, **changes) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    for key, value in changes.items():
        query[key] = str(value)
    return f"{request.path_info}{'.csv' if as_csv else ''}?{query.urlencode()}"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def to_csv(rows: Sequence[dict], columns: Sequence[str]) -> str:
    """Rows as CSV text; nested values as compact JSON, None as an empty cell.

    Cells starting with = + - @ are prefixed with ' so spreadsheet programs do not run
    them as formulas (CSV injection; area and place names come from outside sources).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for c in columns:
            cell = _cell(row.get(c))
            if cell[:1] in ("=", "+", "-", "@") and not _is_number(cell):
                cell = "'" + cell
            cells.append(cell)
        writer.writerow(cells)
    return buf.getvalue()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def table_response(request: HttpRequest, *, rows: list[dict], count: int, limit: int, offset: int,
                   fmt: str, name: str, columns: Sequence[str] | None = None,
                   flatten: Callable[[dict], dict] | None = None):
    """A page of a table, as the JSON envelope (a dict for ninja) or as a CSV response.

    ``rows`` is the page already cut by the caller's query; ``count`` the whole table's
    size. ``flatten`` turns a JSON row into a flat CSV row (e.g. drop ``links``).
    """
    as_csv = fmt == "csv"
    nxt = _url(request, as_csv=as_csv, limit=limit, offset=offset + limit) if offset + limit < count else None
    prev = _url(request, as_csv=as_csv, limit=limit, offset=max(offset - limit, 0)) if offset > 0 else None
    if fmt != "csv":
        return {"count": count, "limit": limit, "offset": offset, "next": nxt, "previous": prev, "results": rows}
    flat = [flatten(r) for r in rows] if flatten else rows
    cols = list(columns) if columns else (list(flat[0]) if flat else [])
    response = HttpResponse(to_csv(flat, cols), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    links = []
    if nxt:
        links.append(f'<{nxt}>; rel="next"')
    if prev:
        links.append(f'<{prev}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    response["X-Total-Count"] = str(count)
    return response

