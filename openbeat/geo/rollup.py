"""Roll police.uk rows up to current LSOAs, wards and boroughs: DuckDB views.

:func:`crimes_with_areas` adds three views to a lake connection:

``crimes_geo`` / ``outcomes_geo``
    every row of ``crimes`` / ``outcomes`` plus ``lsoa21_code``, ``ward_code``,
    ``borough_code`` and ``geo_status``:

    * ``ok`` — ``lsoa_code`` is a 2021 LSOA inside the area;
    * ``lsoa11_bestfit`` — a 2011 LSOA code (no longer current), mapped through the
      best-fit area-overlap lookup ``lsoa_lookup``;
    * ``outside_area`` — a known LSOA outside the loaded boroughs, or outside the
      force's own boroughs (Met: the 32 boroughs; City of London Police: the City);
      ward/borough are still filled when the ONS lookup knows the LSOA;
    * ``no_location`` — no LSOA on the row (police.uk "No Location");
    * ``unknown_lsoa`` — a code found in no loaded boundary or lookup.

    No row is ever dropped: the views are LEFT JOINs of the police tables.

``stop_searches_geo``
    every ``stop_searches`` row plus the same columns, found by point-in-polygon on
    its coordinates against the LSOA 2021 polygons (``geo_status`` ``ok``,
    ``outside_area`` or ``no_location``). Results are cached by ``row_key`` in the
    reference dataset ``stop_search_areas``, rebuilt whenever areas are loaded;
    rows ingested since (new months) are located here, in memory, when the view is
    created, and written to the cache when ``lake`` is given.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from openbeat.lake import Lake

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from openbeat.geo.pip import PolygonIndex

def current_ward_vintage(vintages: list[str]) -> str | None:
    """The ward vintage used as "current": WD22 when loaded, else the latest.

    May-2022 wards are London's wards since the 2022 borough elections; the Met's ward
    crime file and police.uk use WD22 codes, and for London the WD25 best-fit lookup
    gives the same ward for every LSOA. A later exact lookup would need a decision here.
    """
    vs = sorted(set(v for v in vintages if v))
    if not vs:
        return None
    return "WD22" if "WD22" in vs else vs[-1]


#: Boroughs each force polices. Forces not listed are judged against all loaded boroughs.
FORCE_BOROUGHS = {
    "metropolitan": [f"E090000{n:02d}" for n in range(2, 34)],
    "city-of-london": ["E09000001"],
}

CACHE = "stop_search_areas"


@functools.cache
def cache_schema() -> pa.Schema:
    """The Arrow schema of ``stop_search_areas`` (here, not at import: building a store needs no pyarrow)."""
    import pyarrow as pa

    return pa.schema([("row_key", pa.string()), ("lsoa21_code", pa.string())])


def _relations(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _prepare(con) -> None:
    # The look-ups every row is joined to are small tables, read from the reference datasets
    # once per connection (not views that every query of a ward's crimes would read again).
    rel = _relations(con)
    if "areas" in rel:
        loaded = ("SELECT code AS lsoa21_code, ward_code, borough_code, true AS loaded "
                  "FROM areas WHERE level = 'lsoa21'")
    else:
        loaded = ("SELECT NULL::VARCHAR AS lsoa21_code, NULL::VARCHAR AS ward_code, "
                  "NULL::VARCHAR AS borough_code, true AS loaded WHERE false")
    known = ""
    if "lsoa_wards" in rel:
        vs = [r[0] for r in con.execute("SELECT DISTINCT ward_vintage FROM lsoa_wards").fetchall()]
        wv = current_ward_vintage(vs)
        known = (f" UNION ALL SELECT lsoa21_code, ward_code, lad_code, false FROM lsoa_wards "
                 f"WHERE ward_vintage = '{wv}' AND lsoa21_code NOT IN (SELECT lsoa21_code FROM _geo_loaded)")
    con.execute(f"CREATE OR REPLACE TABLE _geo_loaded AS {loaded}")
    con.execute(f"CREATE OR REPLACE TABLE _geo_lsoa21 AS SELECT * FROM _geo_loaded{known}")
    if "lsoa_lookup" in rel:
        con.execute("CREATE OR REPLACE TABLE _geo_bestfit AS "
                    "SELECT lsoa11_code, lsoa21_code FROM lsoa_lookup WHERE is_best")
    else:
        con.execute("CREATE OR REPLACE TABLE _geo_bestfit AS "
                    "SELECT NULL::VARCHAR AS lsoa11_code, NULL::VARCHAR AS lsoa21_code WHERE false")
    pairs = [(f, b) for f, bs in FORCE_BOROUGHS.items() for b in bs]
    values = ", ".join(f"('{f}', '{b}')" for f, b in pairs)
    # a listed force's boroughs count only when they are loaded (the demo city has its own codes)
    con.execute(
        f"CREATE OR REPLACE TABLE _geo_force_boroughs AS SELECT * FROM (VALUES {values}) v(force, borough_code) "
        "WHERE borough_code IN (SELECT borough_code FROM _geo_loaded)"
    )


def _police_view(con, src: str, dst: str) -> None:
    con.execute(f"CREATE OR REPLACE VIEW {dst} AS {police_geo_sql(src)}")


def police_geo_sql(src: str) -> str:
    """The query behind ``crimes_geo`` / ``outcomes_geo``, over ``src``: a police dataset's
    view, or a ``read_parquet`` of some of its partitions (a ward's figure then reads its
    forces' files only, not the whole country's). Needs the connection's
    :func:`crimes_with_areas` views."""
    return f"""
        SELECT c.*,
          coalesce(d.lsoa21_code, bf.lsoa21_code) AS lsoa21_code,
          coalesce(d.ward_code, d2.ward_code) AS ward_code,
          coalesce(d.borough_code, d2.borough_code) AS borough_code,
          CASE
            WHEN c.lsoa_code IS NULL OR trim(c.lsoa_code) = '' THEN 'no_location'
            WHEN d.lsoa21_code IS NULL AND bf.lsoa21_code IS NULL THEN 'unknown_lsoa'
            WHEN NOT coalesce(d.loaded, d2.loaded, false) THEN 'outside_area'
            WHEN fk.force IS NOT NULL AND fb.borough_code IS NULL THEN 'outside_area'
            WHEN d.lsoa21_code IS NOT NULL THEN 'ok'
            ELSE 'lsoa11_bestfit'
          END AS geo_status
        FROM {src} c
        LEFT JOIN _geo_lsoa21 d ON d.lsoa21_code = c.lsoa_code
        LEFT JOIN _geo_bestfit bf ON d.lsoa21_code IS NULL AND bf.lsoa11_code = c.lsoa_code
        LEFT JOIN _geo_lsoa21 d2 ON d2.lsoa21_code = bf.lsoa21_code
        LEFT JOIN (SELECT DISTINCT force FROM _geo_force_boroughs) fk ON fk.force = c.force
        LEFT JOIN _geo_force_boroughs fb
          ON fb.force = c.force AND fb.borough_code = coalesce(d.borough_code, d2.borough_code)
    """


def lsoa21_index(con) -> PolygonIndex:
    """The loaded LSOA 2021 polygons (BNG) as a point-in-polygon index."""
    # Geometry libraries load only when there are points to place, not with every store.
    import numpy as np
    import shapely

    from openbeat.geo.pip import PolygonIndex

    if "areas" not in _relations(con):
        return PolygonIndex([], [])
    rows = con.execute("SELECT code, geometry_bng FROM areas WHERE level = 'lsoa21' ORDER BY code").fetchall()
    return PolygonIndex([r[0] for r in rows], shapely.from_wkb(np.asarray([r[1] for r in rows], dtype=object)))


def _unlocated(con, *, only_missing: bool) -> dict[str, np.ndarray]:
    """(row_key, longitude, latitude) of stop-search rows with coordinates not yet in the cache.

    As NumPy arrays, not an Arrow table: usually there are none, and a store is then
    built without loading pyarrow.
    """
    rel = _relations(con)
    cond = ""
    if only_missing and CACHE in rel:
        cond = f" AND row_key NOT IN (SELECT row_key FROM {CACHE})"
    return con.sql(
        "SELECT row_key, longitude, latitude FROM stop_searches "
        f"WHERE latitude IS NOT NULL AND longitude IS NOT NULL{cond}"
    ).fetchnumpy()


def locate_stop_searches(con, *, only_missing: bool = True) -> pa.Table:
    """(row_key, lsoa21_code) for stop-search rows with coordinates not yet in the cache."""
    rows = _unlocated(con, only_missing=only_missing)
    if len(rows["row_key"]) == 0:
        return cache_schema().empty_table()
    return _locate(con, rows)


def _locate(con, rows: dict[str, np.ndarray]) -> pa.Table:
    import pyarrow as pa

    idx = lsoa21_index(con)
    codes = idx.codes_at_lonlat(rows["longitude"], rows["latitude"])
    return pa.table({"row_key": pa.array(rows["row_key"], pa.string()),
                     "lsoa21_code": pa.array(codes.tolist(), pa.string())}, schema=cache_schema())


def refresh_stop_search_areas(lake: Lake) -> int:
    """Recompute the whole stop-search cache (after areas change); returns rows located."""
    con = lake.connect()
    try:
        t = locate_stop_searches(con, only_missing=False)
    finally:
        con.close()
    lake.write_reference(CACHE, t)
    return t.num_rows


def crimes_with_areas(con, *, lake: Lake | None = None) -> dict[str, int]:
    """Create ``crimes_geo``, ``outcomes_geo`` and ``stop_searches_geo`` on ``con``.

    ``con`` is a connection from ``Lake.connect()``. Stop-search rows missing from the
    cache are located now; with ``lake`` they are also added to the cache. Returns
    {'stop_searches_located': n}.
    """
    _prepare(con)
    _police_view(con, "crimes", "crimes_geo")
    _police_view(con, "outcomes", "outcomes_geo")
    rows = _unlocated(con, only_missing=True)
    located = 0
    if len(rows["row_key"]):
        new = _locate(con, rows)
        located = new.num_rows
        # A table, not a registered Arrow object or TEMP view: those are private to one
        # connection, and the analytics store queries through cursors.
        con.register("_geo_ss_arrow", new)
        con.execute("CREATE OR REPLACE TABLE _geo_ss_new AS SELECT * FROM _geo_ss_arrow")
        con.unregister("_geo_ss_arrow")
    else:  # every row is in the cache already (no empty Arrow table: it would load pandas)
        con.execute("CREATE OR REPLACE TABLE _geo_ss_new (row_key VARCHAR, lsoa21_code VARCHAR)")
    rel = _relations(con)
    cached = f"SELECT row_key, lsoa21_code FROM {CACHE} UNION ALL " if CACHE in rel else ""
    con.execute(f"CREATE OR REPLACE VIEW _geo_ss AS {cached}SELECT row_key, lsoa21_code FROM _geo_ss_new")
    if lake is not None and located:
        both = con.sql(
            "SELECT DISTINCT ON (row_key) row_key, lsoa21_code FROM _geo_ss "
            "WHERE row_key IN (SELECT row_key FROM stop_searches)"
        ).to_arrow_table().cast(cache_schema())
        lake.write_reference(CACHE, both)
    con.execute("""
        CREATE OR REPLACE VIEW stop_searches_geo AS
        SELECT s.*, a.lsoa21_code, d.ward_code, d.borough_code,
          CASE
            WHEN s.latitude IS NULL OR s.longitude IS NULL THEN 'no_location'
            WHEN a.lsoa21_code IS NULL THEN 'outside_area'
            WHEN fk.force IS NOT NULL AND fb.borough_code IS NULL THEN 'outside_area'
            ELSE 'ok'
          END AS geo_status
        FROM stop_searches s
        LEFT JOIN (SELECT DISTINCT ON (row_key) * FROM _geo_ss) a ON a.row_key = s.row_key
        LEFT JOIN _geo_lsoa21 d ON d.lsoa21_code = a.lsoa21_code
        LEFT JOIN (SELECT DISTINCT force FROM _geo_force_boroughs) fk ON fk.force = s.force
        LEFT JOIN _geo_force_boroughs fb ON fb.force = s.force AND fb.borough_code = d.borough_code
    """)
    return {"stop_searches_located": located}
