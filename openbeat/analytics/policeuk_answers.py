"""The lake answered in the shapes of the police.uk API (https://data.police.uk/docs/).

Every function takes a DuckDB connection over the lake (:meth:`openbeat.lake.Lake.connect`
or a cursor of the analytics store) and returns plain lists and dicts with police.uk's
field names and types: coordinates as strings with six decimals, months as ``YYYY-MM``,
``id`` and ``street.id`` as integers. No Django here; the web app
(:mod:`openbeat.policeuk`) adds paths, status codes and the 10,000-result cap.

**Identifiers police.uk assigns that its CSVs do not carry** are derived from the lake so
they stay the same for the same data (md5 is used because DuckDB and Python compute it
alike, on every version):

* crime ``id`` — the first 13 hex digits (52 bits, exact in JavaScript) of md5 of the
  row's lake ``row_key``, which hashes what identifies the crime and not its outcome, so a
  re-published month keeps its ids;
* ``street.id`` (the ``location_id`` of ``crimes-at-location`` and friends) — the same of
  md5 of ``"<latitude 6 dp>,<longitude 6 dp>,<location name>"``: one id per snap point;
* ``persistent_id`` is police.uk's own ``Crime ID``; empty (``""``) where the CSV has none
  (anti-social behaviour, British Transport Police), as the API gives it.

**Fields the lake cannot know** are given as police.uk gives an unknown value and never
invented: ``location_subtype`` is ``""`` (police.uk fills it only for some BTP places,
e.g. ``LU STATION``); ``person_id`` is ``null``; a stop and search's ``street.name`` is
``""`` (its CSV has coordinates but no place name).

``outcome_status`` is the crime's latest outcome, chosen as everywhere in OpenBeat
(:mod:`openbeat.analytics.outcomes`): its latest row in the outcomes files, with that
row's month as ``date``; else the street file's *Last outcome category* with the crime's
own month as ``date`` (the street file carries no outcome date; police.uk's current data
gives the crime month there too). ``outcomes-for-crime`` lists outcomes by month, and
within a month from the least to the most conclusive (the files' row order is not kept).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from datetime import date

import duckdb

from openbeat.analytics.outcomes import latest_outcome_key_sql
from openbeat.lake import read_parquet_sql

#: police.uk's "one mile radius": a great-circle distance of one international mile.
MILE_M = 1609.344
#: Mean Earth radius (IUGG), for the haversine distance.
EARTH_RADIUS_M = 6_371_008.8
#: police.uk answers 503 when a custom-area request would return more than this.
RESULT_CAP = 10_000

#: police.uk's crime category slugs and names, in the order ``crime-categories`` lists them.
CATEGORIES = (
    ("all-crime", "All crime"),
    ("anti-social-behaviour", "Anti-social behaviour"),
    ("bicycle-theft", "Bicycle theft"),
    ("burglary", "Burglary"),
    ("criminal-damage-arson", "Criminal damage and arson"),
    ("drugs", "Drugs"),
    ("other-theft", "Other theft"),
    ("possession-of-weapons", "Possession of weapons"),
    ("public-order", "Public order"),
    ("robbery", "Robbery"),
    ("shoplifting", "Shoplifting"),
    ("theft-from-the-person", "Theft from the person"),
    ("vehicle-crime", "Vehicle crime"),
    ("violent-crime", "Violence and sexual offences"),
    ("other-crime", "Other crime"),
)
#: Names used before police.uk's May 2013 re-classification, with their slugs.
HISTORIC_CATEGORIES = (("violent-crime", "Violent crime"), ("public-disorder-weapons", "Public disorder and weapons"))
CATEGORY_SLUG = {name: slug for slug, name in CATEGORIES + HISTORIC_CATEGORIES if slug != "all-crime"}
CATEGORY_NAMES = {slug: {n for n, s in CATEGORY_SLUG.items() if s == slug} for slug in set(CATEGORY_SLUG.values())}

#: police.uk's outcome category codes for the outcome names its CSVs carry.
OUTCOME_CODES = {
    "Awaiting court outcome": "awaiting-court-result",
    "Court result unavailable": "court-result-unavailable",
    "Court case unable to proceed": "unable-to-proceed",
    "Local resolution": "local-resolution",
    "Investigation complete; no suspect identified": "no-further-action",
    "Offender deprived of property": "deprived-of-property",
    "Offender fined": "fined",
    "Offender given absolute discharge": "absolute-discharge",
    "Offender given a caution": "cautioned",
    "Offender given a drugs possession warning": "drugs-possession-warning",
    "Offender given penalty notice": "penalty-notice-issued",
    "Offender given a penalty notice": "penalty-notice-issued",
    "Offender given community sentence": "community-penalty",
    "Offender given conditional discharge": "conditional-discharge",
    "Offender given suspended prison sentence": "suspended-sentence",
    "Offender sent to prison": "imprisoned",
    "Offender otherwise dealt with": "other-court-disposal",
    "Offender ordered to pay compensation": "compensation",
    "Suspect charged as part of another case": "sentenced-in-another-case",
    "Suspect charged": "charged",
    "Defendant found not guilty": "not-guilty",
    "Defendant sent to Crown Court": "sent-to-crown-court",
    "Unable to prosecute suspect": "unable-to-prosecute",
    "Formal action is not in the public interest": "formal-action-not-in-public-interest",
    "Action to be taken by another organisation": "action-taken-by-another-organisation",
    "Further investigation is not in the public interest": "further-investigation-not-in-public-interest",
    "Further action is not in the public interest": "further-action-not-in-public-interest",
    "Under investigation": "under-investigation",
    "Status update unavailable": "status-update-unavailable",
}

#: police.uk's ``outcome_object.id`` for the stop-and-search outcomes its CSVs carry.
STOP_OUTCOME_IDS = {
    "A no further action disposal": "bu-no-further-action",
    "Arrest": "bu-arrest",
    "Caution (simple or conditional)": "bu-caution",
    "Community resolution": "bu-community-resolution",
    "Khat or Cannabis warning": "bu-khat-or-cannabis-warning",
    "Penalty Notice for Disorder": "bu-penalty-notice",
    "Summons / charged by post": "bu-summons",
}

#: The British Transport Police's slug: police.uk marks its crimes ``location_type`` "BTP".
BTP = "btp"


class BadRequest(ValueError):
    """A parameter police.uk would refuse with 400 (missing, or not a number)."""


class NotFound(LookupError):
    """Something police.uk would answer 404 for: an unknown force, category, id or date."""


# ---- parameters ---------------------------------------------------------------------

def parse_date(value: str | None) -> date | None:
    """``YYYY-MM`` → its first day; ``None`` for no date. Anything else is :class:`NotFound`."""
    if value is None or value == "":
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise NotFound(f"there is no month {value!r}; write it as YYYY-MM")
    return date(int(m[1]), int(m[2]), 1)


def parse_point(lat: str | None, lng: str | None) -> tuple[float, float]:
    try:
        y, x = float(lat), float(lng)
    except (TypeError, ValueError):
        raise BadRequest("lat and lng must both be given as decimal degrees") from None
    if not (math.isfinite(y) and math.isfinite(x) and -90 <= y <= 90 and -180 <= x <= 180):
        raise BadRequest("lat must lie in -90..90 and lng in -180..180")
    return y, x


def parse_poly(value: str) -> list[tuple[float, float]]:
    """police.uk's ``lat,lng:lat,lng:…`` → [(lat, lng)]; the ring is closed for you."""
    points = []
    for pair in value.strip().strip(":").split(":"):
        try:
            lat, lng = pair.split(",")
            points.append(parse_point(lat, lng))
        except (ValueError, BadRequest):
            raise BadRequest(f"poly must be lat,lng pairs separated by colons; {pair!r} is not one") from None
    if len(points) < 3:
        raise BadRequest("poly needs at least three lat,lng points")
    return points


@dataclass(frozen=True)
class SearchArea:
    """Where to look: one mile around a point, or inside a polygon (lat, lng vertices)."""

    point: tuple[float, float] | None = None
    poly: tuple[tuple[float, float], ...] | None = None

    def bbox(self) -> tuple[float, float, float, float]:
        if self.point is not None:
            lat, lng = self.point
            dlat = math.degrees(MILE_M / EARTH_RADIUS_M)
            dlng = dlat / max(math.cos(math.radians(lat)), 1e-6)
            return lat - dlat, lat + dlat, lng - dlng, lng + dlng
        lats = [p[0] for p in self.poly]
        lngs = [p[1] for p in self.poly]
        return min(lats), max(lats), min(lngs), max(lngs)

    def where(self, lat: str = "latitude", lng: str = "longitude") -> tuple[str, list]:
        """A SQL condition (and its parameters) true for the points inside the area."""
        s, n, w, e = self.bbox()
        sql = f"{lat} BETWEEN ? AND ? AND {lng} BETWEEN ? AND ?"
        params: list = [s, n, w, e]
        if self.point is not None:
            sql += f" AND {haversine_sql(lat, lng)} <= ?"
            params += [self.point[0], self.point[0], self.point[1], MILE_M]
        return sql, params

    def keep(self, lats: list[float], lngs: list[float]) -> list[bool]:
        """For a polygon: which of the points (already within its box) lie inside or on it."""
        if self.poly is None:
            return [True] * len(lats)
        import numpy as np
        import shapely

        ring = shapely.Polygon([(lng, lat) for lat, lng in self.poly])
        if not ring.is_valid:
            ring = shapely.make_valid(ring)
        shapely.prepare(ring)
        return shapely.intersects_xy(ring, np.asarray(lngs, float), np.asarray(lats, float)).tolist()


def haversine_sql(lat: str, lng: str) -> str:
    """Great-circle metres from (?, ?) — bound as lat, lat, lng — to the columns."""
    return (f"2 * {EARTH_RADIUS_M} * asin(sqrt(power(sin(radians({lat} - ?) / 2), 2) + "
            f"cos(radians({lat})) * cos(radians(?)) * power(sin(radians({lng} - ?) / 2), 2)))")


# ---- what the lake holds ------------------------------------------------------------

def _month(d: date) -> str:
    return f"{d:%Y-%m}"


def months(con: duckdb.DuckDBPyConnection, dataset: str = "crimes") -> list[date]:
    """Months with a partition of ``dataset`` (from the manifest: no data is read)."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT month FROM manifest WHERE dataset = ? ORDER BY 1", [dataset]).fetchall()]


def latest_month(con: duckdb.DuckDBPyConnection) -> date | None:
    found = months(con)
    return found[-1] if found else None


def crimes_street_dates(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """``crimes-street-dates``: every month with street crimes, newest first, with the forces
    whose stop-and-search data the lake holds for it."""
    rows = con.execute("""
        SELECT c.month, list(DISTINCT s.force ORDER BY s.force) FILTER (WHERE s.force IS NOT NULL)
        FROM (SELECT DISTINCT month FROM manifest WHERE dataset = 'crimes') c
        LEFT JOIN (SELECT DISTINCT month, force FROM manifest WHERE dataset = 'stop_searches') s USING (month)
        GROUP BY 1 ORDER BY 1 DESC""").fetchall()
    return [{"date": _month(m), "stop-and-search": forces or []} for m, forces in rows]


def crime_last_updated(con: duckdb.DuckDBPyConnection) -> dict:
    """``crime-last-updated``: the newest month of street crimes, as a date (``YYYY-MM-01``)."""
    last = latest_month(con)
    return {"date": last.isoformat() if last else None}


def crime_categories(con: duckdb.DuckDBPyConnection, *, month: date | None) -> list[dict]:
    """``crime-categories``: police.uk's categories in use that month (all-crime first).

    From May 2013 the fourteen current ones. For earlier months, the categories the
    lake's own street files use that month (police.uk classified differently then).
    """
    month = month or latest_month(con)
    if month is None or month >= date(2013, 5, 1):
        return [{"url": slug, "name": name} for slug, name in CATEGORIES]
    names = {r[0] for r in con.execute("SELECT DISTINCT crime_type FROM crimes WHERE month = ?", [month]).fetchall()}
    out = [{"url": "all-crime", "name": "All crime"}]
    for slug, name in CATEGORIES[1:] + HISTORIC_CATEGORIES:
        if name in names:
            out.append({"url": slug, "name": name})
    return out


def force_names(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Every force in the lake → its name as its street files give it (``Falls within``);
    ``None`` for a force with only stop-and-search data (those files name no force)."""
    forces = [r[0] for r in con.execute("SELECT DISTINCT force FROM manifest ORDER BY 1").fetchall()]
    named = dict(con.execute(
        "SELECT force, any_value(falls_within) FROM crimes WHERE falls_within IS NOT NULL "
        "AND month = (SELECT max(month) FROM manifest m WHERE m.dataset = 'crimes' AND m.force = crimes.force) "
        "GROUP BY 1").fetchall())
    return {f: named.get(f) for f in forces}


# ---- crimes -------------------------------------------------------------------------

def _source(con: duckdb.DuckDBPyConnection, dataset: str, month: date, force: str | None = None) -> str | None:
    """A FROM clause over just the partition files of that month (and force), or None when
    the lake has none: the view over the whole lake would open every file's footer first."""
    sql = "SELECT DISTINCT force FROM manifest WHERE dataset = ? AND month = ?"
    params: list = [dataset, month]
    if force is not None:
        sql += " AND force = ?"
        params.append(force)
    forces = [r[0] for r in con.execute(sql, params).fetchall()]
    root = _lake_root(con, dataset)
    if root is None:  # not a lake's connection (a test's tables): filter the relation itself
        cond = f"month = DATE '{month.isoformat()}'" + (" AND force = " + _sql_str(force) if force else "")
        return f"(SELECT * FROM {dataset} WHERE {cond})" if forces else None
    files = [f"{root}/{dataset}/force={f}/month={_month(month)}/part.parquet" for f in forces]
    files = [f for f in files if os.path.exists(f)]
    if not files:
        return None
    return read_parquet_sql(files)


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _lake_root(con: duckdb.DuckDBPyConnection, dataset: str) -> str | None:
    """The lake folder, read back from the dataset's view (:meth:`openbeat.lake.Lake.connect`
    makes one over ``<root>/<dataset>/force=*/month=*/part.parquet`` when it has files)."""
    row = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = ?", [dataset]).fetchone()
    m = re.search(rf"read_parquet\('(.*?)/{dataset}/force=\*", row[0]) if row else None
    return m[1].replace("''", "'") if m else None


_ID = "('0x' || substr(md5({}), 1, 13))::BIGINT"
STREET_ID_SQL = _ID.format("printf('%.6f,%.6f,%s', latitude, longitude, coalesce(location, ''))")
CRIME_ID_SQL = _ID.format("row_key")


def month_outcomes(con: duckdb.DuckDBPyConnection, month: date) -> str | None:
    """The table of the latest outcome (and its month) of each crime of ``month``, made on
    first use and kept with the connection (the store's connection lives as long as the
    lake state it reads). A look-up there of the crimes an answer found takes a few
    milliseconds on the Met-scale demo lake, where a join with every outcome took 200 ms."""
    name = f"policeuk_outcomes_{month:%Y_%m}"
    if _has(con, name):
        return name
    src = _source(con, "crimes", month)
    if src is None:
        return None
    try:
        con.execute(f"""
            CREATE TABLE {name} AS
            SELECT crime_id, arg_max(outcome_type, {latest_outcome_key_sql('outcome_type', 'month')}) AS outcome_type,
                   max(month) AS month
            FROM outcomes WHERE crime_id IN (SELECT crime_id FROM {src} WHERE crime_id IS NOT NULL)
            GROUP BY crime_id ORDER BY crime_id""")
    except duckdb.Error:
        if not _has(con, name):  # another thread made it first: use theirs
            raise
    return name


def derived_id(text: str) -> int:
    """The first 13 hex digits of md5: the same number :data:`CRIME_ID_SQL` and
    :data:`STREET_ID_SQL` compute in DuckDB."""
    return int(hashlib.md5(text.encode()).hexdigest()[:13], 16)


def street_id(latitude: float, longitude: float, location: str | None) -> int:
    return derived_id(f"{latitude:.6f},{longitude:.6f},{location or ''}")


_CRIME_COLUMNS = ("crime_type, force, latitude, longitude, location, context, crime_id, month, "
                  "last_outcome_category, row_key")


def _latest_outcomes(con, *, month: date, crime_ids: list[str]) -> dict[str, tuple[str, date]]:
    table = month_outcomes(con, month) if crime_ids else None
    if table is None:
        return {}
    return {cid: (outcome, m) for cid, outcome, m in con.execute(
        f"SELECT crime_id, outcome_type, month FROM {table} WHERE crime_id IN (SELECT unnest(?::VARCHAR[]))",
        [crime_ids]).fetchall()}


def _category_filter(category: str) -> tuple[str, list]:
    if category == "all-crime":
        return "", []
    names = CATEGORY_NAMES.get(category)
    if not names:
        raise NotFound(f"there is no crime category {category!r}")
    return f" AND crime_type IN ({', '.join('?' * len(names))})", sorted(names)


def check_category(category: str) -> None:
    _category_filter(category)


def _coord(v: float | None) -> str | None:
    return None if v is None else f"{v:.6f}"


def crime_object(row: dict, *, with_outcome: bool = True) -> dict:
    """One crime as police.uk shapes it, from a row of the crimes dataset (+ its latest outcome)."""
    located = row["latitude"] is not None and row["longitude"] is not None
    if "id" not in row:
        row["id"] = derived_id(row["row_key"])
        row["street_id"] = street_id(row["latitude"], row["longitude"], row["location"]) if located else None
    out = {
        "category": CATEGORY_SLUG.get(row["crime_type"], row["crime_type"]),
        "location_type": ("BTP" if row["force"] == BTP else "Force") if located else None,
        "location": {
            "latitude": _coord(row["latitude"]),
            "street": {"id": row["street_id"], "name": row["location"] or ""},
            "longitude": _coord(row["longitude"]),
        } if located else None,
        "context": row["context"] or "",
    }
    if with_outcome:
        outcome = row.get("outcome_type") or row["last_outcome_category"]
        out["outcome_status"] = {
            "category": outcome,
            "date": _month(row["outcome_month"] or row["month"]),
        } if outcome else None
    out.update({
        "persistent_id": row["crime_id"] or "",
        "id": row["id"],
        "location_subtype": "",
        "month": _month(row["month"]) if row["month"] else None,
    })
    return out


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _crimes(con, *, month: date, where: str, params: list, area: SearchArea | None = None,
            force: str | None = None) -> list[dict]:
    src = _source(con, "crimes", month, force)
    if src is None:
        return []
    # DuckDB formats the coordinates (vectorised); Python only hashes and assembles
    rows = con.execute(f"""
        SELECT crime_type, force, latitude, longitude, printf('%.6f', latitude), printf('%.6f', longitude),
               location, context, crime_id, last_outcome_category, row_key
        FROM {src} c WHERE {where}""", params).fetchall()
    if area is not None and area.poly is not None:
        rows = [r for r, k in zip(rows, area.keep([r[2] for r in rows], [r[3] for r in rows])) if k]
    latest = _latest_outcomes(con, month=month, crime_ids=[r[8] for r in rows if r[8]])
    label = _month(month)
    md5 = hashlib.md5
    out = []
    for crime_type, force_id, lat, lng, lat_s, lng_s, location, context, crime_id, last, row_key in rows:
        outcome, outcome_month = latest.get(crime_id, (None, None))
        outcome = outcome or last
        out.append({
            "category": CATEGORY_SLUG.get(crime_type, crime_type),
            "location_type": ("BTP" if force_id == BTP else "Force") if lat is not None and lng is not None else None,
            "location": {
                "latitude": lat_s,
                "street": {"id": int(md5(f"{lat_s},{lng_s},{location or ''}".encode()).hexdigest()[:13], 16),
                           "name": location or ""},
                "longitude": lng_s,
            } if lat is not None and lng is not None else None,
            "context": context or "",
            "outcome_status": {"category": outcome, "date": _month(outcome_month) if outcome_month else label}
            if outcome else None,
            "persistent_id": crime_id or "",
            "id": int(md5(row_key.encode()).hexdigest()[:13], 16),
            "location_subtype": "",
            "month": label,
        })
    out.sort(key=lambda c: c["id"])
    return out


def crimes_street(con, *, category: str, area: SearchArea, month: date) -> list[dict]:
    """``crimes-street/{category}``: crimes of that month within a mile of a point or in a polygon."""
    cat_sql, cat_params = _category_filter(category)
    where, params = area.where()
    return _crimes(con, month=month, where=where + cat_sql, params=params + cat_params, area=area)


def nearest_location(con, *, dataset: str, point: tuple[float, float], month: date) -> int | None:
    """The street id of the snap point nearest ``point`` (within a mile) that month."""
    src = _source(con, dataset, month)
    if src is None:
        return None
    where, params = SearchArea(point=point).where()
    lat, lng = point
    row = con.execute(
        f"SELECT {STREET_ID_SQL} FROM {src} WHERE {where} "
        f"ORDER BY {haversine_sql('latitude', 'longitude')}, 1 LIMIT 1", params + [lat, lat, lng]).fetchone()
    return row[0] if row else None


def crimes_at_location(con, *, location_id: int, month: date) -> list[dict]:
    return _crimes(con, month=month, where=f"{STREET_ID_SQL} = ?", params=[location_id])


def crimes_no_location(con, *, category: str, force: str, month: date) -> list[dict]:
    cat_sql, cat_params = _category_filter(category)
    return _crimes(con, month=month, where="(latitude IS NULL OR longitude IS NULL)" + cat_sql,
                   params=cat_params, force=force)


# ---- outcomes -----------------------------------------------------------------------

def outcome_object(name: str, month: date) -> dict:
    return {"category": {"code": OUTCOME_CODES.get(name), "name": name}, "date": _month(month), "person_id": None}


def _outcomes(con, *, month: date, where: str, params: list, area: SearchArea | None = None) -> list[dict]:
    src = _source(con, "outcomes", month)
    if src is None:
        return []
    street_id = (STREET_ID_SQL.replace("latitude", "o.latitude").replace("longitude", "o.longitude")
                 .replace("location,", "o.location,"))
    cur = con.execute(f"""
        WITH o AS (SELECT * FROM {src} o WHERE {where}),
        c AS (SELECT * FROM crimes WHERE crime_id IN (SELECT crime_id FROM o)
              QUALIFY row_number() OVER (PARTITION BY crime_id ORDER BY month DESC, row_key) = 1)
        SELECT o.outcome_type, o.month AS outcome_month, o.force, o.latitude, o.longitude, o.location,
               c.context, o.crime_id, c.month, c.crime_type, NULL AS last_outcome_category,
               {CRIME_ID_SQL.replace('row_key', 'c.row_key')} AS id, {street_id} AS street_id
        FROM o LEFT JOIN c USING (crime_id)
        ORDER BY o.row_key""", params)
    rows = _rows(cur)
    if area is not None and area.poly is not None:
        rows = [r for r, k in zip(rows, area.keep([r["latitude"] for r in rows], [r["longitude"] for r in rows])) if k]
    out = []
    for r in rows:
        # a crime whose street row is not in the lake has category and month null
        crime = crime_object(r, with_outcome=False)
        out.append({**outcome_object(r["outcome_type"], r["outcome_month"]), "crime": crime})
    return out


def outcomes_at_location(con, *, month: date, area: SearchArea | None = None,
                         location_id: int | None = None) -> list[dict]:
    """``outcomes-at-location``: outcomes recorded that month at a location, near a point or in a polygon."""
    if location_id is not None:
        sid = STREET_ID_SQL
        return _outcomes(con, month=month, where=f"{sid} = ?", params=[location_id])
    where, params = area.where()
    return _outcomes(con, month=month, where=where, params=params, area=area)


def outcomes_for_crime(con, *, persistent_id: str) -> dict:
    """``outcomes-for-crime/{persistent_id}``: the crime and every outcome, oldest first."""
    cur = con.execute(f"SELECT {_CRIME_COLUMNS} FROM crimes WHERE crime_id = ? ORDER BY month DESC, row_key LIMIT 1",
                      [persistent_id])
    rows = _rows(cur)
    if not rows:
        raise NotFound(f"no crime has the persistent id {persistent_id!r}")
    outcomes = con.execute(
        "SELECT DISTINCT outcome_type, month, " + latest_outcome_key_sql("outcome_type", "month") +
        " AS k FROM outcomes WHERE crime_id = ? ORDER BY k", [persistent_id]).fetchall()
    return {"crime": crime_object(rows[0], with_outcome=False),
            "outcomes": [outcome_object(name, m) for name, m, _ in outcomes]}


# ---- stop and search ----------------------------------------------------------------

def stop_object(row: dict) -> dict:
    located = row["latitude"] is not None and row["longitude"] is not None
    outcome = row["outcome"]
    return {
        "age_range": row["age_range"],
        "outcome": outcome,
        "involved_person": row["type"] != "Vehicle search" if row["type"] else None,
        "self_defined_ethnicity": row["self_defined_ethnicity"],
        "gender": row["gender"],
        "legislation": row["legislation"],
        "outcome_linked_to_object_of_search": row["outcome_linked_to_object_of_search"],
        "datetime": row["datetime"],
        "removal_of_more_than_outer_clothing": row["removal_of_more_than_just_outer_clothing"],
        "outcome_object": {"id": STOP_OUTCOME_IDS.get(outcome), "name": outcome} if outcome else None,
        "location": {
            # police.uk writes stop coordinates in their shortest form ("52.63625"), crimes' with six decimals
            "latitude": _float_str(row["latitude"]),
            "street": {"id": row["street_id"], "name": ""},
            "longitude": _float_str(row["longitude"]),
        } if located else None,
        "operation": row["part_of_a_policing_operation"],
        "officer_defined_ethnicity": row["officer_defined_ethnicity"],
        "type": row["type"],
        "operation_name": row["policing_operation"],
        "object_of_search": row["object_of_search"],
    }


_STOP_STREET_ID = _ID.format("printf('%.6f,%.6f,%s', latitude, longitude, '')")


def _stops(con, *, month: date, where: str = "true", params: list | None = None, area: SearchArea | None = None,
           force: str | None = None) -> list[dict]:
    src = _source(con, "stop_searches", month, force)
    if src is None:
        return []
    cur = con.execute(f"""
        SELECT *, strftime(date AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S+00:00') AS datetime,
               {_STOP_STREET_ID} AS street_id
        FROM {src} WHERE {where} ORDER BY date, row_key""", params or [])
    rows = _rows(cur)
    if area is not None and area.poly is not None:
        rows = [r for r, k in zip(rows, area.keep([r["latitude"] for r in rows], [r["longitude"] for r in rows])) if k]
    return [stop_object(r) for r in rows]


def stops_street(con, *, area: SearchArea, month: date) -> list[dict]:
    where, params = area.where()
    return _stops(con, month=month, where=where, params=params, area=area)


def stops_at_location(con, *, location_id: int, month: date) -> list[dict]:
    return _stops(con, month=month, where=f"{_STOP_STREET_ID} = ?", params=[location_id])


def stops_no_location(con, *, force: str, month: date) -> list[dict]:
    return _stops(con, month=month, where="latitude IS NULL OR longitude IS NULL", force=force)


def stops_force(con, *, force: str, month: date) -> list[dict]:
    return _stops(con, month=month, force=force)


# ---- forces and neighbourhoods ---------------------------------------------------------

def _has(con, relation: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [relation]).fetchone()[0] > 0


def neighbourhoods(con, *, force: str) -> list[dict]:
    """``{force}/neighbourhoods``: id and name of each neighbourhood fetched for the force."""
    if not _has(con, "neighbourhoods"):
        return []
    return [{"id": i, "name": n} for i, n in con.execute(
        "SELECT neighbourhood_id, name FROM neighbourhoods WHERE force = ? ORDER BY neighbourhood_id", [force]).fetchall()]


def _json(text: str | None, empty):
    return json.loads(text) if text else empty


def _float_str(v: float | None) -> str | None:
    return None if v is None else repr(float(v))


def neighbourhood(con, *, force: str, neighbourhood_id: str) -> dict:
    """``{force}/{neighbourhood}``: the details as fetched from police.uk (JSON fields as published)."""
    rows = _rows(con.execute(
        "SELECT * FROM neighbourhoods WHERE force = ? AND neighbourhood_id = ?", [force, neighbourhood_id])) \
        if _has(con, "neighbourhoods") else []
    if not rows:
        raise NotFound(f"no neighbourhood {neighbourhood_id!r} in force {force!r}")
    r = rows[0]
    return {
        "url_force": r["url_force"],
        "contact_details": _json(r["contact_details"], {}),
        "name": r["name"],
        "links": _json(r["links"], []),
        "centre": {"latitude": _float_str(r["centre_latitude"]), "longitude": _float_str(r["centre_longitude"])},
        "locations": _json(r["locations"], []),
        "description": r["description"],
        "id": r["neighbourhood_id"],
        "population": r["population"],
    }


def neighbourhood_boundary(con, *, force: str, neighbourhood_id: str) -> list[dict]:
    """``…/boundary``: the published points, in order (lat/lng strings)."""
    neighbourhood(con, force=force, neighbourhood_id=neighbourhood_id)
    if not _has(con, "neighbourhood_boundaries"):
        return []
    row = con.execute("SELECT points, geometry FROM neighbourhood_boundaries WHERE force = ? AND neighbourhood_id = ?",
                      [force, neighbourhood_id]).fetchone()
    if row is None or row[1] is None:
        return []
    import shapely

    geom = shapely.from_wkb(row[1])
    polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    coords = [c for p in polys if p.geom_type == "Polygon" for c in p.exterior.coords]
    # shapely closes the ring; police.uk lists each point once
    coords = coords[: row[0]] if row[0] else coords
    return [{"latitude": _float_str(lat), "longitude": _float_str(lng)} for lng, lat in coords]


def neighbourhood_people(con, *, force: str, neighbourhood_id: str) -> list[dict]:
    neighbourhood(con, force=force, neighbourhood_id=neighbourhood_id)
    if not _has(con, "neighbourhood_people"):
        return []
    return [{"bio": r["bio"], "contact_details": _json(r["contact_details"], {}), "name": r["name"], "rank": r["rank"]}
            for r in _rows(con.execute("SELECT * FROM neighbourhood_people WHERE force = ? AND neighbourhood_id = ? "
                                       "ORDER BY position", [force, neighbourhood_id]))]


def neighbourhood_events(con, *, force: str, neighbourhood_id: str) -> list[dict]:
    neighbourhood(con, force=force, neighbourhood_id=neighbourhood_id)
    if not _has(con, "neighbourhood_events"):
        return []
    return [{"contact_details": _json(r["contact_details"], {}), "description": r["description"], "title": r["title"],
             "address": r["address"], "type": r["type"], "start_date": r["start_date"], "end_date": r["end_date"]}
            for r in _rows(con.execute("SELECT * FROM neighbourhood_events WHERE force = ? AND neighbourhood_id = ? "
                                       "ORDER BY position", [force, neighbourhood_id]))]


def neighbourhood_priorities(con, *, force: str, neighbourhood_id: str) -> list[dict]:
    neighbourhood(con, force=force, neighbourhood_id=neighbourhood_id)
    if not _has(con, "neighbourhood_priorities"):
        return []
    return [{"action": r["action"], "issue-date": r["issue_date"], "action-date": r["action_date"], "issue": r["issue"]}
            for r in _rows(con.execute("SELECT * FROM neighbourhood_priorities WHERE force = ? AND neighbourhood_id = ? "
                                       "ORDER BY position", [force, neighbourhood_id]))]


def locate_neighbourhood(con, *, point: tuple[float, float]) -> dict:
    """``locate-neighbourhood?q=lat,lng``: the force and neighbourhood whose boundary holds the point."""
    if not _has(con, "neighbourhood_boundaries"):
        raise NotFound("no neighbourhood boundaries are loaded")
    import shapely

    lat, lng = point
    for force, nid, wkb in con.execute(
            "SELECT force, neighbourhood_id, geometry FROM neighbourhood_boundaries ORDER BY force, neighbourhood_id"
            ).fetchall():
        if wkb is not None and shapely.intersects_xy(shapely.from_wkb(wkb), lng, lat):
            return {"force": force, "neighbourhood": nid}
    raise NotFound(f"no loaded neighbourhood contains {lat},{lng}")
