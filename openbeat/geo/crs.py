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
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    tr = _helmert_to_bng() if _in_helmert_box(lon, lat) else transformer(WGS84, BNG)
    x, y = tr.transform(lon, lat)
    return np.asarray(x), np.asarray(y)


#: The operation PROJ chooses for EPSG:4326 → EPSG:27700 when the OSTN15 grid is absent:
#: "Inverse of OSGB36 to WGS 84 (6)" (the 7-parameter Helmert) then the National Grid's
#: transverse Mercator, as ``TransformerGroup(WGS84, BNG).transformers[0].definition``.
_HELMERT_PIPELINE = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=push +v_3 "
    "+step +proj=cart +ellps=WGS84 +step +inv +proj=helmert +x=446.448 +y=-125.157 +z=542.06 "
    "+rx=0.15 +ry=0.247 +rz=0.842 +s=-20.489 +convention=position_vector +step +inv +proj=cart +ellps=airy "
    "+step +proj=pop +v_3 +step +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 "
    "+ellps=airy"
)
#: Where PROJ picks that operation for every point (its area of use is -9.01..2.01 E,
#: 49.75..61.01 N; near those edges it sometimes picks another): a box inside it, in
#: which the two agree bit for bit (tests/geo/test_crs.py).
_HELMERT_BOX = (-8.7, 49.9, 1.8, 60.8)
_OSTN15 = "uk_os_OSTN15_NTv2_OSGBtoETRS.tif"


def _in_helmert_box(lon: np.ndarray, lat: np.ndarray) -> bool:
    w, s, e, n = _HELMERT_BOX
    return bool(lon.size) and bool(np.all((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))) and _no_ostn15()


@lru_cache(maxsize=1)
def _no_ostn15() -> bool:
    """True when PROJ cannot use the OSTN15 grid (not installed, no network): it then uses the Helmert."""
    import os

    import pyproj.datadir
    import pyproj.network

    if pyproj.network.is_network_enabled():
        return False
    dirs = [*pyproj.datadir.get_data_dir().split(os.pathsep), pyproj.datadir.get_user_data_dir()]
    return not any(os.path.exists(os.path.join(d, _OSTN15)) for d in dirs)


@lru_cache(maxsize=1)
def _helmert_to_bng() -> pyproj.Transformer:
    """WGS84 → BNG as PROJ does it inside :data:`_HELMERT_BOX`, built in under a millisecond.

    ``Transformer.from_crs`` looks the operations up in PROJ's database each process
    (30–100 ms), which a one-point ``openbeat locate`` waits for.
    """
    return pyproj.Transformer.from_pipeline(_HELMERT_PIPELINE)


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
