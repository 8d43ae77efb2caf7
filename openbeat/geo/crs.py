"""Coordinate transforms between WGS84 (police.uk, web maps) and British National Grid.

pyproj's default EPSG:4326 → EPSG:27700 pipeline uses the published 7-parameter
Helmert transformation unless the OSTN15 grid is installed; that is good to a few
metres, well inside police.uk's own anonymisation (crimes are snapped to map points).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj
import shapely

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"


@lru_cache(maxsize=16)
def transformer(src: str, dst: str) -> pyproj.Transformer:
    """A cached transformer with x = easting/longitude first (``always_xy``)."""
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def to_bng(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude arrays (degrees) → easting/northing arrays (metres)."""
    x, y = transformer(WGS84, BNG).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def to_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Easting/northing arrays (metres) → longitude/latitude arrays (degrees)."""
    lon, lat = transformer(BNG, WGS84).transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def transform_geoms(geoms, src, dst) -> np.ndarray:
    """Reproject an array of shapely geometries from ``src`` to ``dst`` (any pyproj CRS input)."""
    src_crs, dst_crs = pyproj.CRS.from_user_input(src), pyproj.CRS.from_user_input(dst)
    geoms = np.asarray(geoms, dtype=object)
    if src_crs.equals(dst_crs):
        return geoms
    tr = pyproj.Transformer.from_crs(src_crs, dst_crs, always_xy=True)

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)
