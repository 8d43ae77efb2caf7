"""Where is crime concentrated? Getis-Ord Gi* hotspots on a grid or on LSOAs.

The crimes of an area and period are binned on a regular British National Grid (250 m by
default, :mod:`openbeat.geo.grid`) clipped to the area, or counted per LSOA 2021; Gi*
(:mod:`openbeat.stats.gistar`; Getis & Ord 1992, Ord & Getis 1995) is computed with
queen contiguity, conditional permutation p-values (seeded, so a map does not change
between page loads) and Benjamini–Hochberg control of the false discovery rate across
cells. The concentration curve (Weisburd 2015) says how much crime the busiest cells
hold. Results come with GeoJSON for maps.
"""

from __future__ import annotations

import numpy as np
import shapely

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.profiles import sources
from openbeat.analytics.result import Result
from openbeat.analytics.store import Area, Store
from openbeat.geo.crs import to_bng
from openbeat.geo.grid import Grid, bng_to_wgs84
from openbeat.stats.concentration import concentration
from openbeat.stats.gistar import GiStar, hotspot_table, hotspots_geojson

SEED = 20_250_101  # fixed: the same data always draws the same map
MAX_CELLS = 400_000  # a county at 250 m is ~30,000 cells; a national network (BTP) is millions


def hotspots(store: Store, code: str, first: str | None = None, last: str | None = None, *,
             crime_type: str | None = None, cell_size: float = 250.0, by: str = "grid",
             permutations: int = 9999, seed: int = SEED) -> Result:
    """Gi* hotspots of crime (excluding anti-social behaviour unless ``crime_type`` asks for it).

    ``by`` is ``"grid"`` (square cells of ``cell_size`` metres) or ``"lsoa"`` (LSOA 2021).
    """
    if by not in ("grid", "lsoa"):
        raise ValueError("by must be 'grid' or 'lsoa'")
    if crime_type is not None and crime_type not in harm_lib.CRIME_TYPES:
        raise ValueError(f"unknown crime type {crime_type!r}; police.uk uses: {', '.join(harm_lib.CRIME_TYPES)}")
    if not 250 <= permutations + 1 <= 100_000 and permutations != 0:
        raise ValueError("permutations must be 0, or between 249 and 99,999")
    from openbeat.analytics.coverage import Coverage

    area = store.area(code)
    if area.level != "force" and not store.has("areas"):
        raise ValueError(f"hot spots of {code} need its boundary: load areas with `openbeat reference load`")
    cov = Coverage(store)
    period = cov.area_period(area, first, last)
    cov.require(area, period)
    if by == "lsoa" and not store.has("areas"):
        raise ValueError("hot spots by LSOA need the LSOA boundaries: load them with `openbeat reference load`, "
                         "or use the grid")
    key = ("hotspots", area.code, period, crime_type, cell_size, by, permutations, seed)
    return store.memo(key, lambda: _hotspots(store, area, period, crime_type, cell_size, by, permutations, seed))


def _hotspots(store, area: Area, period, crime_type, cell_size, by, permutations, seed) -> Result:
    what = crime_type or "All crime (excluding anti-social behaviour)"
    type_sql = "crime_type = ?" if crime_type else "crime_type <> ?"
    type_arg = crime_type or harm_lib.ASB
    cur = store.cursor()
    if by == "grid":
        # only the forces with crimes placed here (the same rows): their files of the period's
        # months alone are read, not every crime of the lake joined to its ward first
        from openbeat.analytics.coverage import Coverage
        from openbeat.geo.rollup import police_geo_sql

        forces = [area.code] if area.level == "force" else Coverage(store).forces_of(area)
        files = store.partitions_sql("crimes", forces, period.first, period.last)
        lon = lat = np.empty(0)
        if area.level in ("ward", "borough") and store.has("crime_points"):
            # the same crimes' points from the aggregate sorted by area, each as often as it is shared
            lon, lat, n = cur.execute(
                f"SELECT longitude, latitude, n FROM crime_points WHERE {area.column} = ? "
                f"AND month BETWEEN ? AND ? AND {type_sql} AND force IN (SELECT unnest(?::VARCHAR[]))",
                [area.code, period.first, period.last, type_arg, forces]).fetchnumpy().values()
            lon, lat = np.repeat(lon, n), np.repeat(lat, n)
        elif files is not None:
            # A force's map is every crime it located, wherever boundaries are loaded or not.
            relation = files if area.level == "force" else f"({police_geo_sql(files)})"
            lon, lat = cur.execute(
                f"SELECT longitude, latitude FROM {relation} WHERE {area.column} = ? AND month BETWEEN ? AND ? "
                f"AND {type_sql} AND longitude IS NOT NULL AND latitude IS NOT NULL "
                f"AND force IN (SELECT unnest(?::VARCHAR[]))",
                [area.code, period.first, period.last, type_arg, forces]).fetchnumpy().values()
        if len(lon) == 0:
            raise ValueError(f"{area.name} has no located {what.lower()} in {period.label()} to map")
        cells = _grid_cells(store, area, np.asarray(lon, float), np.asarray(lat, float), cell_size)
    else:
        cells = _lsoa_cells(store, area, period, type_sql, type_arg)
    ids, counts, rings, weights, unit = cells
    if by == "lsoa" and counts.size == 0:
        raise ValueError(f"no loaded LSOA boundaries cover {area.name}; map it on the grid instead (by=grid)")
    if counts.size < 3:
        raise ValueError(f"{area.name} has {counts.size} cells: too few for hotspot analysis")

    gi = GiStar(counts, weights, transform="B", permutations=permutations, seed=seed)
    source = "sim" if permutations else "norm"
    table = hotspot_table(gi, ids, counts, source=source)
    if by == "grid":
        geojson = hotspots_geojson(gi, ids, rings, counts, source=source)
    else:  # LSOAs keep their own (multi)polygons
        geojson = hotspots_geojson(gi, ids, [[[0, 0]]] * len(ids), counts, source=source)
        for feature, shape in zip(geojson["features"], rings):
            feature["geometry"] = shape
    conc = concentration(counts)
    classes = table["class"]
    rows = [
        {"cell_id": str(table["cell_id"][i]), "count": int(counts[i]), "gi_z": float(table["z"][i]),
         "p": float(table["p"][i]), "q": float(table["q"][i]), "class": str(classes[i])}
        for i in np.argsort(-np.nan_to_num(table["z"], nan=-np.inf), kind="stable")
    ]
    summary = {
        "crime_type": what,
        "unit": unit,
        "cells": int(counts.size),
        "crimes_mapped": int(counts.sum()),
        "hot_99": int(np.sum(classes == "hot 99%")),
        "hot_95": int(np.sum(classes == "hot 95%")),
        "cold_99": int(np.sum(classes == "cold 99%")),
        "cold_95": int(np.sum(classes == "cold 95%")),
        "share_of_crime_in_top_5pct_of_cells": conc.share_in_top(0.05) if counts.sum() else None,
        "share_of_cells_holding_half_of_crime": conc.places_for_share(0.5) if counts.sum() else None,
        "permutations": permutations,
        "seed": seed,
    }
    notes = [
        "Gi* (Getis & Ord 1992; Ord & Getis 1995) compares each cell and its neighbours (queen contiguity) "
        "with the whole area; a hot spot is a cluster of high counts, not one busy cell.",
        f"p-values from {permutations:,} conditional permutations (seeded, so the map is reproducible), ties "
        "counted half (mid-p), so an empty cell among empty cells is never a cold spot; classes control the "
        "false discovery rate across all cells (Benjamini & Hochberg 1995) at 5% and 1%."
        if permutations else "p-values from the normal approximation; classes control the false discovery rate.",
        "Crimes are plotted at police.uk's anonymised map points (snapped to a nearby street or place), so "
        "cells show where crime is recorded, to about 100 m.",
        "Concentration: the share of crime in the busiest 5% of cells (the law of crime concentration, "
        "Weisburd 2015).",
    ]
    return Result(
        method="hotspots",
        title=f"Hot spots of {what.lower()} in {area.name}, {period.label()}",
        summary=summary,
        tables={"cells": rows, "concentration": _curve(conc)},
        area={"code": area.code, "name": area.name, "level": area.level},
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=sources(store),
        notes=notes,
        geojson=geojson,
    )


def _area_geometry(store: Store, area: Area, x=None, y=None):
    """The area's boundary (BNG), or None where none is loaded.

    A force's boundary is the union of the loaded boroughs it polices; it is used only when
    those boroughs hold most of the force's located crimes, so a force outside the loaded
    boundaries is mapped on a grid over its own crimes instead of being clipped away.
    """
    if not store.has("areas"):
        return None
    if area.level == "force":
        from openbeat.geo.rollup import FORCE_BOROUGHS

        listed = FORCE_BOROUGHS.get(area.code)
        rows = store.cursor().execute(
            "SELECT geometry_bng FROM areas WHERE level = 'borough' AND code IN "
            "(SELECT DISTINCT borough_code FROM crime_counts WHERE force = ? AND geo_status = 'ok')"
            + (" AND code IN (SELECT unnest(?::VARCHAR[]))" if listed else ""),
            [area.code, listed] if listed else [area.code]).fetchall()
        if not rows:
            return None
        geom = shapely.union_all(shapely.from_wkb([r[0] for r in rows]))
        if x is not None and len(x):
            shapely.prepare(geom)
            inside = shapely.contains_xy(geom, x, y).mean()
            if inside < 0.9:
                return None
        return geom
    if area.level in ("ward", "borough"):
        wkb = boundaries(store).get((area.code, area.level))
    else:
        row = store.cursor().execute(
            "SELECT geometry_bng FROM areas WHERE code = ? AND level = ?", [area.code, area.level]).fetchone()
        wkb = row[0] if row else None
    return shapely.from_wkb(wkb) if wkb is not None else None


def boundaries(store: Store) -> dict[tuple[str, str], bytes]:
    """Every ward's and borough's boundary (BNG, WKB) by (code, level), read once per state of
    the lake (2 MB for England and Wales) instead of the ``areas`` file once per map."""
    def compute():
        out: dict[tuple[str, str], bytes] = {}
        for code, level, wkb in store.cursor().execute(
                "SELECT code, level, geometry_bng FROM areas WHERE level IN ('ward', 'borough')").fetchall():
            out.setdefault((code, level), wkb)
        return out
    return store.memo("area-boundaries", compute)


def _grid_cells(store: Store, area: Area, lon, lat, cell_size):
    x, y = to_bng(lon, lat)
    geom = _area_geometry(store, area, x, y)
    if geom is not None:
        extent = shapely.bounds(geom)
        inside = (x >= extent[0]) & (x <= extent[2]) & (y >= extent[1]) & (y <= extent[3])
        x, y = x[inside], y[inside]  # a crime placed in the area but snapped just outside its box
    else:
        extent = None
    box = extent if extent is not None else (x.min(), y.min(), x.max(), y.max())
    cells = (int((box[2] - box[0]) // cell_size) + 1) * (int((box[3] - box[1]) // cell_size) + 1)
    if cells > MAX_CELLS:
        raise ValueError(f"{area.name}'s located crimes spread over {cells:,} cells of {cell_size:g} m (more than "
                         f"{MAX_CELLS:,}); map one of its areas, or choose a larger cell size")
    grid = Grid.from_points(x, y, cell_size=cell_size, extent=extent)
    keep = None
    if geom is not None:
        # Cells whose centre lies in the area, plus any cell that holds a crime of the area.
        cx, cy = grid.centres
        shapely.prepare(geom)
        keep = shapely.contains_xy(geom, cx, cy) | (grid.counts > 0)
    counts = grid.counts if keep is None else grid.counts[keep]
    ids = grid.cell_ids if keep is None else grid.cell_ids[keep]
    rings = grid.polygons(transform=bng_to_wgs84(), keep=keep)
    return ids, np.asarray(counts, float), rings, grid.weights("queen", keep=keep), f"{cell_size:g} m grid cells"


def _lsoa_cells(store: Store, area: Area, period, type_sql, type_arg):
    cur = store.cursor()
    if area.level == "force":
        within = (" AND a.borough_code IN (SELECT DISTINCT borough_code FROM crime_counts "
                  "WHERE force = ? AND geo_status = 'ok')")
    else:
        within = f" AND a.{area.column} = ?"
    rows = cur.execute(
        f"""SELECT a.code, a.geometry_bng, a.geometry_web, coalesce(c.n, 0)
            FROM areas a LEFT JOIN (
              SELECT lsoa21_code, sum(n) AS n FROM crime_counts
              WHERE month BETWEEN ? AND ? AND {type_sql} GROUP BY 1) c ON c.lsoa21_code = a.code
            WHERE a.level = 'lsoa21'{within} ORDER BY a.code""",
        [period.first, period.last, type_arg, area.code]).fetchall()
    if not rows:
        return np.array([]), np.array([]), [], None, "LSOAs"
    import json
    from scipy import sparse

    geoms = shapely.from_wkb([r[1] for r in rows])
    # Queen contiguity: polygons that touch or overlap after closing 1 m slivers of generalisation.
    tree = shapely.STRtree(geoms)
    left, right = tree.query(shapely.buffer(geoms, 1.0), predicate="intersects")
    off = left != right
    w = sparse.csr_matrix((np.ones(off.sum()), (left[off], right[off])), shape=(len(rows),) * 2)
    w = ((w + w.T) > 0).astype(float)
    shapes = [json.loads(r[2]) for r in rows]
    return np.array([r[0] for r in rows]), np.array([r[3] for r in rows], float), shapes, w, "LSOAs (2021)"


def _curve(conc) -> list[dict]:
    if not conc.total:
        return []
    return [{"top_share_of_cells": s, "share_of_crime": conc.share_in_top(s)}
            for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)]
