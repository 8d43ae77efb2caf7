"""Web versions of boundary layers: simplified, topology-preserving, to a size budget.

Neighbouring areas share their boundary lines. Simplifying each polygon on its own
moves the two copies of a shared line differently, and the map shows slivers and gaps.
GEOS ≥ 3.12 offers *coverage simplification* (``shapely.coverage_simplify``): the
shared edges of a polygonal coverage are simplified once, with Visvalingam–Whyatt, so
neighbours stay edge-matched. Coordinates are then rounded to 5 decimal places of a
degree (about 1 m), identically on both sides of a shared edge.

The tolerance is chosen per layer: the smallest of :data:`TOLERANCES` whose
FeatureCollection fits the layer's byte budget (:data:`BUDGETS`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import shapely

from openbeat.geo.crs import BNG, WGS84, transform_geoms

#: Bytes of GeoJSON (a FeatureCollection with code and name) each layer must fit in.
BUDGETS = {
    "lsoa21": 3_000_000,
    "lsoa11": 3_000_000,
    "msoa21": 1_500_000,
    "ward": 1_500_000,
    "borough": 500_000,
}
DEFAULT_BUDGET = 3_000_000

#: Candidate tolerances in metres, tried from the finest.
TOLERANCES = (0.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 75.0, 100.0, 150.0, 200.0, 300.0, 500.0)

DECIMALS = 5  # ≈ 1.1 m of latitude


def has_coverage_simplify() -> bool:
    return hasattr(shapely, "coverage_simplify")


def simplify_coverage(geoms, tolerance: float) -> np.ndarray:
    """Simplify polygons that tile without overlaps, keeping shared edges shared.

    Falls back to per-polygon topology-preserving simplification when the installed
    shapely/GEOS has no coverage simplification or the input is not a clean coverage
    (e.g. full-resolution wards mixed with generalised ones); that fallback may leave
    hairline gaps between neighbours on the map.
    """
    geoms = np.asarray(geoms, dtype=object)
    if tolerance <= 0:
        return geoms
    if has_coverage_simplify():
        try:
            out = shapely.coverage_simplify(geoms, tolerance)
            if shapely.is_valid(out).all() and not shapely.is_empty(out).any():
                return out
        except shapely.errors.GEOSException:
            pass
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def _round(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, DECIMALS)


def to_web(geoms_bng, tolerance: float) -> list[str]:
    """GeoJSON geometry strings in WGS84, simplified and rounded."""
    simple = simplify_coverage(geoms_bng, tolerance)
    wgs = shapely.transform(transform_geoms(simple, BNG, WGS84), _round)
    return [shapely.to_geojson(g) for g in wgs]


def area_feature(code: str, name: str | None, geometry_json: str, *, feature_id: bool = False, **properties) -> str:
    """One area as a compact GeoJSON Feature: ``code``, ``name`` and any other ``properties``,
    and its geometry text as given (the stored ``geometry_web``, or :func:`d3_wound`'s).

    The one way an area becomes GeoJSON: ``openbeat areas geojson``, the layer budgets
    (:func:`web_layer`) and the site's maps (:func:`openbeat.areas.maps.area_map`).
    """
    props = json.dumps({"code": code, "name": name, **properties}, ensure_ascii=False, separators=(",", ":"))
    head = '{"type":"Feature",' + ('"id":%s,' % json.dumps(code, ensure_ascii=False) if feature_id else "")
    return head + '"properties":%s,"geometry":%s}' % (props, geometry_json)


def feature_collection(codes, names, geometries_json) -> str:
    """A compact GeoJSON FeatureCollection of areas with ``code`` and ``name`` properties."""
    feats = [area_feature(c, n, g) for c, n, g in zip(codes, names, geometries_json)]
    return '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}"


def d3_wound(geometry: dict | str) -> str:
    """The geometry (GeoJSON) with exterior rings clockwise, as GeoJSON text: d3-geo (inside
    Vega) takes anticlockwise rings as the whole globe minus the polygon. RFC 7946 asks
    readers to accept either winding."""
    text = geometry if isinstance(geometry, str) else json.dumps(geometry)
    return shapely.to_geojson(shapely.orient_polygons(shapely.from_geojson(text), exterior_cw=True))


@dataclass
class WebLayer:
    geometries: list[str]  # GeoJSON geometry text per input polygon
    tolerance_m: float
    bytes: int  # size of the FeatureCollection, UTF-8
    budget: int


def web_layer(codes, names, geoms_bng, *, budget: int) -> WebLayer:
    """The least simplified web version of a layer whose FeatureCollection fits ``budget``.

    The search uses the vertex count after simplification (cheap) to estimate size,
    then measures the real FeatureCollection and steps up until it fits.
    """
    geoms_bng = np.asarray(geoms_bng, dtype=object)
    if len(geoms_bng) == 0:
        return WebLayer([], 0.0, len(feature_collection([], [], [])), budget)
    full = to_web(geoms_bng, 0.0)
    full_bytes = len(feature_collection(codes, names, full).encode())
    if full_bytes <= budget:
        return WebLayer(full, 0.0, full_bytes, budget)
    n_full = int(shapely.get_num_coordinates(geoms_bng).sum())
    per_coord = full_bytes / max(n_full, 1)

    def fits(i: int) -> bool:
        n = int(shapely.get_num_coordinates(simplify_coverage(geoms_bng, TOLERANCES[i])).sum())
        return n * per_coord <= budget

    # size falls as tolerance grows: binary search for the first tolerance estimated to fit
    lo, hi = 1, len(TOLERANCES) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    start = lo
    for tol in TOLERANCES[start:]:
        geo = to_web(geoms_bng, tol)
        size = len(feature_collection(codes, names, geo).encode())
        if size <= budget:
            return WebLayer(geo, tol, size, budget)
    return WebLayer(geo, tol, size, budget)  # over budget even at the coarsest: say so via .bytes
