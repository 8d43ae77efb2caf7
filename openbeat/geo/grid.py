"""Regular square grids on the British National Grid (EPSG:27700) for hotspot analysis.

Points (eastings and northings in metres) are binned into square cells of a fixed size
(250 m by default, the cell size used for street-level hotspot maps in the UK). Cell
edges sit on multiples of the cell size, so the same place always falls in the same cell
whatever the data's extent, and cell ids (``E530000N180250``: the south-west corner)
are stable across months and areas.

Every cell of the bounding rectangle is kept, crime or not: Gi* compares a cell's
neighbourhood with the whole study area, and an empty cell is information (zero crime),
not missing data. Use ``keep`` in :meth:`Grid.weights` to drop cells outside the study
area (e.g. beyond the borough boundary).

Example
-------
>>> from openbeat.geo.grid import Grid
>>> g = Grid.from_points([530010, 530260, 530270], [180010, 180010, 180300])
>>> g.shape, g.counts.tolist()
((2, 2), [1, 1, 0, 1])
>>> g.cell_ids[:2].tolist()
['E530000N180000', 'E530250N180000']
>>> g.weights().toarray().astype(int).tolist()
[[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import sparse

QUEEN = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))
ROOK = ((-1, 0), (0, -1), (0, 1), (1, 0))


@dataclass(frozen=True)
class Grid:
    """A rectangle of square cells, numbered row by row from the south-west corner.

    Attributes
    ----------
    x0, y0 : float
        Easting and northing of the south-west corner of cell 0 (metres, EPSG:27700).
    cell_size : float
        Side of a cell in metres.
    nrows, ncols : int
        Rows (south to north) and columns (west to east).
    counts : ndarray of int (nrows * ncols,)
        Points per cell; cell ``r * ncols + c`` is row ``r``, column ``c``.
    dropped : int
        Points left out because they had no coordinates (police.uk "No Location" rows).
    """

    x0: float
    y0: float
    cell_size: float
    nrows: int
    ncols: int
    counts: np.ndarray
    dropped: int = 0

    @classmethod
    def from_points(cls, easting, northing, cell_size: float = 250.0, extent=None,
                    weights=None) -> "Grid":
        """Bin points into cells.

        Parameters
        ----------
        easting, northing : array_like
            BNG coordinates in metres. NaN (no location) is dropped and counted.
        cell_size : float
            Cell side in metres (default 250).
        extent : (xmin, ymin, xmax, ymax), optional
            Area to cover (e.g. a borough's bounds), so that empty edges are kept;
            points outside it are an error. Defaults to the points' own extent.
        weights : array_like, optional
            A value per point to sum instead of counting (e.g. harm in days).
        """
        if cell_size <= 0:
            raise ValueError(f"cell_size must be positive, got {cell_size}")
        x = np.asarray(easting, dtype=float).ravel()
        y = np.asarray(northing, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"{x.size} eastings but {y.size} northings")
        v = None if weights is None else np.asarray(weights, dtype=float).ravel()
        ok = np.isfinite(x) & np.isfinite(y)
        dropped = int((~ok).sum())
        x, y = x[ok], y[ok]
        if v is not None:
            v = v[ok]
        if extent is None:
            if x.size == 0:
                raise ValueError("no points with coordinates and no extent: nothing to grid")
            extent = (x.min(), y.min(), x.max(), y.max())
        xmin, ymin, xmax, ymax = map(float, extent)
        if xmax < xmin or ymax < ymin:
            raise ValueError(f"extent {extent} is not (xmin, ymin, xmax, ymax)")
        x0 = np.floor(xmin / cell_size) * cell_size
        y0 = np.floor(ymin / cell_size) * cell_size
        ncols = int(np.floor(xmax / cell_size) - x0 / cell_size) + 1
        nrows = int(np.floor(ymax / cell_size) - y0 / cell_size) + 1
        col = np.floor((x - x0) / cell_size).astype(np.int64)
        row = np.floor((y - y0) / cell_size).astype(np.int64)
        outside = (col < 0) | (col >= ncols) | (row < 0) | (row >= nrows)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise ValueError(f"{int(outside.sum())} points lie outside the extent {extent}, "
                             f"e.g. ({x[i]}, {y[i]}); widen the extent or filter the points")
        idx = row * ncols + col
        counts = np.bincount(idx, weights=v, minlength=nrows * ncols)
        if v is None:
            counts = counts.astype(np.int64)
        return cls(float(x0), float(y0), float(cell_size), nrows, ncols, counts, dropped)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nrows, self.ncols)

    @property
    def n(self) -> int:
        return self.nrows * self.ncols

    @property
    def corners(self) -> tuple[np.ndarray, np.ndarray]:
        """South-west corner (easting, northing) of every cell."""
        r, c = np.divmod(np.arange(self.n), self.ncols)
        return self.x0 + c * self.cell_size, self.y0 + r * self.cell_size

    @property
    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self.corners
        return x + self.cell_size / 2, y + self.cell_size / 2

    @property
    def cell_ids(self) -> np.ndarray:
        """``E<easting>N<northing>`` of each cell's south-west corner, in whole metres."""
        x, y = self.corners
        return np.array([f"E{int(round(a))}N{int(round(b))}" for a, b in zip(x, y)])

    def weights(self, contiguity: str = "queen", keep=None) -> sparse.csr_matrix:
        """Binary contiguity weights between cells (no self-weights).

        Parameters
        ----------
        contiguity : {"queen", "rook"}
            Queen: the 8 cells sharing an edge or a corner; rook: the 4 sharing an edge.
        keep : array_like of bool (n,), optional
            Cells to keep (e.g. those inside the study area); the matrix is then over the
            kept cells only, in their order. Defaults to every cell of the rectangle.
        """
        offsets = {"queen": QUEEN, "rook": ROOK}.get(contiguity)
        if offsets is None:
            raise ValueError(f"contiguity must be 'queen' or 'rook', got {contiguity!r}")
        r, c = np.divmod(np.arange(self.n), self.ncols)
        src, dst = [], []
        for dr, dc in offsets:
            rr, cc = r + dr, c + dc
            ok = (rr >= 0) & (rr < self.nrows) & (cc >= 0) & (cc < self.ncols)
            src.append(np.flatnonzero(ok))
            dst.append(rr[ok] * self.ncols + cc[ok])
        src, dst = np.concatenate(src), np.concatenate(dst)
        n = self.n
        if keep is not None:
            keep = np.asarray(keep, dtype=bool).ravel()
            if keep.size != self.n:
                raise ValueError(f"keep has {keep.size} values for {self.n} cells")
            new = np.full(self.n, -1)
            new[keep] = np.arange(int(keep.sum()))
            both = keep[src] & keep[dst]
            src, dst = new[src[both]], new[dst[both]]
            n = int(keep.sum())
        w = sparse.csr_matrix((np.ones(src.size), (src, dst)), shape=(n, n))
        w.sort_indices()
        return w

    def polygons(self, transform: Callable | None = None, keep=None,
                 decimals: int = 6) -> list[list[list[float]]]:
        """One closed ring per cell: ``[[x, y], ...]`` (5 points, counter-clockwise).

        Parameters
        ----------
        transform : callable, optional
            ``f(x_array, y_array) -> (x_array, y_array)``, e.g. :func:`bng_to_wgs84` for
            GeoJSON (longitude, latitude). Without it, rings are in BNG metres.
        keep : array_like of bool, optional
            Only these cells, in order.
        """
        x, y = self.corners
        if keep is not None:
            keep = np.asarray(keep, dtype=bool).ravel()
            x, y = x[keep], y[keep]
        s = self.cell_size
        # SW, SE, NE, NW, SW: counter-clockwise, as RFC 7946 asks for exterior rings.
        xs = np.stack([x, x + s, x + s, x, x], axis=1)
        ys = np.stack([y, y, y + s, y + s, y], axis=1)
        if transform is not None:
            tx, ty = transform(xs.ravel(), ys.ravel())
            xs, ys = np.asarray(tx).reshape(xs.shape), np.asarray(ty).reshape(ys.shape)
        xs, ys = np.round(xs, decimals), np.round(ys, decimals)
        return [[[float(a), float(b)] for a, b in zip(rx, ry)] for rx, ry in zip(xs, ys)]


def bng_to_wgs84() -> Callable:
    """A function turning BNG eastings/northings (EPSG:27700) into longitude/latitude (EPSG:4326).

    Uses pyproj's ``Transformer`` with ``always_xy=True`` so that the output is
    (longitude, latitude), the order GeoJSON wants.
    """
    return _transform("EPSG:27700", "EPSG:4326")


def wgs84_to_bng() -> Callable:
    """The inverse of :func:`bng_to_wgs84`: (longitude, latitude) → (easting, northing)."""
    return _transform("EPSG:4326", "EPSG:27700")


@functools.lru_cache(maxsize=4)
def _transform(src: str, dst: str) -> Callable:
    """One transformer per direction per process (making one took 0.3 s of each map under
    load); pyproj's transformers are thread-safe since 3.1."""
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True).transform
