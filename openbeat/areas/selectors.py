"""Reads about areas: names and boundaries, neighbourhood teams, and the figures of each area.

Everything comes from the process's analytics store (:mod:`openbeat.web.lake_access`): the
lake's ``areas`` reference dataset (code, name, level, parent codes, web geometry; see
``openbeat.ingest.boundaries``) is the one list of areas, and the figures are the
:mod:`openbeat.analytics` results, fetched through :func:`openbeat.web.shared_figures.figure`.
Nothing here opens DuckDB: look-ups no analytics function makes run on
``get_store().cursor()``. Every function copes with a lake that lacks a dataset: it
returns nothing, and the page says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import shapely
from django.conf import settings

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.result import Result
from openbeat.analytics.store import BadPeriod, UnknownArea
from openbeat.web.lake_access import StoreLake, get_store, lake_state
from openbeat.web.resident import for_residents
from openbeat.web.shared_figures import available as figure_available  # noqa: F401 (for views)
from openbeat.web.shared_figures import figure, sentence

#: Levels in the order a code is looked up (an LSOA code can be both 2011 and 2021).
LEVELS = ("borough", "ward", "msoa21", "lsoa21", "lsoa11")
#: Levels the API filters on; a force is an area too (its police.uk slug is its code).
ALL_LEVELS = ("force", *LEVELS)

LEVEL_NAMES = {
    "force": "Police force",
    "borough": "Borough",
    "ward": "Ward",
    "msoa21": "Middle layer super output area (MSOA)",
    "lsoa21": "Neighbourhood statistical area (LSOA 2021)",
    "lsoa11": "Neighbourhood statistical area (LSOA 2011, no longer current)",
}

#: Which level's areas make up an area, and the ``areas`` column that points up to it.
CHILDREN = {"borough": ("ward", "borough_code"), "ward": ("lsoa21", "ward_code"),
            "msoa21": ("lsoa21", "msoa_code")}
#: The ``crime_counts`` column holding an area's code at each level.
COUNT_COLUMN = {"borough": "borough_code", "ward": "ward_code", "lsoa21": "lsoa21_code"}

ASB = harm_lib.ASB
CRIME_TYPES = harm_lib.CRIME_TYPES
ALL_CRIME = "All crime (excluding anti-social behaviour)"

#: The analytics figures that exist for each level.
FIGURES = {
    "force": ("profile", "stop_search", "trust"),
    "borough": ("profile", "hotspots", "stop_search", "trust"),
    "ward": ("profile", "hotspots", "stop_search", "trust"),
    "lsoa21": ("profile",),
}


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

    @property
    def figures(self) -> tuple[str, ...]:
        return FIGURES.get(self.level, ())


_AREA_COLUMNS = ("code", "name", "level", "approximate", "ward_code", "borough_code", "msoa_code",
                 "centroid_lat", "centroid_lon")


def _has(*names: str) -> bool:
    return set(names) <= lake_state().datasets


def _rows(sql: str, params: list | tuple = ()) -> list[dict]:
    cur = get_store().cursor()
    try:
        got = cur.execute(sql, list(params))
        names = [d[0] for d in got.description]
        return [dict(zip(names, r)) for r in got.fetchall()]
    finally:
        cur.close()


def _columns(relation: str) -> set[str]:
    store = get_store()
    return store.memo(("web_columns", relation), lambda: {r["column_name"] for r in _rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [relation])})


def _area_columns() -> str:
    have = _columns("areas")
    return ", ".join(c if c in have else f"NULL AS {c}" for c in _AREA_COLUMNS)


def _area(row: dict) -> Area:
    return Area(
        code=row["code"], name=row["name"] or row["code"], level=row["level"],
        approximate=bool(row["approximate"]), ward_code=row["ward_code"], borough_code=row["borough_code"],
        msoa_code=row["msoa_code"], centroid_lat=row["centroid_lat"], centroid_lon=row["centroid_lon"],
    )


def _level_order() -> str:
    return "CASE level " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(LEVELS)) + " ELSE 99 END"


def forces() -> list[Area]:
    """Forces with street crime in the lake (their police.uk slug is their code)."""
    if not _has("crimes"):
        return []
    store = get_store()
    # the store lists forces from the crimes files themselves: once per state of the lake
    return store.memo("web_forces", lambda: [Area(a.code, a.name, "force") for a in store.areas("force")])


def _memo(key, compute):
    """``compute()`` once per state of the lake (look-ups pages repeat on every visit)."""
    return get_store().memo(("web",) + key, compute)


def area_get(*, code: str) -> Area | None:
    """The area with this code (GSS code, or a force's slug); a current level wins over LSOA 2011."""
    return _memo(("area", code), lambda: _area_get(code))


def _area_get(code: str) -> Area | None:
    if _has("areas"):
        found = _rows(f"SELECT {_area_columns()} FROM areas WHERE code = ? ORDER BY {_level_order()} LIMIT 1", [code])
        if found:
            return _area(found[0])
    return next((f for f in forces() if f.code == code), None)


def area_list(*, level: str | None = None, parent: str | None = None, q: str | None = None,
              limit: int = 100, offset: int = 0) -> tuple[list[Area], int]:
    """Areas matching the filters, by level then name, and how many match in all.

    ``parent`` is a force, borough, ward or MSOA code; ``q`` matches names and codes, any case.
    Forces come first when no level (or ``force``) is asked for.
    """
    pool: list[Area] = []
    if level in (None, "force") and not parent:
        like = (q or "").lower()
        pool = [f for f in forces() if like in f.name.lower() or like in f.code.lower()]
    if level == "force" or not _has("areas"):
        return pool[offset:offset + limit], len(pool)
    where, params = [], []
    if level:
        where.append("level = ?")
        params.append(level)
    if parent:
        if any(f.code == parent for f in forces()):
            # every area of the boroughs the force's crimes fall in
            where.append("coalesce(borough_code, code) IN (SELECT DISTINCT borough_code FROM crime_counts "
                         "WHERE force = ? AND borough_code IS NOT NULL)")
            params.append(parent)
        else:
            where.append("(borough_code = ? OR ward_code = ? OR msoa_code = ?) AND code <> ?")
            params += [parent] * 4
    if q:
        where.append("(name ILIKE ? ESCAPE '\\' OR code ILIKE ? ESCAPE '\\')")
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like]
    cond = " WHERE " + " AND ".join(where) if where else ""
    total = _rows(f"SELECT count(*) AS n FROM areas{cond}", params)[0]["n"] + len(pool)
    skip = max(offset - len(pool), 0)
    take = limit - len(pool[offset:offset + limit])
    found = _rows(
        f"SELECT {_area_columns()} FROM areas{cond} ORDER BY {_level_order()}, name, code LIMIT ? OFFSET ?",
        [*params, take, skip],
    ) if take > 0 else []
    return pool[offset:offset + limit] + [_area(r) for r in found], int(total)


def area_parents(*, area: Area) -> list[Area]:
    """The areas this one lies in, largest first (for breadcrumbs)."""
    out = []
    for code in area.parent_codes.values():
        parent = area_get(code=code)
        if parent is not None:
            out.append(parent)
    return out


def area_children(*, area: Area) -> list[Area]:
    return _memo(("children", area.code, area.level), lambda: _area_children(area))


def _area_children(area: Area) -> list[Area]:
    if area.level == "force":
        return [b for b in (area_get(code=a.code) for a in get_store().areas("borough", within=area.code)) if b]
    if area.level not in CHILDREN or not _has("areas"):
        return []
    level, column = CHILDREN[area.level]
    found = _rows(f"SELECT {_area_columns()} FROM areas WHERE level = ? AND {column} = ? ORDER BY name, code",
                  [level, area.code])
    return [_area(r) for r in found]


def area_force(*, area: Area) -> Area | None:
    """The force whose crimes mostly fall in the area (for links to force-wide figures)."""
    return _memo(("force", area.code, area.level), lambda: _area_force(area))


def _area_force(area: Area) -> Area | None:
    if area.level == "force":
        return area
    column = COUNT_COLUMN.get(area.level)
    if column is None or not _has("crimes"):
        return None
    row = _rows(f"SELECT force FROM crime_counts WHERE {column} = ? GROUP BY 1 ORDER BY sum(n) DESC LIMIT 1",
                [area.code])
    return next((f for f in forces() if row and f.code == row[0]["force"]), None)


# ---- maps -------------------------------------------------------------------------------


@dataclass
class AreaMap:
    """A FeatureCollection of areas (with their crimes in ``period``) for a choropleth."""

    features: list[dict] = field(default_factory=list)
    period: tuple[str, str] | None = None
    level: str | None = None

    def geojson(self) -> dict:
        return {"type": "FeatureCollection", "features": self.features}


def d3_winding(geometry: dict | str) -> dict:
    """Exterior rings clockwise: d3-geo (inside Vega) takes anticlockwise rings as the whole
    globe minus the polygon. RFC 7946 asks readers to accept either winding."""
    text = geometry if isinstance(geometry, str) else json.dumps(geometry)
    geom = shapely.orient_polygons(shapely.from_geojson(text), exterior_cw=True)
    return json.loads(shapely.to_geojson(geom))


def map_levels(area: Area) -> tuple[str, ...]:
    """The levels a map of the area can show (its parts, then smaller ones, then itself)."""
    return {"force": ("borough", "ward"), "borough": ("ward", "lsoa21"), "ward": ("lsoa21",),
            "msoa21": ("lsoa21",)}.get(area.level, ()) + (("self",) if area.level != "force" else ())


def area_map(*, area: Area, level: str | None = None, first: str | None = None,
             last: str | None = None) -> AreaMap:
    """Areas of ``level`` within the area (default its parts), with crimes in ``first``..``last``
    (default the latest 12 months)."""
    if not _has("areas") or "geometry_web" not in _columns("areas"):
        return AreaMap()
    level = level or (map_levels(area) or ("self",))[0]
    have = _columns("areas")
    # where a map writes each area's name (its centroid, as stored)
    label_at = ", ".join(c if c in have else f"NULL AS {c}" for c in ("centroid_lat", "centroid_lon"))
    if level not in map_levels(area):
        raise ValueError(f"a map of {area.name} can show: {', '.join(map_levels(area))}")
    if level == "self":
        parts = _rows(f"SELECT code, name, level, geometry_web, {label_at} FROM areas WHERE code = ? AND level = ? "
                      "AND geometry_web IS NOT NULL", [area.code, area.level])
    elif area.level == "force":
        parts = _rows(
            f"SELECT code, name, level, geometry_web, {label_at} FROM areas WHERE level = ? AND geometry_web IS NOT NULL "
            "AND coalesce(borough_code, code) IN (SELECT DISTINCT borough_code FROM crime_counts WHERE force = ?) "
            "ORDER BY code", [level, area.code])
    else:
        column = {"borough": "borough_code", "ward": "ward_code", "msoa21": "msoa_code"}[area.level]
        parts = _rows(f"SELECT code, name, level, geometry_web, {label_at} FROM areas WHERE level = ? AND {column} = ? "
                      "AND geometry_web IS NOT NULL ORDER BY code", [level, area.code])
    counts: dict[str, int] = {}
    period = None
    column = COUNT_COLUMN.get(parts[0]["level"]) if parts else None
    if column and _has("crimes"):
        try:
            p = get_store().period(first, last)
        except BadPeriod:
            p = None
        if p is not None:
            period = (f"{p.first:%Y-%m}", f"{p.last:%Y-%m}")
            for r in _rows(
                f"SELECT {column} AS code, sum(n)::BIGINT AS n FROM crime_counts WHERE {column} IN "
                f"(SELECT unnest(?::VARCHAR[])) AND crime_type <> ? AND month BETWEEN ? AND ? GROUP BY 1",
                [[x["code"] for x in parts], ASB, p.first, p.last],
            ):
                counts[r["code"]] = int(r["n"])
    features = [
        {"type": "Feature", "id": x["code"],
         "properties": {"code": x["code"], "name": x["name"] or x["code"], "level": x["level"],
                        "crimes": counts.get(x["code"], 0) if period else None,
                        "label_lat": x["centroid_lat"], "label_lon": x["centroid_lon"]},
         "geometry": d3_winding(x["geometry_web"])}
        for x in parts
    ]
    return AreaMap(features, period, parts[0]["level"] if parts else None)


# ---- statistical areas ------------------------------------------------------------------


@dataclass
class StatisticalArea:
    """What an MSOA page shows: crimes in its LSOAs over the latest 12 months, and its wards."""

    period: tuple[str, str] | None = None
    crimes: int | None = None
    anti_social_behaviour: int | None = None
    parts: list[dict] = field(default_factory=list)  # code, name, crimes (its LSOAs, most crime first)
    wards: list[Area] = field(default_factory=list)  # the wards its LSOAs lie in, by name


def statistical_area(*, area: Area) -> StatisticalArea | None:
    """An MSOA's crimes (the sum of its LSOAs', where police.uk places them) and the wards it lies in.

    The analytics figures are given for LSOAs, wards, boroughs and forces; an MSOA is made of
    whole LSOAs, so its count is theirs added up, and its wards lead to the tested figures.
    """
    if area.level != "msoa21" or not _has("areas"):
        return None
    return _memo(("statistical", area.code), lambda: _statistical_area(area))


def _statistical_area(area: Area) -> StatisticalArea:
    lsoas = _rows("SELECT code, name, ward_code FROM areas WHERE level = 'lsoa21' AND msoa_code = ? ORDER BY code",
                  [area.code])
    out = StatisticalArea()
    ward_codes = sorted({r["ward_code"] for r in lsoas if r["ward_code"]})
    out.wards = sorted((w for w in (area_get(code=c) for c in ward_codes) if w is not None), key=lambda w: w.name)
    if not _has("crimes") or not lsoas:
        return out
    try:
        p = get_store().period()
    except BadPeriod:
        return out
    out.period = (f"{p.first:%Y-%m}", f"{p.last:%Y-%m}")
    counts = {r["code"]: (int(r["crimes"]), int(r["asb"])) for r in _rows(
        "SELECT lsoa21_code AS code, sum(n) FILTER (WHERE crime_type <> ?)::BIGINT AS crimes, "
        "coalesce(sum(n) FILTER (WHERE crime_type = ?), 0)::BIGINT AS asb FROM crime_counts "
        "WHERE lsoa21_code IN (SELECT unnest(?::VARCHAR[])) AND month BETWEEN ? AND ? GROUP BY 1",
        [ASB, ASB, [r["code"] for r in lsoas], p.first, p.last])}
    out.parts = sorted(({"code": r["code"], "name": r["name"] or r["code"], "crimes": counts.get(r["code"], (0, 0))[0]}
                        for r in lsoas), key=lambda r: (-r["crimes"], r["name"]))
    out.crimes = sum(c for c, _ in counts.values())
    out.anti_social_behaviour = sum(a for _, a in counts.values())
    return out


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
    people: list[dict] = field(default_factory=list)  # name, rank, bio, photo, contact (routes), social
    priorities: list[dict] = field(default_factory=list)  # issue, issued, action, actioned
    events: list[dict] = field(default_factory=list)  # upcoming: title, type, starts_at, ends_at, address
    past_events: list[dict] = field(default_factory=list)  # the latest that are over, newest first
    stations: list[dict] = field(default_factory=list)  # name, address, postcode, type, opening (description)
    contact: list[dict] = field(default_factory=list)  # label, value, href: every published way to reach them
    social: list[dict] = field(default_factory=list)  # label, href
    links: list[dict] = field(default_factory=list)  # title, href, description (council pages and the like)


#: police.uk contact_details keys: how to reach someone (label, href prefix) and social sites.
CONTACT_ROUTES = {"email": ("Email", "mailto:"), "telephone": ("Telephone", "tel:"), "mobile": ("Mobile", "tel:"),
                  "web": ("Web page", ""), "address": ("Address", None), "fax": ("Fax", None)}
SOCIAL = {"twitter": "X (Twitter)", "facebook": "Facebook", "youtube": "YouTube", "flickr": "Flickr",
          "forum": "Forum", "blog": "Blog", "rss": "News feed (RSS)", "instagram": "Instagram",
          "myspace": "Myspace", "bebo": "Bebo"}
#: Only these link schemes are shown: police.uk text is never trusted to be a safe URL.
_SAFE_URL = re.compile(r"^(https?://|mailto:|tel:)", re.I)


def _href(url: str | None) -> str | None:
    url = (url or "").strip()
    return url if _SAFE_URL.match(url) else None


def contact_routes(details: dict) -> tuple[list[dict], list[dict]]:
    """police.uk ``contact_details`` as (ways to reach them, social links), each with a safe href or none."""
    routes, social = [], []
    for key, (label, prefix) in CONTACT_ROUTES.items():
        value = str(details.get(key) or "").strip()
        if value:
            href = _href(prefix + (value.replace(" ", "") if prefix == "tel:" else value)) if prefix is not None else None
            routes.append({"label": label, "value": value, "href": href})
    for key, label in SOCIAL.items():
        href = _href(str(details.get(key) or ""))
        if href:
            social.append({"label": label, "href": href})
    return routes, social


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _contact(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def neighbourhood_ward(*, force: str, neighbourhood_id: str) -> str | None:
    """The ward a police.uk neighbourhood covers most of."""
    if not _has("neighbourhood_wards"):
        return None
    row = _rows("SELECT ward_code FROM neighbourhood_wards WHERE force = ? AND neighbourhood_id = ? "
                "ORDER BY is_best DESC, share_of_neighbourhood DESC LIMIT 1", [force, neighbourhood_id])
    return row[0]["ward_code"] if row else None


def area_team(*, area: Area, now: dt.datetime | None = None) -> Team | None:
    """The neighbourhood team covering most of a ward (``neighbourhood_wards``), or None.

    Only the stored plain-text fields are read (``description_text``, ``issue_text``…):
    police.uk's HTML is never shown as HTML. Events are those not yet over at ``now``
    (UK local time, as the API publishes them; by default the start of this hour).
    """
    from zoneinfo import ZoneInfo

    now = now or dt.datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    return _memo(("team", area.code, area.level, now), lambda: _area_team(area, now))


def _area_team(area: Area, now: dt.datetime) -> Team | None:
    if area.level != "ward" or not _has("neighbourhood_wards", "neighbourhoods"):
        return None
    link = _rows("SELECT force, neighbourhood_id FROM neighbourhood_wards WHERE ward_code = ? "
                 "ORDER BY is_best DESC, share_of_ward DESC LIMIT 1", [area.code])
    if not link:
        return None
    key = [link[0]["force"], link[0]["neighbourhood_id"]]
    have = _columns("neighbourhoods")
    extra = ", ".join(c if c in have else f"NULL AS {c}" for c in ("links", "locations"))
    found = _rows(f"SELECT name, description_text, url_force, contact_details, {extra} FROM neighbourhoods "
                  "WHERE force = ? AND neighbourhood_id = ? LIMIT 1", key)
    if not found:
        return None
    n = found[0]
    contact = _contact(n["contact_details"])
    team = Team(force=key[0], neighbourhood_id=key[1], name=n["name"] or key[1],
                description=(n["description_text"] or "").strip(), email=contact.get("email"),
                telephone=contact.get("telephone"), url=_href(n["url_force"]))
    team.contact, team.social = contact_routes(contact)
    team.links = [{"title": str(x.get("title") or x.get("url")), "href": _href(x.get("url")),
                   "description": x.get("description")}
                  for x in _json_list(n["links"]) if isinstance(x, dict) and _href(x.get("url"))]
    team.stations = [{"name": x.get("name"), "type": x.get("type"), "postcode": x.get("postcode"),
                      "address": ", ".join(p.strip(" ,") for p in str(x.get("address") or "").splitlines()
                                           if p.strip(" ,")),
                      "opening": _plain_text(x.get("description"))}
                     for x in _json_list(n["locations"]) if isinstance(x, dict)]
    if _has("neighbourhood_people"):
        team.people = []
        for p in _rows("SELECT name, rank, bio_text AS bio, contact_details FROM neighbourhood_people "
                       "WHERE force = ? AND neighbourhood_id = ? ORDER BY position", key):
            details = _contact(p.pop("contact_details"))
            p["contact"], p["social"] = contact_routes(details)
            p["photo"] = _href(details.get("photo") or details.get("image"))  # police.uk rarely publishes one
            team.people.append(p)
    if _has("neighbourhood_priorities"):
        team.priorities = _rows(
            "SELECT issue_text AS issue, CAST(issued_at AS DATE) AS issued, action_text AS action, "
            "CAST(actioned_at AS DATE) AS actioned FROM neighbourhood_priorities "
            "WHERE force = ? AND neighbourhood_id = ? ORDER BY issued_at DESC NULLS LAST, position", key)
    if _has("neighbourhood_events"):
        team.events = _rows(
            "SELECT title, type, description_text AS description, address, starts_at, ends_at "
            "FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
            "AND coalesce(ends_at, starts_at) >= ? ORDER BY starts_at, position LIMIT 10", [*key, now])
        team.past_events = _rows(
            "SELECT title, type, description_text AS description, address, starts_at, ends_at "
            "FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
            "AND coalesce(ends_at, starts_at) < ? ORDER BY starts_at DESC, position LIMIT 5", [*key, now])
    return team


def _plain_text(value) -> str | None:
    """A location's description (opening times, usually) as plain text."""
    from openbeat.ingest.neighbourhoods import html_to_text

    text = html_to_text(value) if value else None
    return text.strip() if text and text.strip() else None


# ---- figures ----------------------------------------------------------------------------


@dataclass
class Figure:
    """An analytics result for a page, or the plain-English reason there is none."""

    result: Result | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.result is not None


def get_figure(name: str, *args, **kwargs) -> Figure:
    """``figure(...)``, with the analytics library's input errors as a message, not an exception."""
    try:
        return Figure(figure(name, *args, **kwargs))
    except (UnknownArea, BadPeriod, ValueError) as exc:
        return Figure(None, for_residents(sentence(str(exc))))


def crime_points(*, area: Area, month: str | None = None):
    """Crimes at police.uk's anonymised points in ``month`` (default the lake's latest), a
    CrimePoints; None for an area level crimes are not placed in (MSOA, LSOA 2011)."""
    from openbeat.analytics.points import CrimePoints
    from openbeat.analytics.points import crime_points as points
    from openbeat.analytics.store import LEVEL_COLUMN

    if area.level not in LEVEL_COLUMN:
        return None
    months = lake_months()
    month = month or (months[1] if months else None)
    if month is None or not _has("crimes"):
        return CrimePoints(month=month or "")
    return points(get_store(), area.code, month)


def lake_months() -> tuple[str, str] | None:
    """First and last month of crime in the lake, YYYY-MM."""
    if not _has("crimes"):
        return None
    months = _memo(("months",), get_store().months)
    return (f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}") if months else None


def ward_survey():
    """The ward survey responses the trust figures read (a CSV path), or None: the trust
    pulse's weighted answers beside any survey imported through ``OPENBEAT_WARD_SURVEY``."""
    from openbeat.surveys.selectors import ward_survey_file

    return ward_survey_file(imported=settings.OPENBEAT_WARD_SURVEY)


@dataclass
class AreaFigures:
    """Everything an area page shows, by question. Each is a :class:`Figure`."""

    profile: Figure  # the latest 12 months, with the change on a year earlier
    trend: Figure  # every month the lake holds
    hotspots: Figure
    stop_search: Figure
    trust: Figure
    trust_series: Figure  # every PAS quarter in the lake's months
    compare: Figure  # the area's parts against each other (force: boroughs; borough: wards)


def area_latest_month(*, area: Area, dataset: str = "crimes") -> str | None:
    """The latest month (YYYY-MM) every own force of the area published: where its periods end."""
    from openbeat.analytics.coverage import Coverage

    def compute():
        store = get_store()
        try:
            found = store.area(area.code)
        except UnknownArea:
            return None
        cov = Coverage(store)
        end = cov.default_end(cov.own_forces(found, dataset), dataset)
        return f"{end:%Y-%m}" if end else None
    if not _has(dataset):
        return None
    return _memo(("latest", dataset, area.code), compute)


def area_figures(*, area: Area, first: str | None = None, last: str | None = None) -> AreaFigures:
    """The analytics figures of an area page over ``first``..``last`` (default: the latest 12
    months its own forces published); each says why when it cannot be shown."""
    none = Figure(None, "")
    has = area.figures
    months = lake_months()
    crimes = months is not None
    no_crime = Figure(None, "No street crime data has been loaded for this area yet." if not crimes else "")
    profile = get_figure("profile", area.code, first, last) if crimes and "profile" in has else no_crime
    trend = get_figure("profile", area.code, months[0], months[1]) if crimes and "profile" in has else no_crime
    if "hotspots" in has and crimes:
        hotspots = get_figure("hotspots", area.code, first, last)
    else:
        hotspots = none
    if "stop_search" not in has:
        stop_search = none
    elif not _has("stop_searches"):
        stop_search = Figure(None, "No stop and search data has been loaded yet.")
    else:
        stop_search = get_figure("stop_search", area.code, first, last)
    if "trust" not in has:
        trust = trust_series = none
    elif not _has("pas"):
        trust = trust_series = Figure(None, "No trust and confidence survey (the Public Attitude Survey) has "
                                            "been loaded yet.")
    else:
        survey = ward_survey()
        trust = get_figure("trust", area.code, first, last, responses=survey)
        trust_series = get_figure("trust", area.code, months[0], months[1]) if months else trust
    compare = none
    if crimes and area.level in ("force", "borough") and _has("population"):
        level = "borough" if area.level == "force" else "ward"
        compare = get_figure("compare", level, area.code, first, last)
    return AreaFigures(profile, trend, hotspots, stop_search, trust, trust_series, compare)


def outcome_shares(result: Result) -> list[dict]:
    """Outcomes of all crime types together (the profile gives them per type)."""
    from openbeat.analytics.outcomes import GROUPS

    counts: dict[str, int] = {}
    for r in result.tables.get("outcomes", []):
        counts[r["outcome_group"]] = counts.get(r["outcome_group"], 0) + r["count"]
    total = sum(counts.values())
    return [{"outcome_group": g, "outcome": label, "count": counts[g], "share": counts[g] / total}
            for g, label in GROUPS if counts.get(g)]


def monthly_counts(result: Result) -> list[dict]:
    """Crimes and anti-social behaviour per month from a profile's ``by_month`` and ``trend`` tables.

    Months the force did not publish have no counts (None), never zero.
    """
    asb: dict[str, int] = {}
    for r in result.tables.get("by_month", []):
        if r["crime_type"] == ASB:
            asb[r["month"]] = asb.get(r["month"], 0) + r["count"]
    out = []
    for r in result.tables.get("trend", []):
        published = r["count"] is not None
        out.append({"month": r["month"], "crimes": r["count"],
                    "anti_social_behaviour": asb.get(r["month"], 0) if published else None,
                    "count_year_before": r["count_year_before"], "yoy_direction": r["yoy_direction"],
                    "yoy_p_value": r["yoy_p_value"], "rolling_12": r["rolling_12"],
                    "rolling_12_before": r["rolling_12_before"], "rolling_direction": r["rolling_direction"],
                    "rolling_p_value": r["rolling_p_value"]})
    return out


# ---- finding an area ------------------------------------------------------------------


@dataclass
class FindResult:
    """What a search for a postcode, coordinates or place name found."""

    query: str
    located: dict | None = None  # openbeat.locate.locate() output
    areas: list[Area] = field(default_factory=list)  # areas containing the point, largest first
    matches: list[Area] = field(default_factory=list)  # areas whose name matches, in SEARCH_ORDER
    message: str = ""  # why nothing was found, in plain English
    total: int = 0  # how many areas match in all (``matches`` holds the first ``limit``)

    @property
    def destination(self) -> Area | None:
        """Where to send the person straight away: the ward at a point, or the only name match."""
        if self.areas:
            return next((a for a in self.areas if a.level == "ward"), self.areas[-1])
        if len(self.matches) == 1 and self.total == 1:
            return self.matches[0]
        return None

    @property
    def groups(self) -> list[tuple[str, list[Area]]]:
        """The matches under the headings a resident reads, statistical areas last and labelled."""
        out: dict[str, list[Area]] = {}
        for a in self.matches:
            out.setdefault(SEARCH_GROUPS[a.level], []).append(a)
        return list(out.items())


#: Search results in the order residents expect: their neighbourhood (ward), borough, force,
#: then the statistical areas of the Census, which few people know by name.
SEARCH_ORDER = ("ward", "borough", "force", "msoa21", "lsoa21", "lsoa11")
SEARCH_GROUPS = {"ward": "Neighbourhoods (wards)", "borough": "Boroughs", "force": "Police forces",
                 "msoa21": "Statistical areas (used for Census figures)",
                 "lsoa21": "Statistical areas (used for Census figures)",
                 "lsoa11": "Statistical areas (used for Census figures)"}


def area_search(*, query: str, limit: int = 20) -> tuple[list[Area], int]:
    """Areas whose name or code contains ``query``, in :data:`SEARCH_ORDER`, and how many in all.

    A police.uk neighbourhood whose name differs from its ward's (a place name residents use)
    finds that ward. Within a level an exact name comes first, then names in order.
    """
    q = query.strip()
    pool = [f for f in forces() if q.lower() in f.name.lower() or q.lower() in f.code.lower()]
    if not _has("areas"):
        return pool[:limit], len(pool)
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    cond = "(name ILIKE ? ESCAPE '\\' OR code ILIKE ? ESCAPE '\\')"
    places: list[str] = []
    if _has("neighbourhoods", "neighbourhood_wards"):
        places = [r["ward_code"] for r in _rows(
            "SELECT DISTINCT w.ward_code FROM neighbourhoods n JOIN neighbourhood_wards w USING (force, neighbourhood_id) "
            "WHERE w.is_best AND n.name ILIKE ? ESCAPE '\\'", [like])]
    order = "CASE level " + " ".join(f"WHEN '{lv}' THEN {i}" for i, lv in enumerate(SEARCH_ORDER)) + " ELSE 99 END"
    where = f"(({cond}) OR (level = 'ward' AND code IN (SELECT unnest(?::VARCHAR[]))))"
    params = [like, like, places]
    total = int(_rows(f"SELECT count(*) AS n FROM areas WHERE {where}", params)[0]["n"])
    found = [_area(r) for r in _rows(
        f"SELECT {_area_columns()} FROM areas WHERE {where} "
        f"ORDER BY {order}, lower(name) <> lower(?), name, code LIMIT ?", [*params, q, limit])]
    local = [a for a in found if a.level in ("ward", "borough")]
    rest = [a for a in found if a.level not in ("ward", "borough")]
    return (local + pool + rest)[:limit], total + len(pool)


def area_find(*, query: str, limit: int = 20) -> FindResult:
    """Areas for a postcode or "lat,lng" (through ``openbeat.locate``), else by name."""
    from openbeat.locate import LocateError, locate, parse_query

    query = query.strip()
    result = FindResult(query)
    try:
        kind, _ = parse_query(query)
    except LocateError:
        kind = "name"
    if kind != "name":
        if not _has("areas"):
            result.message = "No areas have been loaded into this site yet."
            return result
        try:
            result.located = locate(StoreLake(get_store()), query)
        except LocateError as exc:
            result.message = for_residents(sentence(str(exc)), next_step=(
                "Check the postcode, or search for your neighbourhood, ward or borough by name."))
            return result
        for level in ("borough", "ward", "msoa21", "lsoa21"):
            hit = result.located.get(level)
            if hit and (found := area_get(code=hit["code"])) is not None:
                result.areas.append(found)
        if not result.areas:
            result.message = "That place is outside the areas this site has data for."
        return result
    result.matches, result.total = area_search(query=query, limit=limit)
    if not result.matches:
        if _LOOKS_LIKE_PLACE.match(query):
            result.message = f"“{query}” is not a postcode this site knows. Try part of a ward or borough name."
        else:
            result.message = f"No area is called “{query}”. Try a postcode, or part of a ward or borough name."
    return result


# a postcode ("N13 4PN") or coordinates ("51.5,-0.12"): only for the message above
_LOOKS_LIKE_PLACE = re.compile(r"^\s*([A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}|[-+\d.]+\s*[, ]\s*[-+\d.]+)\s*$")


def example_postcode() -> str | None:
    """A postcode from the loaded directory, for the search box's hint (the demo's are made up)."""
    if not _has("postcodes"):
        return None

    def compute():
        row = _rows("SELECT postcode FROM postcodes WHERE latitude IS NOT NULL ORDER BY postcode_key LIMIT 1")
        return row[0]["postcode"] if row else None

    return get_store().memo("web_example_postcode", compute)


def neighbourhood_events(*, area: Area) -> list[dict]:
    """Every event police.uk published for the team covering most of a ward, past and
    upcoming (newest first): title, type, description, address, starts_at, ends_at."""
    if area.level != "ward" or not _has("neighbourhood_wards", "neighbourhood_events"):
        return []
    link = _rows("SELECT force, neighbourhood_id FROM neighbourhood_wards WHERE ward_code = ? "
                 "ORDER BY is_best DESC, share_of_ward DESC LIMIT 1", [area.code])
    if not link:
        return []
    return _rows("SELECT title, type, description_text AS description, address, starts_at, ends_at "
                 "FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
                 "ORDER BY starts_at DESC, position LIMIT 50", [link[0]["force"], link[0]["neighbourhood_id"]])
