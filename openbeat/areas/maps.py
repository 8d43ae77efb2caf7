"""Maps of areas: their parts as GeoJSON with their crimes, and the crimes at police.uk's points.

Rings are wound as d3-geo (inside Vega) draws them: see :func:`d3_winding`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from openbeat.analytics.store import BadPeriod
from openbeat.areas.area_figures import lake_months
from openbeat.areas.lake_reads import columns, has, rows
from openbeat.areas.lookup import ASB, COUNT_COLUMN, ListedArea
from openbeat.geo.simplify import area_feature, d3_wound
from openbeat.web.lake_access import get_store


@dataclass
class AreaMap:
    """A FeatureCollection of areas (with their crimes in ``period``) for a choropleth."""

    features: list[dict] = field(default_factory=list)
    period: tuple[str, str] | None = None
    level: str | None = None

    def geojson(self) -> dict:
        return {"type": "FeatureCollection", "features": self.features}


def d3_winding(geometry: dict | str) -> dict:
    """The geometry with its rings wound as d3-geo draws them (:func:`openbeat.geo.simplify.d3_wound`)."""
    return json.loads(d3_wound(geometry))


def map_levels(area: ListedArea) -> tuple[str, ...]:
    """The levels a map of the area can show (its parts, then smaller ones, then itself)."""
    return {"force": ("borough", "ward"), "borough": ("ward", "lsoa21"), "ward": ("lsoa21",),
            "msoa21": ("lsoa21",)}.get(area.level, ()) + (("self",) if area.level != "force" else ())


def area_map(*, area: ListedArea, level: str | None = None, first: str | None = None,
             last: str | None = None) -> AreaMap:
    """Areas of ``level`` within the area (default its parts), with crimes in ``first``..``last``
    (default the latest 12 months)."""
    if not has("areas") or "geometry_web" not in columns("areas"):
        return AreaMap()
    level = level or (map_levels(area) or ("self",))[0]
    have = columns("areas")
    # where a map writes each area's name (its centroid, as stored)
    label_at = ", ".join(c if c in have else f"NULL AS {c}" for c in ("centroid_lat", "centroid_lon"))
    if level not in map_levels(area):
        raise ValueError(f"a map of {area.name} can show: {', '.join(map_levels(area))}")
    if level == "self":
        parts = rows(f"SELECT code, name, level, geometry_web, {label_at} FROM areas WHERE code = ? AND level = ? "
                      "AND geometry_web IS NOT NULL", [area.code, area.level])
    elif area.level == "force":
        parts = rows(
            f"SELECT code, name, level, geometry_web, {label_at} FROM areas WHERE level = ? AND geometry_web IS NOT NULL "
            "AND coalesce(borough_code, code) IN (SELECT DISTINCT borough_code FROM crime_counts WHERE force = ?) "
            "ORDER BY code", [level, area.code])
    else:
        column = {"borough": "borough_code", "ward": "ward_code", "msoa21": "msoa_code"}[area.level]
        parts = rows(f"SELECT code, name, level, geometry_web, {label_at} FROM areas WHERE level = ? AND {column} = ? "
                      "AND geometry_web IS NOT NULL ORDER BY code", [level, area.code])
    counts: dict[str, int] = {}
    period = None
    column = COUNT_COLUMN.get(parts[0]["level"]) if parts else None
    if column and has("crimes"):
        try:
            p = get_store().period(first, last)
        except BadPeriod:
            p = None
        if p is not None:
            period = (f"{p.first:%Y-%m}", f"{p.last:%Y-%m}")
            for r in rows(
                f"SELECT {column} AS code, sum(n)::BIGINT AS n FROM crime_counts WHERE {column} IN "
                f"(SELECT unnest(?::VARCHAR[])) AND crime_type <> ? AND month BETWEEN ? AND ? GROUP BY 1",
                [[x["code"] for x in parts], ASB, p.first, p.last],
            ):
                counts[r["code"]] = int(r["n"])
    features = [
        json.loads(area_feature(x["code"], x["name"] or x["code"], d3_wound(x["geometry_web"]), feature_id=True,
                                level=x["level"], crimes=counts.get(x["code"], 0) if period else None,
                                label_lat=x["centroid_lat"], label_lon=x["centroid_lon"]))
        for x in parts
    ]
    return AreaMap(features, period, parts[0]["level"] if parts else None)


def crime_points(*, area: ListedArea, month: str | None = None):
    """Crimes at police.uk's anonymised points in ``month`` (default the lake's latest), a
    CrimePoints; None for an area level crimes are not placed in (MSOA, LSOA 2011)."""
    from openbeat.analytics.points import CrimePoints
    from openbeat.analytics.points import crime_points as points
    from openbeat.analytics.store import LEVEL_COLUMN

    if area.level not in LEVEL_COLUMN:
        return None
    months = lake_months()
    month = month or (months[1] if months else None)
    if month is None or not has("crimes"):
        return CrimePoints(month=month or "")
    return points(get_store(), area.code, month)
