"""Vectorised point-in-polygon: assign many points to the polygons of a coverage.

Builds a shapely 2 ``STRtree`` over the polygons; one bulk query gives each point's
candidate polygons by bounding box, then each polygon (prepared once) tests all its
candidates in one vectorised ``intersects_xy`` call. On this project's 2-core machine
500,000 points against the 4,994 London LSOAs take about 1.5 s, where the tree's own
``query(points, predicate="intersects")`` takes about 3.5 s (see ``benchmarks/pip.py``).

A point exactly on a shared boundary intersects both neighbours; the polygon that
comes first in the input wins, so the answer is deterministic. ``intersects`` rather
than ``within`` is used so that such points are not lost.
"""

from __future__ import annotations

import numpy as np
import shapely

from openbeat.geo.crs import to_bng


class PolygonIndex:
    """Polygons (BNG metres) with their codes, ready to locate points.

    >>> import shapely
    >>> idx = PolygonIndex(["A", "B"], [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> idx.codes_at([0.5, 1.5, 5.0], [0.5, 0.5, 0.5]).tolist()
    ['A', 'B', None]
    """

    def __init__(self, codes, geoms):
        self.codes = np.asarray(codes, dtype=object)
        self.geoms = np.asarray(geoms, dtype=object)
        if len(self.codes) != len(self.geoms):
            raise ValueError(f"{len(self.codes)} codes but {len(self.geoms)} geometries")
        self.tree = shapely.STRtree(self.geoms)
        shapely.prepare(self.geoms)

    def __len__(self) -> int:
        return len(self.codes)

    def index_at(self, x, y) -> np.ndarray:
        """For each point, the position of the polygon containing it, or -1 (outside, or NaN)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        out = np.full(x.shape[0], -1, dtype=np.int64)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if ok.size == 0 or len(self.codes) == 0:
            return out
        xs, ys = x[ok], y[ok]
        # bounding-box candidates from the tree, then an exact test per polygon on all its
        # candidates at once (prepared geometry, coordinates without Point objects): about 3x
        # faster than tree.query(points, predicate="intersects") on London's LSOAs
        p_idx, g_idx = self.tree.query(shapely.points(xs, ys))
        if p_idx.size == 0:
            return out
        order = np.argsort(g_idx, kind="stable")
        p_idx, g_idx = p_idx[order], g_idx[order]
        starts = np.flatnonzero(np.r_[True, g_idx[1:] != g_idx[:-1]])
        ends = np.r_[starts[1:], g_idx.size]
        found = np.full(ok.size, -1, dtype=np.int64)
        for s, e in zip(starts, ends):  # polygons in input order, so the first one wins ties
            cand = p_idx[s:e]
            hit = cand[shapely.intersects_xy(self.geoms[g_idx[s]], xs[cand], ys[cand])]
            hit = hit[found[hit] < 0]
            found[hit] = g_idx[s]
        out[ok] = found
        return out

    def codes_at(self, x, y) -> np.ndarray:
        """For each point (BNG metres), the code of the polygon containing it, or None."""
        idx = self.index_at(x, y)
        res = np.full(idx.shape[0], None, dtype=object)
        hit = idx >= 0
        res[hit] = self.codes[idx[hit]]
        return res

    def codes_at_lonlat(self, lon, lat) -> np.ndarray:
        """As :meth:`codes_at` for WGS84 longitude/latitude (NaN gives None)."""
        x, y = to_bng(lon, lat)
        return self.codes_at(x, y)
