"""The shape every lake-facing figure comes back in, for the CLI, the web pages and the API.

A :class:`Result` has headline figures (``summary``), named tables (lists of rows; the
first is the one CSV export gives), the sources and period it was computed from, and
plain-English notes on how to read it. Every number in it is plain JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass
class Result:
    method: str
    title: str
    summary: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    area: dict[str, Any] | None = None
    period: dict[str, str] | None = None
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    licence: str = OGL
    geojson: dict | None = None  # for maps: a FeatureCollection whose properties hold the figures

    @property
    def main_table(self) -> list[dict[str, Any]]:
        return next(iter(self.tables.values()), [])

    def as_dict(self, *, geojson: bool = False) -> dict[str, Any]:
        out = {
            "method": self.method, "title": self.title, "area": self.area, "period": self.period,
            "summary": self.summary, "tables": self.tables, "sources": self.sources,
            "notes": self.notes, "licence": self.licence,
        }
        if geojson and self.geojson is not None:
            out["geojson"] = self.geojson
        return jsonable(out)



def area_dict(area) -> dict[str, Any]:
    """The area a result is about, as its ``area`` field: code, name, level, the ward and
    borough it lies in, and whether its boundary is approximate (dissolved from LSOAs).

    ``area`` is an :class:`openbeat.analytics.store.Area` (anything with those attributes).
    """
    return {"code": area.code, "name": area.name, "level": area.level, "ward_code": area.ward_code,
            "borough_code": area.borough_code, "approximate": area.approximate}

def jsonable(v: Any) -> Any:
    """Plain JSON: dates as ISO strings, NaN and infinities as None, numpy scalars as Python."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalar
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
