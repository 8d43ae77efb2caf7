"""The fictional city of Northbridge: outline, LSOAs, MSOAs, wards, boroughs, people, map points.

The city lies in the Irish Sea (British National Grid around E 262 km, N 442 km), so
its coordinates are valid EPSG:27700 and WGS84 points that can never be mistaken for
a real neighbourhood, and its polygons overlap no real boundary a user may also load.

LSOA 2021 polygons are a Voronoi tessellation of seeded points (denser in the centre,
as real LSOAs are smaller where people live closer together) clipped to the outline.
Boroughs, wards and MSOAs are groups of LSOAs, dissolved, so every layer covers the
city exactly once. The LSOA 2011 vintage differs as the real one does: a few 2011
LSOAs were split into two 2021 LSOAs and a few pairs were merged into one.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer
from scipy.cluster.vq import kmeans2

from openbeat.demo import vocab

CENTRE = (262_000.0, 442_000.0)
RADIUS = 8_000.0
N_LSOA = 520
LSOAS_PER_WARD = 7.4  # London: 4,994 LSOAs in 680 wards
LSOAS_PER_MSOA = 4.7
N_SPLITS = 12  # 2011 LSOAs split into two 2021 LSOAs
N_MERGES = 6  # pairs of 2011 LSOAs merged into one 2021 LSOA

_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)

#: Map point kinds: a street ("On or near <street>"), a named place type, or the
#: empty name police.uk sometimes publishes ("On or near ").
STREET, PLACE, EMPTY = 0, 1, 2


@dataclass(frozen=True)
class Place:
    """Where a city lies, how big it is, and how its areas are named and numbered.

    The default is Northbridge. Other places (:mod:`openbeat.demo.national`) get their
    own ``number``, which offsets every area code so that no two cities' codes collide,
    their own centre and size (lengths scale with ``radius``) and their own names.
    """

    number: int = 0
    centre: tuple[float, float] = CENTRE
    radius: float = RADIUS
    n_lsoa: int = N_LSOA
    n_splits: int = N_SPLITS
    n_merges: int = N_MERGES
    boroughs: tuple[str, ...] = vocab.BOROUGHS
    neighbourhood_prefix: str = "NB"
    force: str = vocab.FORCE
    force_name: str = vocab.FORCE_NAME

    @property
    def k(self) -> float:
        """Lengths relative to Northbridge's."""
        return self.radius / RADIUS


NORTHBRIDGE = Place()
#: Qualifiers for ward names once a city has more wards than there are name stems.
_WARD_QUALIFIERS = ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "Old ", "New ", "Great ",
                    "Little ", "Far ", "Near ")


@dataclass
class Areas:
    """One layer of areas: codes, names, polygons (BNG) and the parent indices."""

    code: list[str]
    name: list[str]
    geom: np.ndarray  # shapely geometries
    borough: np.ndarray  # index into the borough layer
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.code)


@dataclass
class City:
    outline: shapely.Polygon
    boroughs: Areas
    wards: Areas  # extra: nbhd (police.uk neighbourhood id)
    msoas: Areas
    lsoas: Areas  # 2021; extra: ward, msoa, pop, age (n, 18), eth (n, 7), lsoa11 (index of 2011 parent or -1)
    lsoas11: Areas  # extra: msoa
    changes: list[tuple[str, str, str]]  # (LSOA11CD, LSOA21CD, CHGIND U/S/M) — the truth
    points: MapPoints
    roles: dict[str, int]  # planted places: ward or borough indices
    hotspots: dict[str, tuple[float, float]]  # BNG x, y of planted centres
    place: Place = NORTHBRIDGE


@dataclass
class MapPoints:
    """police.uk's anonymised snap points: every crime and search is placed on one."""

    x: np.ndarray
    y: np.ndarray
    lon: list[str]  # 6 decimals, as police.uk writes them
    lat: list[str]
    location: list[str]  # "On or near …"
    kind: np.ndarray  # STREET / PLACE / EMPTY
    place: np.ndarray  # index into vocab.PLACE_NAMES, or -1
    lsoa: np.ndarray  # 2021 LSOA index, -1 outside the city
    lsoa11: np.ndarray  # 2011 LSOA index, -1 outside the city
    outside_code: list[str]  # LSOA code/name for points outside the city (else "")
    outside_name: list[str]

    def __len__(self) -> int:
        return len(self.x)


def build_city(seed: int, place: Place = NORTHBRIDGE) -> City:
    """The whole geography, deterministic from ``seed`` (and ``place``: Northbridge by default)."""
    rng = np.random.default_rng([seed, 0])
    outline = _outline(rng, place)
    base = _tessellate(rng, outline, place.n_lsoa + place.n_merges, place)
    cells, merged = _merge_pairs(rng, base, place.n_merges)
    cx, cy = _centroids(cells)

    borough = _assign_boroughs(rng, cx, cy, place)
    borough = _make_contiguous(cells, borough)
    ward = _cluster_within(rng, cells, cx, cy, borough, LSOAS_PER_WARD)
    msoa = _cluster_within(rng, cells, cx, cy, borough, LSOAS_PER_MSOA)

    boroughs = _borough_layer(cells, borough, place)
    wards, ward = _ward_layer(rng, cells, ward, borough, cy, place)
    msoas, msoa = _msoa_layer(cells, msoa, borough, cy, place)
    lsoas, lsoas11, changes = _lsoa_layers(rng, cells, merged, cx, msoa, ward, borough, msoas, place)
    _population(rng, lsoas, lsoas11)
    roles, hotspots = _roles(lsoas, wards, boroughs)
    points = _map_points(rng, outline, lsoas, lsoas11, hotspots, place)
    return City(outline, boroughs, wards, msoas, lsoas, lsoas11, changes, points, roles, hotspots, place)


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _TO_WGS84.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


# ---- outline and tessellation -------------------------------------------------------


def _outline(rng: np.random.Generator, place: Place) -> shapely.Polygon:
    theta = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    r = np.ones_like(theta)
    for k in (2, 3, 4, 5):  # low harmonics only: a smooth, star-shaped coast
        r += rng.uniform(0.02, 0.07) * np.sin(k * theta + rng.uniform(0, 2 * np.pi))
    x = place.centre[0] + place.radius * r * np.cos(theta)
    y = place.centre[1] + place.radius * r * np.sin(theta)
    return shapely.Polygon(np.round(np.column_stack([x, y]), 1))


def _tessellate(rng: np.random.Generator, outline: shapely.Polygon, n: int, place: Place) -> np.ndarray:
    xmin, ymin, xmax, ymax = outline.bounds
    seeds = np.empty((0, 2))
    while len(seeds) < n:
        cand = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        d = np.hypot(cand[:, 0] - place.centre[0], cand[:, 1] - place.centre[1])
        density = 0.35 + np.exp(-d / (3_500 * place.k))  # denser centre: smaller LSOAs there
        keep = (rng.uniform(0, 1.35, len(cand)) < density) & shapely.contains_xy(outline, cand[:, 0], cand[:, 1])
        seeds = np.vstack([seeds, cand[keep]])
    seeds = seeds[:n]
    for _ in range(2):  # half-steps of Lloyd relaxation: no slivers, density kept
        cells = _voronoi(seeds, outline)
        cx, cy = _centroids(cells)
        seeds = 0.5 * seeds + 0.5 * np.column_stack([cx, cy])
    cells = _voronoi(seeds, outline)
    return _single_parts(cells)


def _voronoi(seeds: np.ndarray, outline: shapely.Polygon) -> np.ndarray:
    env = shapely.box(*outline.buffer(5_000).bounds)
    vor = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=env, ordered=True)
    cells = np.asarray(shapely.get_parts(vor))
    cells = shapely.set_precision(shapely.intersection(cells, outline), 0.01)
    return cells


def _single_parts(cells: np.ndarray) -> np.ndarray:
    """Give any stray piece of a cell (cut off by a bend of the coast) to its neighbour."""
    cells = cells.copy()
    for i, g in enumerate(cells):
        if g.geom_type != "MultiPolygon":
            continue
        parts = sorted(shapely.get_parts(g), key=lambda p: -p.area)
        cells[i] = parts[0]
        for p in parts[1:]:
            j = _best_neighbour(cells, p, exclude={i})
            cells[j] = shapely.set_precision(shapely.union(cells[j], p), 0.01)
    assert all(g.geom_type == "Polygon" for g in cells)
    return cells


def _merge_pairs(rng, base: np.ndarray, n_merges: int) -> tuple[np.ndarray, dict[int, tuple]]:
    """Join ``n_merges`` pairs of adjacent cells: one 2021 LSOA each, two 2011 LSOAs.

    Every polygon of either vintage is then a union of the same base cells, so shared
    edges are identical and the layers tile the city exactly.
    """
    pairs = _adjacent_pairs(rng, base, n_merges, lambda i, j: True)
    drop = {j for _, j in pairs}
    keep = [i for i in range(len(base)) if i not in drop]
    position = {i: k for k, i in enumerate(keep)}
    cells = base[keep].copy()
    merged = {}
    for i, j in pairs:
        cells[position[i]] = _dissolve(base[[i, j]])
        merged[position[i]] = (base[i], base[j])
    return cells, merged


def _adjacent_pairs(rng, cells: np.ndarray, n: int, ok) -> list[tuple[int, int]]:
    """Up to ``n`` disjoint pairs of cells sharing an edge of 50 m or more."""
    tree = shapely.STRtree(cells)
    used = np.zeros(len(cells), bool)
    pairs = []
    for i in rng.permutation(len(cells)):
        if len(pairs) == n:
            break
        if used[i]:
            continue
        for j in tree.query(cells[i], predicate="touches"):
            if not used[j] and j != i and ok(i, j) and shapely.intersection(cells[i], cells[j]).length > 50:
                pairs.append((int(i), int(j)))
                used[[i, j]] = True
                break
    return pairs


def _best_neighbour(geoms: np.ndarray, piece, exclude: set[int], allowed: np.ndarray | None = None) -> int:
    """The geometry sharing the longest border with ``piece``."""
    best, best_len = -1, 0.0
    edge = piece.boundary
    for j in np.flatnonzero(shapely.intersects(geoms, piece.buffer(0.05))):
        if j in exclude or (allowed is not None and not allowed[j]):
            continue
        length = shapely.intersection(geoms[j].buffer(0.05), edge).length
        if length > best_len:
            best, best_len = j, length
    return best


def _centroids(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = shapely.centroid(cells)
    return shapely.get_x(c), shapely.get_y(c)


# ---- grouping LSOAs ---------------------------------------------------------------


def _assign_boroughs(rng: np.random.Generator, cx: np.ndarray, cy: np.ndarray, place: Place) -> np.ndarray:
    """A central borough around the old town, and four around it by compass sector."""
    k = place.k
    ox, oy = place.centre[0] + rng.uniform(-600 * k, 600 * k), place.centre[1] + rng.uniform(-600 * k, 600 * k)
    d = np.hypot(cx - ox, cy - oy)
    angle = np.degrees(np.arctan2(cy - oy, cx - ox)) + rng.uniform(-15, 15)
    sector = np.mod(np.floor((angle + 45) / 90).astype(int), 4)  # 0 E, 1 N, 2 W, 3 S
    by_sector = np.array([2, 1, 4, 3])  # Docks east, Heath north, West, upon Mere south
    borough = by_sector[sector]
    borough[d < 3_100 * k] = 0
    return borough


def _cluster_within(rng, cells, cx, cy, borough, per_group) -> np.ndarray:
    """k-means of LSOA centroids inside each borough; groups made contiguous."""
    group = np.full(len(cells), -1)
    next_id = 0
    for b in range(len(vocab.BOROUGHS)):
        idx = np.flatnonzero(borough == b)
        k = max(3, round(len(idx) / per_group))
        pts = np.column_stack([cx[idx], cy[idx]])
        _, labels = kmeans2(pts, k, minit="++", seed=rng, iter=30)
        _, labels = np.unique(labels, return_inverse=True)  # drop empty clusters
        group[idx] = labels + next_id
        next_id += labels.max() + 1
    return _make_contiguous(cells, group, within=borough)


def _make_contiguous(cells: np.ndarray, group: np.ndarray, within: np.ndarray | None = None) -> np.ndarray:
    """Move LSOAs cut off from the rest of their group to the neighbouring group."""
    group = group.copy()
    for _ in range(20):
        moved = False
        for g in np.unique(group):
            idx = np.flatnonzero(group == g)
            union = shapely.union_all(cells[idx])
            if union.geom_type == "Polygon":
                continue
            parts = sorted(shapely.get_parts(union), key=lambda p: -p.area)
            for part in parts[1:]:
                members = idx[shapely.contains(part.buffer(1.0), cells[idx])]
                allowed = (group != g) if within is None else (group != g) & (within == within[idx[0]])
                j = _best_neighbour(cells, shapely.union_all(cells[members]), set(members), allowed)
                if j >= 0:
                    group[members] = group[j]
                    moved = True
        if not moved:
            break
    _, group = np.unique(group, return_inverse=True)
    return group


def _borough_layer(cells, borough, place: Place) -> Areas:
    n = len(place.boroughs)
    geom = np.array([_dissolve(cells[borough == b]) for b in range(n)], dtype=object)
    codes = [f"X09{place.number * 100 + b + 1:06d}" for b in range(n)]
    return Areas(codes, list(place.boroughs), geom, np.arange(n))


def _ward_layer(rng, cells, ward, borough, cy, place: Place) -> tuple[Areas, np.ndarray]:
    """Wards numbered by borough, then north to south; invented, unique names."""
    n = ward.max() + 1
    wb = np.array([borough[ward == w][0] for w in range(n)])
    wy = np.array([cy[ward == w].mean() for w in range(n)])
    order = np.lexsort((-wy, wb))
    rank = np.empty(n, int)
    rank[order] = np.arange(n)
    ward = rank[ward]
    wb, stems = wb[order], rng.permutation(vocab.WARD_STEMS)
    names = []
    for i in range(n):
        suffix = vocab.WARD_SUFFIXES[rng.integers(len(vocab.WARD_SUFFIXES))]
        cycle, stem = divmod(i, len(stems))  # a big city's wards go round the stems again
        names.append(f"{_WARD_QUALIFIERS[cycle % len(_WARD_QUALIFIERS)]}{stems[stem]}{suffix}")
    geom = np.array([_dissolve(cells[ward == w]) for w in range(n)], dtype=object)
    codes = [f"X05{place.number * 10_000 + w + 1:06d}" for w in range(n)]
    nbhd = np.array([f"{place.neighbourhood_prefix}{w + 1:02d}" for w in range(n)])
    return Areas(codes, names, geom, wb, {"nbhd": nbhd}), ward


def _msoa_layer(cells, msoa, borough, cy, place: Place) -> tuple[Areas, np.ndarray]:
    """MSOAs numbered 001, 002 … from north to south within each borough, as ONS does."""
    n = msoa.max() + 1
    mb = np.array([borough[msoa == m][0] for m in range(n)])
    my = np.array([cy[msoa == m].mean() for m in range(n)])
    order = np.lexsort((-my, mb))
    rank = np.empty(n, int)
    rank[order] = np.arange(n)
    msoa = rank[msoa]
    mb = mb[order]
    number = np.zeros(n, int)
    for b in range(len(place.boroughs)):
        idx = np.flatnonzero(mb == b)
        number[idx] = np.arange(1, len(idx) + 1)
    names = [f"{place.boroughs[mb[m]]} {number[m]:03d}" for m in range(n)]
    geom = np.array([_dissolve(cells[msoa == m]) for m in range(n)], dtype=object)
    codes = [f"X02{place.number * 10_000 + m + 1:06d}" for m in range(n)]
    return Areas(codes, names, geom, mb), msoa


def _dissolve(geoms: np.ndarray):
    return shapely.set_precision(shapely.union_all(geoms), 0.01)


# ---- the two LSOA vintages ----------------------------------------------------------


def _lsoa_layers(rng, cells, merged, cx, msoa, ward, borough, msoas: Areas, place: Place):
    """LSOA 2021 and 2011 layers, with splits and merges between them.

    A *split*: two adjacent 2021 LSOAs of one MSOA and ward were one 2011 LSOA.
    A *merge*: one 2021 LSOA (``merged``: its two base cells) was two 2011 LSOAs.
    As ONS did, LSOAs that changed get new codes and new letters in their MSOA's
    names; unchanged LSOAs keep code and name across vintages.
    """
    n = len(cells)
    pairs = _adjacent_pairs(rng, cells, place.n_splits,
                            lambda i, j: msoa[i] == msoa[j] and ward[i] == ward[j] and i not in merged
                            and j not in merged)
    used = np.zeros(n, bool)
    for i, j in pairs:
        used[[i, j]] = True
    used[list(merged)] = True

    # 2011 units: (geometry, [2021 indices it overlaps], change kind)
    units11: list[tuple[object, int, str, list[int]]] = []  # (geom, msoa, kind, children)
    for i in range(n):
        if not used[i]:
            units11.append((cells[i], msoa[i], "U", [i]))
    for i, j in pairs:
        units11.append((_dissolve(cells[[i, j]]), msoa[i], "S", [i, j]))
    for i, halves in sorted(merged.items()):
        for half in halves:
            units11.append((half, msoa[i], "M", [i]))

    # Letters: within each MSOA, the 2011 units (west to east) take A, B, C …; 2021-only
    # LSOAs then take the letters after them.
    letters = string.ascii_uppercase
    name11, name21 = {}, {}
    for m in range(len(msoas)):
        mine11 = [k for k, u in enumerate(units11) if u[1] == m]
        mine11.sort(key=lambda k: shapely.centroid(units11[k][0]).x)
        for pos, k in enumerate(mine11):
            name11[k] = f"{msoas.name[m]}{letters[pos]}"
            if units11[k][2] == "U":
                name21[units11[k][3][0]] = name11[k]
        new21 = sorted((i for i in np.flatnonzero(msoa == m) if used[i]), key=lambda i: cx[i])
        for pos, i in enumerate(new21, start=len(mine11)):
            name21[i] = f"{msoas.name[m]}{letters[pos]}"

    # Codes: unchanged LSOAs first in name order, 2021-only after; 2011-only X019….
    same = sorted((i for i in range(n) if not used[i]), key=lambda i: (borough[i], name21[i]))
    new = sorted((i for i in range(n) if used[i]), key=lambda i: (borough[i], name21[i]))
    order21 = same + new
    code21 = {i: f"X01{place.number * 10_000 + pos + 1:06d}" for pos, i in enumerate(order21)}
    order11 = sorted(range(len(units11)), key=lambda k: (borough[units11[k][3][0]], name11[k]))
    code11, serial = {}, 0
    for k in order11:
        if units11[k][2] == "U":
            code11[k] = code21[units11[k][3][0]]
        else:
            serial += 1
            code11[k] = f"X019{place.number * 1_000 + serial:05d}"

    old_of = np.full(n, -1)  # 2021 index -> new position
    old_of[order21] = np.arange(n)
    lsoas = Areas(
        [code21[i] for i in order21], [name21[i] for i in order21], cells[order21], borough[order21],
        {"ward": ward[order21], "msoa": msoa[order21]},
    )
    ord11 = sorted(range(len(units11)), key=lambda k: code11[k])
    lsoas11 = Areas(
        [code11[k] for k in ord11], [name11[k] for k in ord11],
        np.array([units11[k][0] for k in ord11], dtype=object),
        np.array([borough[units11[k][3][0]] for k in ord11]),
        {"msoa": np.array([units11[k][1] for k in ord11])},
    )
    changes = []
    for k in ord11:
        for i in units11[k][3]:
            changes.append((code11[k], code21[i], units11[k][2]))
    changes.sort()
    return lsoas, lsoas11, changes


# ---- people -------------------------------------------------------------------------


def _population(rng, lsoas: Areas, lsoas11: Areas) -> None:
    """Residents per 2021 LSOA (1,200–2,500), by age band and ethnic group.

    The 2011 layer gets a mid-2020 estimate: its 2021 pieces' residents shared by area.
    """
    n = len(lsoas)
    total = rng.integers(1_250, 2_451, n)
    age_p = rng.dirichlet(np.array(vocab.AGE_PROFILE) * 400, size=n)
    eth_mix = np.array(vocab.BOROUGH_ETHNIC_MIX)
    eth_p = np.array([rng.dirichlet(eth_mix[b] * 120 + 0.05) for b in lsoas.borough])
    lsoas.extra["pop"] = total
    lsoas.extra["age"] = np.array([rng.multinomial(t, p) for t, p in zip(total, age_p)])
    lsoas.extra["eth"] = np.array([rng.multinomial(t, p) for t, p in zip(total, eth_p)])
    # 2011 pieces: share each 2021 LSOA's residents by overlap area.
    tree = shapely.STRtree(lsoas.geom)
    pop11 = np.zeros(len(lsoas11))
    age11 = np.zeros((len(lsoas11), len(vocab.AGE_PROFILE)))
    for k, g in enumerate(lsoas11.geom):
        for i in tree.query(g, predicate="intersects"):
            share = shapely.intersection(g, lsoas.geom[i]).area / lsoas.geom[i].area
            if share > 1e-6:
                pop11[k] += share * total[i]
                age11[k] += share * lsoas.extra["age"][i]
    lsoas11.extra["pop"] = np.round(pop11 * 0.985).astype(int)  # mid-2020, a little fewer
    lsoas11.extra["age"] = np.round(age11 * 0.985).astype(int)


# ---- planted places and map points -------------------------------------------------


def _roles(lsoas: Areas, wards: Areas, boroughs: Areas):
    """Where the planted patterns sit; names are fixed so the README can name them."""
    wc = shapely.centroid(wards.geom)
    wx, wy = shapely.get_x(wc), shapely.get_y(wc)
    bc = shapely.centroid(boroughs.geom[0])
    d_centre = np.hypot(wx - bc.x, wy - bc.y)
    central = np.flatnonzero(wards.borough == 0)
    nte = central[np.argmin(d_centre[central])]  # the old town: bars, clubs, late buses
    # burglary priority: the largest residential ward of Northbridge Heath (largest so
    # that a short demo window still has the counts to show the change)
    heath = np.flatnonzero(wards.borough == 1)
    size = np.bincount(lsoas.extra["ward"], minlength=len(wards))
    burglary = heath[np.lexsort((-d_centre[heath], -size[heath]))[0]]
    # ASB priority with no effect: a ward of Northbridge upon Mere
    mere = np.flatnonzero(wards.borough == 3)
    asb = mere[np.argsort(d_centre[mere])[len(mere) // 3]]
    docks = np.flatnonzero(wards.borough == 2)
    drugs = docks[np.argsort(d_centre[docks])[1]]
    wards.name[nte] = "Castlegate"
    wards.name[burglary] = "Larkrise"
    wards.name[asb] = "Saltings"
    wards.name[drugs] = "Old Quay"
    nte_pt = shapely.point_on_surface(wards.geom[nte])
    roles = {"nte_ward": int(nte), "burglary_ward": int(burglary), "asb_ward": int(asb),
             "drugs_ward": int(drugs), "vehicle_borough": 4}
    hotspots = {"nte": (nte_pt.x, nte_pt.y)}
    for key, w in (("drugs", drugs), ("asb", asb), ("burglary", burglary)):
        p = shapely.point_on_surface(wards.geom[w])
        hotspots[key] = (p.x, p.y)
    for b in range(1, len(boroughs)):  # a town centre per outer borough
        p = shapely.point_on_surface(boroughs.geom[b])
        hotspots[f"town{b}"] = (p.x, p.y)
    return roles, hotspots


def _map_points(rng, outline, lsoas: Areas, lsoas11: Areas, hotspots, where: Place) -> MapPoints:
    xs, ys, owner = [], [], []
    for i, g in enumerate(lsoas.geom):
        k = 6 + rng.poisson(6)
        x, y = _points_in(rng, g, k)
        xs.append(x)
        ys.append(y)
        owner.append(np.full(k, i))
    # Extra places at the hotspots: the night-time economy and the town centres.
    for key, (hx, hy) in hotspots.items():
        if key in ("burglary", "asb"):
            continue
        k = 40 if key == "nte" else 15
        x, y = hx + rng.normal(0, 250, 3 * k), hy + rng.normal(0, 250, 3 * k)
        inside = shapely.contains_xy(outline, x, y)
        xs.append(x[inside][:k])
        ys.append(y[inside][:k])
        owner.append(np.full(len(xs[-1]), -2))
    x, y = np.concatenate(xs), np.concatenate(ys)
    x, y = np.round(x, 1), np.round(y, 1)
    owner = np.concatenate(owner)
    lsoa = _locate(lsoas.geom, x, y)
    lsoa11 = _locate(lsoas11.geom, x, y)
    ok = (lsoa >= 0) & (lsoa11 >= 0)  # a point on a shared edge may miss; drop it
    x, y, owner, lsoa, lsoa11 = x[ok], y[ok], owner[ok], lsoa[ok], lsoa11[ok]

    n = len(x)
    kind = rng.choice([STREET, PLACE, EMPTY], size=n, p=[0.80, 0.185, 0.015])
    place = np.where(kind == PLACE, rng.integers(0, len(vocab.PLACE_NAMES), n), -1)
    at_hotspot = owner == -2
    # Hotspot points are venues: clubs, bars, theatres, shops, stations.
    venue = np.array([vocab.PLACE_NAMES.index(p) for p in
                      ("Nightclub", "Shopping Area", "Supermarket", "Theatre/Concert Hall",
                       "Bus/Coach Station", "Parking Area", "Shopping Area")])
    kind[at_hotspot & (rng.random(n) < 0.6)] = PLACE
    place = np.where((kind == PLACE) & at_hotspot, venue[rng.integers(0, len(venue), n)], place)
    place[kind != PLACE] = -1

    # Outside the force area: a neighbouring (equally fictional) district.
    n_out = 24
    ang = rng.uniform(0, 2 * np.pi, n_out)
    dist = where.radius * 1.25 + rng.uniform(800 * where.k, 5_000 * where.k, n_out)
    ox = np.round(where.centre[0] + dist * np.cos(ang), 1)
    oy = np.round(where.centre[1] + dist * np.sin(ang), 1)
    out_areas = ("Southmere", "Westhaven, Coldwater and Mere", "Eastwick")
    out_code = [f"X018{where.number * 100 + k + 1:05d}" for k in range(n_out)]
    out_name = [f"{out_areas[k % 3]} {rng.integers(1, 30):03d}{string.ascii_uppercase[rng.integers(0, 5)]}"
                for k in range(n_out)]
    x, y = np.concatenate([x, ox]), np.concatenate([y, oy])
    kind = np.concatenate([kind, np.full(n_out, STREET)])
    place = np.concatenate([place, np.full(n_out, -1)])
    lsoa = np.concatenate([lsoa, np.full(n_out, -1)])
    lsoa11 = np.concatenate([lsoa11, np.full(n_out, -1)])

    lon, lat = to_wgs84(x, y)
    stems = np.array(vocab.STREET_STEMS)
    suffixes = np.array(vocab.STREET_SUFFIXES)
    s_idx = rng.integers(0, len(stems), len(x))
    f_idx = rng.integers(0, len(suffixes), len(x))
    location = []
    for k in range(len(x)):
        if kind[k] == STREET:
            location.append(f"On or near {stems[s_idx[k]]} {suffixes[f_idx[k]]}")
        elif kind[k] == PLACE:
            location.append(f"On or near {vocab.PLACE_NAMES[place[k]]}")
        else:
            location.append("On or near ")
    return MapPoints(
        x, y, [f"{v:.6f}" for v in lon], [f"{v:.6f}" for v in lat], location, kind, place,
        lsoa, lsoa11, [""] * (len(x) - n_out) + out_code, [""] * (len(x) - n_out) + out_name,
    )


def _points_in(rng, poly, k: int) -> tuple[np.ndarray, np.ndarray]:
    xmin, ymin, xmax, ymax = poly.bounds
    out_x, out_y = np.empty(0), np.empty(0)
    while len(out_x) < k:
        x = rng.uniform(xmin, xmax, 4 * k)
        y = rng.uniform(ymin, ymax, 4 * k)
        inside = shapely.contains_xy(poly, x, y)
        out_x, out_y = np.concatenate([out_x, x[inside]]), np.concatenate([out_y, y[inside]])
    return out_x[:k], out_y[:k]


def _locate(geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the polygon containing each point, -1 if none (vectorised STRtree)."""
    tree = shapely.STRtree(geoms)
    pts = shapely.points(x, y)
    pi, gi = tree.query(pts, predicate="within")
    out = np.full(len(x), -1)
    out[pi] = gi
    return out
