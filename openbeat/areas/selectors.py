"""Reads about areas (LSOAs, MSOAs, wards, boroughs), all from the lake through ``lakedb``.

Areas are not copied into the app database: the lake's ``areas`` reference dataset (code,
name, level, parent codes, web geometry; see ``openbeat.ingest.boundaries``) is the one
source, and the crime views ``crimes_geo`` (``openbeat.geo.rollup``) place each crime in its
current LSOA, ward and borough. Every function copes with a lake that lacks a dataset:
it returns nothing, and the page says there is no data yet.

The figures here are plain counts. Statistics (trends with tests, harm, hotspots, stop
and search, trust) come from ``openbeat.analytics`` and are wired in through
:func:`area_sections`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import shapely

from openbeat.lake import month_range
from openbeat.web import lakedb

#: Levels in the order a code is looked up (an LSOA code can be both 2011 and 2021).
LEVELS = ("borough", "ward", "msoa21", "lsoa21", "lsoa11")

LEVEL_NAMES = {
    "borough": "Borough",
    "ward": "Ward",
    "msoa21": "Middle layer super output area (MSOA)",
    "lsoa21": "Neighbourhood statistical area (LSOA 2021)",
    "lsoa11": "Neighbourhood statistical area (LSOA 2011, no longer current)",
}

#: Which level's areas make up an area, and the ``areas`` column that points up to it.
CHILDREN = {"borough": ("ward", "borough_code"), "ward": ("lsoa21", "ward_code"),
            "msoa21": ("lsoa21", "msoa_code")}

ASB = "Anti-social behaviour"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    approximate: bool = False  # boundary dissolved from LSOAs, not published
    ward_code: str | None = None
    borough_code: str | None = None
    msoa_code: str | None = None
    centroid_lat: float | None = None
    centroid_lon: float | None = None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, self.level)

    @property
    def parent_codes(self) -> dict[str, str]:
        """Codes of the areas this one lies in, largest first."""
        pairs = (("borough", self.borough_code), ("msoa21", self.msoa_code), ("ward", self.ward_code))
        return {level: code for level, code in pairs if code and code != self.code}


_AREA_COLUMNS = ("code", "name", "level", "approximate", "ward_code", "borough_code", "msoa_code",
                 "centroid_lat", "centroid_lon")


def _has(*names: str) -> bool:
    return set(names) <= lakedb.lake_state().datasets


def _area_columns() -> str:
    have = set(lakedb.columns("areas"))
    return ", ".join(c if c in have else f"NULL AS {c}" for c in _AREA_COLUMNS)


def _area(row: dict) -> Area:
    return Area(
        code=row["code"], name=row["name"] or row["code"], level=row["level"],
        approximate=bool(row["approximate"]), ward_code=row["ward_code"], borough_code=row["borough_code"],
        msoa_code=row["msoa_code"], centroid_lat=row["centroid_lat"], centroid_lon=row["centroid_lon"],
    )


def _level_order() -> str:
    return "CASE level " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(LEVELS)) + " ELSE 99 END"


def area_get(*, code: str) -> Area | None:
    """The area with this GSS code; a current level wins over LSOA 2011 when codes repeat."""
    if not _has("areas"):
        return None
    found = lakedb.rows(
        f"SELECT {_area_columns()} FROM areas WHERE code = ? ORDER BY {_level_order()} LIMIT 1", [code])
    return _area(found[0]) if found else None


def area_list(*, level: str | None = None, parent: str | None = None, q: str | None = None,
              limit: int = 100, offset: int = 0) -> tuple[list[Area], int]:
    """Areas matching the filters, by level then name, and how many match in all.

    ``parent`` is a borough, ward or MSOA code; ``q`` matches names and codes, any case.
    """
    if not _has("areas"):
        return [], 0
    where, params = [], []
    if level:
        where.append("level = ?")
        params.append(level)
    if parent:
        where.append("(borough_code = ? OR ward_code = ? OR msoa_code = ?) AND code <> ?")
        params += [parent] * 4
    if q:
        where.append("(name ILIKE ? ESCAPE '\\' OR code ILIKE ? ESCAPE '\\')")
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like]
    cond = " WHERE " + " AND ".join(where) if where else ""
    total = lakedb.rows(f"SELECT count(*) AS n FROM areas{cond}", params)[0]["n"]
    found = lakedb.rows(
        f"SELECT {_area_columns()} FROM areas{cond} ORDER BY {_level_order()}, name, code LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_area(r) for r in found], int(total)


def area_parents(*, area: Area) -> list[Area]:
    """The areas this one lies in, largest first (for breadcrumbs)."""
    out = []
    for code in area.parent_codes.values():
        parent = area_get(code=code)
        if parent is not None:
            out.append(parent)
    return out


def area_children(*, area: Area) -> list[Area]:
    if area.level not in CHILDREN or not _has("areas"):
        return []
    level, column = CHILDREN[area.level]
    found = lakedb.rows(
        f"SELECT {_area_columns()} FROM areas WHERE level = ? AND {column} = ? ORDER BY name, code",
        [level, area.code],
    )
    return [_area(r) for r in found]


# ---- crime counts ---------------------------------------------------------------------


def _crime_filter(area: Area) -> tuple[str, list] | None:
    """SQL condition on ``crimes_geo`` selecting the area's crimes."""
    if area.level == "borough":
        return "borough_code = ?", [area.code]
    if area.level == "ward":
        return "ward_code = ?", [area.code]
    if area.level == "lsoa21":
        return "lsoa21_code = ?", [area.code]
    if area.level == "lsoa11":
        return "lsoa_code = ?", [area.code]
    if area.level == "msoa21":
        return "lsoa21_code IN (SELECT code FROM areas WHERE level = 'lsoa21' AND msoa_code = ?)", [area.code]
    return None


@dataclass(frozen=True)
class MonthRange:
    first: str  # YYYY-MM
    last: str

    def months(self) -> list[str]:
        return month_range(self.first, self.last)


def crime_months_available() -> MonthRange | None:
    """First and last month of street crime in the lake (all forces)."""
    if not _has("crimes"):
        return None

    def compute() -> MonthRange | None:
        got = lakedb.rows("SELECT strftime(min(month), '%Y-%m') AS a, strftime(max(month), '%Y-%m') AS b FROM crimes")
        return MonthRange(got[0]["a"], got[0]["b"]) if got and got[0]["a"] else None

    return lakedb.memo("crime_months", compute)


def area_crime_months(*, area: Area, start: str | None = None, end: str | None = None) -> list[dict]:
    """Recorded crimes (anti-social behaviour apart) per month, zero-filled over the lake's months.

    Each row: ``{"month": "2024-03", "crimes": 41, "anti_social_behaviour": 12}``. Crimes
    police.uk could not place (no location) are in no area's count.
    """
    available = crime_months_available()
    cond = _crime_filter(area)
    if available is None or cond is None or "crimes_geo" not in lakedb.relations():
        return []
    first = max(start or available.first, available.first)
    last = min(end or available.last, available.last)
    if first > last:
        return []
    sql, params = cond
    counted = lakedb.rows(
        f"""SELECT strftime(month, '%Y-%m') AS month,
                   count(*) FILTER (WHERE crime_type <> '{ASB}') AS crimes,
                   count(*) FILTER (WHERE crime_type = '{ASB}') AS anti_social_behaviour
            FROM crimes_geo WHERE {sql} AND month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
            GROUP BY 1""",
        [*params, f"{first}-01", f"{last}-01"],
    )
    by_month = {r["month"]: r for r in counted}
    return [
        {"month": m, "crimes": int(by_month.get(m, {}).get("crimes", 0)),
         "anti_social_behaviour": int(by_month.get(m, {}).get("anti_social_behaviour", 0))}
        for m in month_range(first, last)
    ]


def _last_twelve(available: MonthRange) -> tuple[str, str]:
    months = month_range(available.first, available.last)[-12:]
    return months[0], months[-1]


@dataclass
class AreaMap:
    """A FeatureCollection of the area's parts (or the area itself) with crime counts."""

    features: list[dict] = field(default_factory=list)
    period: tuple[str, str] | None = None

    def geojson(self) -> dict:
        return {"type": "FeatureCollection", "features": self.features}


def _d3_winding(geojson_text: str) -> dict:
    """Exterior rings clockwise: d3-geo (inside Vega) takes anticlockwise rings as the
    whole globe minus the polygon. RFC 7946 asks readers to accept either winding."""
    geom = shapely.orient_polygons(shapely.from_geojson(geojson_text), exterior_cw=True)
    return json.loads(shapely.to_geojson(geom))


def area_map(*, area: Area) -> AreaMap:
    """The area's children (wards of a borough, LSOAs of a ward) with crimes in the last 12 months."""
    if not _has("areas"):
        return AreaMap()
    if "geometry_web" not in lakedb.columns("areas"):
        return AreaMap()
    if area.level in CHILDREN:
        level, column = CHILDREN[area.level]
        parts = lakedb.rows(
            f"SELECT code, name, level, geometry_web FROM areas WHERE level = ? AND {column} = ? "
            "AND geometry_web IS NOT NULL ORDER BY code", [level, area.code])
    else:
        parts = []
    if not parts:
        parts = lakedb.rows("SELECT code, name, level, geometry_web FROM areas WHERE code = ? AND level = ? "
                            "AND geometry_web IS NOT NULL", [area.code, area.level])
    counts: dict[str, int] = {}
    period = None
    available = crime_months_available()
    if parts and available and "crimes_geo" in lakedb.relations():
        period = _last_twelve(available)
        column = {"ward": "ward_code", "lsoa21": "lsoa21_code", "borough": "borough_code",
                  "lsoa11": "lsoa_code"}.get(parts[0]["level"])
        if column:
            placeholders = ", ".join("?" for _ in parts)
            for r in lakedb.rows(
                f"SELECT {column} AS code, count(*) AS n FROM crimes_geo WHERE {column} IN ({placeholders}) "
                f"AND crime_type <> '{ASB}' AND month BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY 1",
                [*(p["code"] for p in parts), f"{period[0]}-01", f"{period[1]}-01"],
            ):
                counts[r["code"]] = int(r["n"])
    features = [
        {"type": "Feature", "id": p["code"],
         "properties": {"code": p["code"], "name": p["name"] or p["code"], "level": p["level"],
                        "crimes": counts.get(p["code"], 0) if period else None},
         "geometry": _d3_winding(p["geometry_web"])}
        for p in parts
    ]
    return AreaMap(features, period)


# ---- the neighbourhood policing team ---------------------------------------------------


@dataclass
class Team:
    """A police.uk neighbourhood team covering a ward, as published (text, never HTML)."""

    force: str
    neighbourhood_id: str
    name: str
    description: str = ""
    email: str | None = None
    telephone: str | None = None
    url: str | None = None
    people: list[dict] = field(default_factory=list)  # name, rank, bio
    priorities: list[dict] = field(default_factory=list)  # issue, issued, action, actioned
    events: list[dict] = field(default_factory=list)  # upcoming: title, type, starts_at, ends_at, address


def _contact(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def area_team(*, area: Area, now=None) -> Team | None:
    """The neighbourhood team covering most of a ward (``neighbourhood_wards``), or None.

    Events are those not yet over at ``now`` (UK local time, as the API publishes them).
    """
    if area.level != "ward" or not _has("neighbourhood_wards", "neighbourhoods"):
        return None
    link = lakedb.rows(
        "SELECT force, neighbourhood_id FROM neighbourhood_wards WHERE ward_code = ? "
        "ORDER BY is_best DESC, share_of_ward DESC LIMIT 1", [area.code])
    if not link:
        return None
    key = [link[0]["force"], link[0]["neighbourhood_id"]]
    found = lakedb.rows(
        "SELECT name, description_text, url_force, contact_details FROM neighbourhoods "
        "WHERE force = ? AND neighbourhood_id = ? LIMIT 1", key)
    if not found:
        return None
    n = found[0]
    contact = _contact(n["contact_details"])
    team = Team(force=key[0], neighbourhood_id=key[1], name=n["name"] or key[1],
                description=(n["description_text"] or "").strip(), email=contact.get("email"),
                telephone=contact.get("telephone"), url=n["url_force"])
    if _has("neighbourhood_people"):
        team.people = lakedb.rows(
            "SELECT name, rank, bio_text AS bio FROM neighbourhood_people WHERE force = ? AND neighbourhood_id = ? "
            "ORDER BY position", key)
    if _has("neighbourhood_priorities"):
        team.priorities = lakedb.rows(
            "SELECT issue_text AS issue, CAST(issued_at AS DATE) AS issued, action_text AS action, "
            "CAST(actioned_at AS DATE) AS actioned FROM neighbourhood_priorities "
            "WHERE force = ? AND neighbourhood_id = ? ORDER BY issued_at DESC NULLS LAST, position", key)
    if _has("neighbourhood_events"):
        import datetime as dt
        from zoneinfo import ZoneInfo

        now = now or dt.datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None)
        team.events = lakedb.rows(
            "SELECT title, type, description_text AS description, address, starts_at, ends_at "
            "FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
            "AND coalesce(ends_at, starts_at) >= ? ORDER BY starts_at, position LIMIT 10", [*key, now])
    return team


# ---- the three questions --------------------------------------------------------------


@dataclass
class Section:
    """One of the three questions on an area page.

    ``status`` is 'ok' (figures below), 'no_data' (the lake lacks what this needs) or
    'not_yet' (the figure is not built yet). ``message`` says so in plain English.
    """

    key: str
    title: str
    question: str
    status: str = "not_yet"
    message: str = ""
    items: dict = field(default_factory=dict)


def area_sections(*, area: Area) -> dict[str, Section]:
    """Less crime, high standards, more trust: what the page can show for this area now."""
    less = Section("less-crime", "Less crime", "How much crime is there here, and is it going up or down?")
    months = area_crime_months(area=area)
    if months:
        less.status = "ok"
        less.items["months"] = months
        less.items["period"] = (months[0]["month"], months[-1]["month"])
        less.items["map"] = area_map(area=area)
    else:
        less.status = "no_data"
        less.message = "No street crime data has been loaded for this area yet."
    standards = Section(
        "high-standards", "High standards", "Is stop and search here used fairly and does it find what it looks for?",
        message="Stop and search figures for this area are not available yet.")
    trust = Section(
        "more-trust", "More trust", "Do people here trust the police, and is that changing?",
        message="Trust and confidence figures for this area are not available yet.")
    return {s.key: s for s in (less, standards, trust)}


# ---- finding an area ------------------------------------------------------------------


@dataclass
class FindResult:
    """What a search for a postcode, coordinates or place name found."""

    query: str
    located: dict | None = None  # openbeat.locate.locate() output
    areas: list[Area] = field(default_factory=list)  # areas containing the point, largest first
    matches: list[Area] = field(default_factory=list)  # areas whose name matches
    message: str = ""  # why nothing was found, in plain English
    locate_available: bool = True


def area_find(*, query: str, limit: int = 20) -> FindResult:
    """Areas for a postcode or "lat,lng" (through ``openbeat.locate``), else by name."""
    query = query.strip()
    result = FindResult(query)
    try:
        from openbeat.locate import LocateError, locate, parse_query
    except ImportError:
        result.locate_available = False
        locate = None
    if locate is not None:
        try:
            kind, _ = parse_query(query)
        except LocateError:
            kind = "name"
        if kind != "name":
            try:
                result.located = locate(lakedb.get_lake(), query)
            except LocateError as exc:
                result.message = str(exc)
                return result
            for level in ("borough", "ward", "msoa21", "lsoa21"):
                hit = result.located.get(level)
                if hit and (found := area_get(code=hit["code"])) is not None:
                    result.areas.append(found)
            if not result.areas:
                result.message = "That place is outside the areas this site has data for."
            return result
    result.matches, _ = area_list(q=query, limit=limit)
    if not result.matches:
        if not result.locate_available and _LOOKS_LIKE_PLACE.match(query):
            result.message = ("Searching by postcode or location is not available on this site yet. "
                              "Try part of a ward or borough name.")
        else:
            result.message = f"No area is called “{query}”. Try a postcode, or part of a ward or borough name."
    return result


# a postcode ("N13 4PN") or coordinates ("51.5,-0.12"): only for the message above
_LOOKS_LIKE_PLACE = re.compile(r"^\s*([A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}|[-+\d.]+\s*[, ]\s*[-+\d.]+)\s*$")
