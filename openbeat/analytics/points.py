"""Crimes at police.uk's anonymised points: one area, one month, counted per point and category.

police.uk never publishes where a crime happened: each crime is moved to the nearest of a
fixed set of map points (the middle of a street, a park, a station...), chosen so that
every point serves enough addresses. The lake keeps those points' longitude and latitude as
published, so counting crimes per point and category gives police.uk's own street map with
nothing more precise, and nothing about a person, than police.uk shows.

A point belongs to the area when the crime was placed in it (``crimes_geo``); a force's
map is every crime it located, as on the hot spot map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Points answered at most (most crimes first): enough for a busy borough's month; a force's
#: month beyond it is cut, and says so (``truncated``).
MAX_POINTS = 5_000


@dataclass
class CrimePoints:
    month: str  # YYYY-MM
    points: list[dict] = field(default_factory=list)  # latitude, longitude, location, crimes, counts
    categories: dict[str, int] = field(default_factory=dict)  # crime type -> crimes (all points)
    crimes: int = 0  # located crimes in the area this month (all points, including any cut)
    points_total: int = 0  # points before any cut
    truncated: bool = False


def crime_points(store, code: str, month: str, *, limit: int = MAX_POINTS) -> CrimePoints:
    """Located crimes in area ``code`` in ``month`` (YYYY-MM), counted per police.uk point and
    crime type; the busiest ``limit`` points. Unknown areas raise UnknownArea."""
    from openbeat.analytics.store import parse_month

    area = store.area(code)
    first = parse_month(month)
    return store.memo(("crime_points", area.code, first, limit), lambda: _points(store, area, first, limit))


def _points(store, area, first, limit: int) -> CrimePoints:
    relation = "crimes" if area.level == "force" else "crimes_geo"
    found = CrimePoints(month=f"{first:%Y-%m}")
    if not store.has(relation):
        return found
    rows = store.cursor().execute(
        f"SELECT latitude, longitude, any_value(location) AS location, crime_type, count(*)::BIGINT AS n "
        f"FROM {relation} WHERE {area.column} = ? AND month = ? AND latitude IS NOT NULL "
        "AND longitude IS NOT NULL GROUP BY latitude, longitude, crime_type",
        [area.code, first]).fetchall()
    by_point: dict[tuple[float, float], dict] = {}
    for lat, lon, location, crime_type, n in rows:
        point = by_point.setdefault((lat, lon), {"latitude": lat, "longitude": lon, "location": location or "",
                                                 "crimes": 0, "counts": {}})
        point["counts"][crime_type] = int(n)
        point["crimes"] += int(n)
        found.categories[crime_type] = found.categories.get(crime_type, 0) + int(n)
    points = sorted(by_point.values(), key=lambda p: (-p["crimes"], p["latitude"], p["longitude"]))
    for p in points:
        p["counts"] = dict(sorted(p["counts"].items()))
    found.categories = dict(sorted(found.categories.items()))
    found.crimes = sum(found.categories.values())
    found.points_total = len(points)
    found.truncated = len(points) > limit
    found.points = points[:limit]
    return found
