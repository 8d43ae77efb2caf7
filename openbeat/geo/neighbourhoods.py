"""Link police.uk neighbourhoods to wards by spatial overlap.

The police.uk API gives each neighbourhood a boundary polygon but no ward code; Met
neighbourhoods mostly follow wards, but not always (merged or split wards, parks).
Every (neighbourhood, ward) pair that overlaps by at least 1 % of the neighbourhood is
kept, with its share of each; ``is_best`` marks the ward holding most of the
neighbourhood.

Dataset ``neighbourhood_wards`` (written by :func:`link_lake_neighbourhoods`, which
``openbeat reference load`` also runs when ``neighbourhood_boundaries`` exists).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import shapely

from openbeat.geo.crs import BNG, WGS84, transform_geoms
from openbeat.lake import Lake

if TYPE_CHECKING:
    import pyarrow as pa


@functools.cache
def schema() -> pa.Schema:
    """The Arrow schema of ``neighbourhood_wards``.

    pyarrow is imported in the functions that write Arrow, not at the top: `openbeat
    locate` imports this module for :func:`neighbourhood_geometries` and needs none of it.
    """
    import pyarrow as pa

    return pa.schema(
        [
            ("force", pa.string()),
            ("neighbourhood_id", pa.string()),
            ("ward_code", pa.string()),
            ("overlap_m2", pa.float64()),
            ("share_of_neighbourhood", pa.float64()),
            ("share_of_ward", pa.float64()),
            ("is_best", pa.bool_()),
        ]
    )


def link_neighbourhoods_to_wards(neighbourhood_ids, neighbourhood_geoms_bng, ward_codes, ward_geoms_bng,
                                 *, force: str | list[str] | None = None, min_share: float = 0.01) -> pa.Table:
    """(neighbourhood, ward) overlaps; geometries in BNG. ``force`` labels the rows.

    >>> import shapely
    >>> t = link_neighbourhoods_to_wards(["N1"], [shapely.box(0, 0, 10, 10)],
    ...     ["W1", "W2"], [shapely.box(0, 0, 8, 10), shapely.box(8, 0, 20, 10)], force="metropolitan")
    >>> [(r["ward_code"], r["share_of_neighbourhood"], r["is_best"]) for r in t.to_pylist()]
    [('W1', 0.8, True), ('W2', 0.2, False)]
    """
    import pyarrow as pa

    from openbeat.geo.overlap import overlap_shares

    ids = np.asarray(neighbourhood_ids, dtype=object)
    forces = np.asarray(force if isinstance(force, list) else [force] * len(ids), dtype=object)
    # ids are unique within a force only: key by position, then map back
    keys = np.asarray([str(i) for i in range(len(ids))], dtype=object)
    t = overlap_shares(keys, neighbourhood_geoms_bng, ward_codes, ward_geoms_bng, min_share=min_share)
    pos = np.asarray([int(k) for k in t["source_code"].to_pylist()], dtype=np.int64)
    return pa.table(
        {
            "force": pa.array(forces[pos].tolist() if len(pos) else [], pa.string()),
            "neighbourhood_id": pa.array([str(v) for v in ids[pos]] if len(pos) else [], pa.string()),
            "ward_code": t["target_code"],
            "overlap_m2": t["overlap_m2"],
            "share_of_neighbourhood": t["share_of_source"],
            "share_of_ward": t["share_of_target"],
            "is_best": t["is_best"],
        },
        schema=schema(),
    )


def _pick(names: list[str], *cands: str) -> str | None:
    low = {n.lower(): n for n in names}
    return next((low[c] for c in cands if c in low), None)


def neighbourhood_geometries(columns: Mapping[str, Sequence], binary: Collection[str]) -> tuple[list, list, np.ndarray]:
    """(forces, ids, BNG geometries) from a ``neighbourhood_boundaries`` table's ``columns``.

    ``columns``: each column's values as a list, by name (:meth:`pyarrow.Table.to_pydict`,
    or rows fetched from DuckDB); ``binary``: the names of its binary columns. Accepts a
    WKB column in BNG (name containing 'bng' or '27700') or in WGS84 ('wgs84', '4326', or
    plain 'geometry'), and id/force columns named ``neighbourhood_id``/``id`` and
    ``force``/``force_id``.
    """
    names = list(columns)
    id_col = _pick(names, "neighbourhood_id", "id", "neighbourhood")
    force_col = _pick(names, "force", "force_id", "force_slug")
    if id_col is None:
        raise ValueError(f"neighbourhood_boundaries has no id column (columns: {', '.join(names)})")
    binary = [n for n in names if n in binary]
    bng = next((n for n in binary if "bng" in n.lower() or "27700" in n), None)
    if bng is not None:
        geoms = shapely.from_wkb(np.asarray(columns[bng], dtype=object))
    else:
        wgs = next((n for n in binary if "wgs" in n.lower() or "4326" in n or "geom" in n.lower()), None)
        if wgs is None:
            raise ValueError(f"neighbourhood_boundaries has no WKB geometry column (columns: {', '.join(names)})")
        geoms = transform_geoms(shapely.from_wkb(np.asarray(columns[wgs], dtype=object)), WGS84, BNG)
    ids = columns[id_col]
    forces = list(columns[force_col]) if force_col else [None] * len(ids)
    return forces, [str(v) for v in ids], geoms


def link_lake_neighbourhoods(lake: Lake) -> pa.Table | None:
    """Write ``neighbourhood_wards`` from the lake's neighbourhood boundaries and wards.

    Returns the table, or None when either input is missing.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from openbeat.geo.refdata import read_reference

    nb = read_reference(lake, "neighbourhood_boundaries")
    areas = read_reference(lake, "areas", columns=["level", "code", "geometry_bng"])
    if nb is None or areas is None or nb.num_rows == 0:
        return None
    wards = areas.filter(pc.equal(areas["level"], "ward"))
    if wards.num_rows == 0:
        return None
    forces, ids, geoms = neighbourhood_geometries(
        nb.to_pydict(), {f.name for f in nb.schema if pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)})
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bad = ok & ~shapely.is_valid(geoms)
    geoms[bad] = shapely.make_valid(geoms[bad])
    idx = np.flatnonzero(ok)
    t = link_neighbourhoods_to_wards(
        [ids[i] for i in idx], geoms[idx], wards["code"].to_pylist(),
        shapely.from_wkb(np.asarray(wards["geometry_bng"].to_pylist(), dtype=object)),
        force=[forces[i] for i in idx],
    )
    lake.write_reference("neighbourhood_wards", t)
    return t
