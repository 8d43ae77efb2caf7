"""Point in polygon: 500,000 points to ~5,000 LSOA polygons, OpenBeat beside geopandas ``sjoin``.

Polygons: the 4,994 London LSOA 2021 polygons (ONS, generalised 20 m) from
``../shared/data`` when present, else a synthetic 71 × 71 grid of jittered cells
(5,041 polygons) over the same extent. Points: 500,000 sampled uniformly *inside* the
polygons (seeded), plus 2 % outside, so every point has exactly one answer.

Both sides get the same points (BNG metres) and polygons; the times cover building
the index and assigning every point. OpenBeat's answer is checked equal to sjoin's.

Run:  .venv/bin/python benchmarks/pip.py  [--points 500000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OPENBEAT_SHARED_DATA", ROOT.parent / "shared" / "data"))
LSOA = SHARED / "boundaries" / "ons_lsoa_2021_london_gen20" / "london-2021-lsoa-gen20.shp"


def polygons() -> tuple[list[str], np.ndarray, str]:
    if LSOA.exists():
        import pyogrio

        meta, t = pyogrio.read_arrow(LSOA)
        geoms = shapely.from_wkb(t.column(meta["geometry_name"] or "wkb_geometry").to_numpy(zero_copy_only=False))
        return t.column("LSOA21CD").to_pylist(), geoms, f"London LSOA 2021 ({LSOA.name})"
    rng = np.random.default_rng(1)
    n = 71
    xs = np.linspace(503_000, 562_000, n + 1)
    ys = np.linspace(155_000, 201_000, n + 1)
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
    grid[1:-1, 1:-1] += rng.uniform(-200, 200, size=(n - 1, n - 1, 2))
    cells, codes = [], []
    for i in range(n):
        for j in range(n):
            cells.append(shapely.Polygon([grid[i, j], grid[i + 1, j], grid[i + 1, j + 1], grid[i, j + 1]]))
            codes.append(f"C{i:02d}{j:02d}")
    return codes, np.asarray(cells, dtype=object), "synthetic jittered grid (../shared/data absent)"


def sample_points(geoms: np.ndarray, n: int, seed: int = 20240401) -> tuple[np.ndarray, np.ndarray]:
    """n points: 98 % inside polygons (area-weighted, rejection sampling), 2 % outside all."""
    rng = np.random.default_rng(seed)
    areas = shapely.area(geoms)
    n_in = int(n * 0.98)
    which = rng.choice(len(geoms), size=n_in, p=areas / areas.sum())
    bounds = shapely.bounds(geoms)[which]
    x = np.empty(n_in)
    y = np.empty(n_in)
    todo = np.arange(n_in)
    while todo.size:
        b = bounds[todo]
        cx = rng.uniform(b[:, 0], b[:, 2])
        cy = rng.uniform(b[:, 1], b[:, 3])
        ok = shapely.contains_xy(geoms[which[todo]], cx, cy)
        x[todo[ok]], y[todo[ok]] = cx[ok], cy[ok]
        todo = todo[~ok]
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    out_x = rng.uniform(xmax + 1_000, xmax + 20_000, n - n_in)  # east of everything
    out_y = rng.uniform(ymin, ymax, n - n_in)
    order = rng.permutation(n)
    return np.r_[x, out_x][order], np.r_[y, out_y][order]


def run_openbeat(codes, geoms, x, y):
    from openbeat.geo.pip import PolygonIndex

    return PolygonIndex(codes, geoms).codes_at(x, y)


def run_sjoin(codes, geoms, x, y):
    import geopandas as gpd

    polys = gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:27700")
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")
    joined = gpd.sjoin(pts, polys, how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["code"].to_numpy(dtype=object)


def best_of(fn, repeat, *args):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    codes, geoms, label = polygons()
    x, y = sample_points(geoms, args.points)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; shapely {shapely.__version__} "
          f"(GEOS {shapely.geos_version_string})")
    print(f"polygons: {len(codes):,} {label}; points: {len(x):,}")
    t_ob, ob = best_of(run_openbeat, args.repeat, codes, geoms, x, y)
    print(f"openbeat PolygonIndex (STRtree bbox + prepared intersects_xy): {t_ob:.2f} s  "
          f"({len(x) / t_ob / 1e3:,.0f}k points/s)")
    t_gp, gp = best_of(run_sjoin, args.repeat, codes, geoms, x, y)
    import geopandas

    print(f"geopandas {geopandas.__version__} sjoin (predicate=intersects):             {t_gp:.2f} s")
    same = np.array([a == b or (a is None and (b is None or b != b)) for a, b in zip(ob, gp)])
    print(f"answers equal: {same.mean():.4%}; outside every polygon: {sum(v is None for v in ob):,}")
    if t_ob > 5:
        raise SystemExit("slower than the 5 s target")


if __name__ == "__main__":
    main()
