"""Where is this? A point or a postcode → LSOA 2021, MSOA, ward, borough, neighbourhood.

    >>> locate(Lake("data/lake"), "51.5074,-0.1278")  # doctest: +SKIP
    {'query': '51.5074,-0.1278', 'source': 'coordinates', 'latitude': 51.5074, ...,
     'lsoa21': {'code': 'E01004736', 'name': 'Westminster 018C'}, 'ward': {...}, ...}

Coordinates are "lat,lon" in degrees (or "easting,northing" in metres, British
National Grid). Postcodes are looked up in the loaded ONS Postcode Directory
(``postcodes``), then — only when ``online`` — on postcodes.io. Each level is found by
point-in-polygon against the loaded ``areas`` (bounding boxes pre-filter in DuckDB, so
only a handful of polygons are decoded); the neighbourhood likewise against
``neighbourhood_boundaries`` when that dataset exists.
"""

from __future__ import annotations

import re

import numpy as np
import shapely

from openbeat.geo.crs import to_bng, to_wgs84
from openbeat.geo.levels import CURRENT_LEVELS as LEVELS
from openbeat.geo.postcode import normalise_postcode
from openbeat.lake import Lake


#: The datasets a look-up reads (the lake's police data are never opened).
DATASETS = frozenset({"areas", "postcodes", "neighbourhood_boundaries", "neighbourhoods"})

_NUM = r"[-+]?\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^\s*({_NUM})\s*[, ]\s*({_NUM})\s*$")


class LocateError(ValueError):
    """The query could not be understood or found; the message says what to do."""


def parse_query(query: str) -> tuple[str, object]:
    """('point', (lat, lon)) | ('bng', (x, y)) | ('postcode', 'N13 4PN')."""
    m = _PAIR.match(query)
    if m:
        a, b = float(m[1]), float(m[2])
        if abs(a) <= 90 and abs(b) <= 180:
            return "point", (a, b)
        if 0 <= a <= 700_000 and 0 <= b <= 1_300_000:
            return "bng", (a, b)
        raise LocateError(f"{query!r}: not a latitude,longitude pair nor a British National Grid easting,northing")
    pc = normalise_postcode(query)
    if pc:
        return "postcode", pc
    raise LocateError(f"{query!r} is neither coordinates (51.5074,-0.1278) nor a UK postcode (N13 4PN)")


def _relations(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _area_at(con, level: str, x: float, y: float) -> dict | None:
    rows = con.execute(
        "SELECT code, name, approximate, geometry_bng FROM areas WHERE level = ? "
        "AND bbox_xmin <= ? AND bbox_xmax >= ? AND bbox_ymin <= ? AND bbox_ymax >= ? ORDER BY code",
        [level, x, x, y, y],
    ).fetchall()
    pt = shapely.Point(x, y)
    for code, name, approx, wkb in rows:
        if shapely.from_wkb(wkb).intersects(pt):
            out = {"code": code, "name": name}
            if level == "ward":
                out["approximate"] = bool(approx)
            return out
    return None


def _neighbourhood_at(con, rel: set[str], x: float, y: float) -> dict | None:
    from openbeat.geo.neighbourhoods import neighbourhood_geometries

    # Rows, not an Arrow table: a look-up loads no pyarrow.
    boundaries = con.sql("SELECT * FROM neighbourhood_boundaries")
    rows = boundaries.fetchall()
    if not rows:
        return None
    # WKB: BLOB, or GEOMETRY as DuckDB reads a GeoParquet column (fetched as WKB bytes too)
    binary = {n for n, t in zip(boundaries.columns, boundaries.types) if t.id in ("blob", "geometry")}
    forces, ids, geoms = neighbourhood_geometries(dict(zip(boundaries.columns, zip(*rows))), binary)
    pt = shapely.Point(x, y)
    hits = np.flatnonzero(shapely.intersects(geoms, pt))
    if hits.size == 0:
        return None
    i = int(hits[0])
    out = {"force": forces[i], "id": ids[i], "name": None}
    if "neighbourhoods" in rel:
        cols = [r[0] for r in con.execute("DESCRIBE neighbourhoods").fetchall()]
        id_col = next((c for c in ("neighbourhood_id", "id") if c in cols), None)
        if id_col and "name" in cols:
            cond, params = f"CAST({id_col} AS VARCHAR) = ?", [ids[i]]
            if "force" in cols and forces[i] is not None:
                cond += " AND force = ?"
                params.append(forces[i])
            row = con.execute(f"SELECT name FROM neighbourhoods WHERE {cond} LIMIT 1", params).fetchone()
            out["name"] = row[0] if row else None
    return out


def locate(lake: Lake, query: str, *, online: bool = False, postcodes_io_url: str | None = None) -> dict:
    """LSOA 2021, MSOA, ward, borough and neighbourhood at a point or postcode.

    Returns a dict with ``query``, ``source`` ('coordinates', 'postcode_directory' or
    'postcodes.io'), ``postcode``, ``latitude``, ``longitude``, ``easting``,
    ``northing``, one {'code', 'name'} (or None) per level, ``neighbourhood`` (None
    when not loaded or not found) and ``status`` ('ok'; 'outside_area' when no
    loaded LSOA contains the point; 'no_areas' when no boundaries are loaded at all). Raises :class:`LocateError` when the query cannot
    be read or the postcode is unknown.
    """
    kind, value = parse_query(query)
    con = lake.connect(only=DATASETS)
    try:
        rel = _relations(con)
        postcode, source, extra = None, "coordinates", {}
        if kind == "point":
            lat, lon = value
            x, y = (float(v[0]) for v in to_bng([lon], [lat]))
        elif kind == "bng":
            x, y = value
            lo, la = to_wgs84([x], [y])
            lon, lat = float(lo[0]), float(la[0])
        else:
            postcode = value
            row = None
            if "postcodes" in rel:
                row = con.execute(
                    "SELECT latitude, longitude, terminated, ward_code, lad_code, lsoa21_code FROM postcodes "
                    "WHERE postcode_key = ?", [postcode.replace(" ", "")]
                ).fetchone()
            if row is not None and row[0] is not None:
                lat, lon = row[0], row[1]
                source = "postcode_directory"
                extra = {"terminated": bool(row[2]), "directory_codes": {
                    "ward": row[3], "lad": row[4], "lsoa21": row[5]}}
            elif online:
                from openbeat.ingest.postcodes import fetch_postcode

                got = fetch_postcode(postcode, base_url=postcodes_io_url)
                if got is None or got["latitude"] is None:
                    raise LocateError(f"postcode {postcode} is not known to postcodes.io")
                lat, lon = float(got["latitude"]), float(got["longitude"])
                source = "postcodes.io"
                extra = {"postcodes_io_codes": got["codes"]}
            elif row is not None:
                raise LocateError(f"postcode {postcode} has no grid reference in the postcode directory")
            else:
                where = "the loaded postcode directory" if "postcodes" in rel else "any loaded postcode directory"
                raise LocateError(f"postcode {postcode} is not in {where}; load an ONS Postcode Directory with "
                                  "'openbeat reference load ONSPD.csv' or use --online for postcodes.io")
            x, y = (float(v[0]) for v in to_bng([lon], [lat]))
        out = {
            "query": query, "source": source, "postcode": postcode,
            "latitude": round(float(lat), 6), "longitude": round(float(lon), 6),
            "easting": round(x, 1), "northing": round(y, 1),
        }
        for level in LEVELS:
            out[level] = _area_at(con, level, x, y) if "areas" in rel else None
        out["neighbourhood"] = (_neighbourhood_at(con, rel, x, y)
                                if "neighbourhood_boundaries" in rel else None)
        out["neighbourhoods_loaded"] = "neighbourhood_boundaries" in rel
        out["status"] = "ok" if out["lsoa21"] else "outside_area" if "areas" in rel else "no_areas"
        out.update(extra)
        return out
    finally:
        con.close()


__all__ = ["LocateError", "locate", "parse_query"]
