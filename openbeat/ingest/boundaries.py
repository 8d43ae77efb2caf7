"""Boundary layers (LSOA 2011/2021, MSOA, wards, boroughs) → the ``areas`` dataset.

Files are read with pyogrio (GDAL): shapefile, GeoJSON, GeoPackage (every layer),
MapInfo TAB, FlatGeobuf. What a layer *is* comes from its fields, never from its file
name — ONS names the code field after the geography and its vintage:

=====================  ===========  =========================================
field                  level        notes
=====================  ===========  =========================================
``LSOAyyCD``           ``lsoayy``   parents from ``MSOAyyCD`` and ``LADyyCD``
``MSOAyyCD``           ``msoayy``   (and no LSOA field)
``WDyyCD`` (yy ≥ 22)   ``ward``     parents from ``LADyyCD``
``LADyyCD``            ``borough``  (and no LSOA/MSOA/ward field)
``code``/``GSS_CODE``  ``borough``  when every value is a LAD code (E06–E09, W06, X09…)
=====================  ===========  =========================================

Wards before 2022 (``WDyyCD`` with yy < 22, or the London Datastore 2018 layout with
``GSS_CODE`` + ``LAGSSCODE``) are recognised and *not* loaded: they are not current
wards, and loading them as such would misplace crime.

Geometry is kept in British National Grid (EPSG:27700) as WKB; anything else is
reprojected on load. :func:`rebuild_areas` then derives what depends on several
inputs: approximate wards (and boroughs) dissolved from LSOA 2021 polygons where none
were supplied, parent codes, the best-fit LSOA 2011 → 2021 lookup, and the simplified
WGS84 web geometry of every layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyproj
import shapely

from openbeat.geo.crs import BNG, to_wgs84, transform_geoms
from openbeat.geo.dissolve import dissolve
from openbeat.geo.overlap import bestfit_lsoa_lookup
from openbeat.geo.refdata import merge_reference, read_reference
from openbeat.geo.rollup import current_ward_vintage
from openbeat.geo.simplify import BUDGETS, DEFAULT_BUDGET, web_layer
from openbeat.ingest.errors import IngestError
from openbeat.lake import Lake

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".tab", ".mif", ".fgb", ".gml")


AREAS_SCHEMA = pa.schema(
    [
        ("level", pa.string()),  # lsoa11, lsoa21, msoa21, ward, borough
        ("code", pa.string()),  # GSS code (E01…, E02…, E05…, E09…)
        ("name", pa.string()),
        ("vintage", pa.string()),  # '2011', '2021', 'WD22', 'LAD22', or 'unknown'
        ("approximate", pa.bool_()),  # geometry dissolved from LSOA 2021, not published
        ("source", pa.string()),  # file the geometry came from, or how it was derived
        ("lsoa21_code", pa.string()),  # lsoa11: best-fit 2021 LSOA
        ("msoa_code", pa.string()),
        ("ward_code", pa.string()),  # current ward (lsoa21 via the lookup)
        ("borough_code", pa.string()),
        ("area_m2", pa.float64()),
        ("centroid_lat", pa.float64()),
        ("centroid_lon", pa.float64()),
        ("bbox_xmin", pa.float64()),  # BNG bounding box, to pre-filter point queries
        ("bbox_ymin", pa.float64()),
        ("bbox_xmax", pa.float64()),
        ("bbox_ymax", pa.float64()),
        ("geometry_bng", pa.binary()),  # WKB, EPSG:27700, as published
        ("geometry_web", pa.string()),  # GeoJSON geometry, EPSG:4326, simplified
        ("web_tolerance_m", pa.float64()),
    ]
)

_CODE_TYPE = re.compile(r"^[A-Z](\d\d)[A-Z0-9]{6}$")


def code_type(code: str | None) -> str | None:
    """The GSS entity type of a code: 'E01000001' → '01' (also synthetic 'X01…' codes)."""
    if not code:
        return None
    m = _CODE_TYPE.match(code.strip())
    return m[1] if m else None


LAD_TYPES = {"06", "07", "08", "09"}


@dataclass
class LayerSpec:
    level: str
    vintage: str
    code_field: str
    name_field: str | None
    msoa_field: str | None = None
    ward_field: str | None = None
    borough_field: str | None = None


@dataclass
class Layer:
    """One recognised boundary layer, geometry in BNG."""

    spec: LayerSpec
    source: str
    codes: list[str]
    names: list[str | None]
    msoa: list[str | None]
    ward: list[str | None]
    borough: list[str | None]
    geoms: np.ndarray


class HistoricWards(Exception):
    """A ward layer from before the 2022 boundaries: recognised, deliberately not loaded."""


def _find(fields: list[str], pattern: str) -> tuple[str, str] | None:
    rx = re.compile(pattern, re.I)
    for f in fields:
        m = rx.match(f)
        if m:
            return f, m[1] if m.groups() else ""
    return None


def detect_layer(fields: list[str], sample_values: Callable[[str], list[str]] | None = None) -> LayerSpec:
    """Recognise a boundary layer from its field names (and, for generic ``code`` fields,
    its values). Raises :class:`HistoricWards` for pre-2022 wards, ``ValueError`` when
    the layer is not one OpenBeat knows."""
    names = {f.upper(): f for f in fields}

    def nm(prefix: str, yy: str) -> str | None:
        return names.get(f"{prefix}{yy}NM")

    lad = _find(fields, r"^LAD(\d\d)CD$")
    msoa_any = _find(fields, r"^MSOA(\d\d)CD$")
    ward_any = _find(fields, r"^WD(\d\d)CD$")
    if (hit := _find(fields, r"^LSOA(\d\d)CD$")):
        f, yy = hit
        return LayerSpec(f"lsoa{yy}", f"20{yy}", f, nm("LSOA", yy),
                         msoa_field=names.get(f"MSOA{yy}CD"),
                         ward_field=ward_any[0] if ward_any and int(ward_any[1]) >= 22 else None,
                         borough_field=lad[0] if lad else None)
    if msoa_any:
        f, yy = msoa_any
        return LayerSpec(f"msoa{yy}", f"20{yy}", f, nm("MSOA", yy), borough_field=lad[0] if lad else None)
    if ward_any:
        f, yy = ward_any
        if int(yy) < 22:
            raise HistoricWards(f"wards of 20{yy} ({f}) are pre-2022 boundaries, not current wards")
        return LayerSpec("ward", f"WD{yy}", f, nm("WD", yy), borough_field=lad[0] if lad else None)
    if lad:
        f, yy = lad
        return LayerSpec("borough", f"LAD{yy}", f, nm("LAD", yy))
    if "GSS_CODE" in names and "LAGSSCODE" in names:
        raise HistoricWards("London Datastore ward layer (GSS_CODE, LAGSSCODE): the May-2018 wards are "
                            "pre-2022 boundaries, not current wards")
    for cand in ("GSS_CODE", "GSSCODE", "CODE", "AREACD"):
        if cand in names and sample_values is not None:
            types = {code_type(v) for v in sample_values(names[cand])}
            if types and types <= LAD_TYPES:
                name = next((names[n] for n in ("NAME", "AREANM", "GSS_NAME") if n in names), None)
                return LayerSpec("borough", "unknown", names[cand], name)
    raise ValueError("no recognised code field")


def _to_bng(geoms: np.ndarray, crs: str | None, source: str) -> np.ndarray:
    if crs is None:
        # GeoJSON without a crs member is WGS84 by RFC 7946; otherwise guess from the numbers
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        crs = "EPSG:4326" if max(abs(xmin), abs(xmax)) <= 180 and max(abs(ymin), abs(ymax)) <= 90 else BNG
    try:
        src = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as e:
        raise IngestError(source, f"unreadable coordinate reference system: {e}") from e
    return transform_geoms(geoms, src, BNG)


def read_boundary_file(path: str | Path) -> tuple[list[Layer], list[str]]:
    """Every recognised layer of a vector file, and notes on layers passed over.

    Raises :class:`IngestError` if GDAL cannot read the file or no layer is recognised.
    """
    path = Path(path)
    try:
        layer_names = [str(r[0]) for r in pyogrio.list_layers(path)]
    except Exception as e:  # pyogrio raises DataSourceError and friends
        raise IngestError(str(path), f"cannot read as a vector file: {e}") from e
    layers, notes, unknown = [], [], []
    for lname in layer_names:
        label = str(path) if len(layer_names) == 1 else f"{path}!{lname}"
        try:
            meta, table = pyogrio.read_arrow(path, layer=lname)
        except Exception as e:
            raise IngestError(label, f"cannot read layer: {e}") from e
        fields = [f for f in table.schema.names if f != meta["geometry_name"] and f != "wkb_geometry"]

        def sample(field: str, table=table) -> list[str]:
            return [v for v in table.column(field).to_pylist() if v is not None][:500]

        try:
            spec = detect_layer(fields, sample)
        except HistoricWards as e:
            notes.append(f"{label}: skipped, {e}")
            continue
        except ValueError:
            unknown.append(f"{label} (fields: {', '.join(fields)})")
            continue
        gcol = meta["geometry_name"] or "wkb_geometry"
        geoms = shapely.from_wkb(table.column(gcol).to_numpy(zero_copy_only=False))
        bad = ~shapely.is_valid(geoms)
        if bad.any():
            geoms[bad] = shapely.make_valid(geoms[bad])
        geoms = _to_bng(geoms, meta.get("crs"), label)

        def col(field: str | None, table=table) -> list:
            if field is None:
                return [None] * table.num_rows
            return [None if v is None else str(v).strip() or None for v in table.column(field).to_pylist()]

        codes = col(spec.code_field)
        if any(c is None for c in codes):
            n = codes.index(None) + 1
            raise IngestError(label, f"feature {n} has no {spec.code_field}", column=spec.code_field)
        if len(set(codes)) < len(codes):
            # ONS layers have one feature per area; merge multi-feature areas rather than fail
            first = {}
            for i, c in enumerate(codes):
                first.setdefault(c, i)
            codes, geoms = dissolve(geoms, codes)
            keep = [first[c] for c in codes]
        else:
            keep = list(range(len(codes)))
        pick = lambda xs: [xs[i] for i in keep]  # noqa: E731
        layers.append(Layer(spec, path.name, codes, pick(col(spec.name_field)), pick(col(spec.msoa_field)),
                            pick(col(spec.ward_field)), pick(col(spec.borough_field)), geoms))
    if not layers and not notes:
        raise IngestError(
            str(path), "no recognised boundary layer: " + "; ".join(unknown),
            hint="expected ONS fields such as LSOA21CD, LSOA11CD, MSOA21CD, WD22CD or LAD22CD",
        )
    notes += [f"{u}: skipped, not a recognised boundary layer" for u in unknown]
    return layers, notes


def _layer_rows(layer: Layer) -> pa.Table:
    n = len(layer.codes)
    level = layer.spec.level
    borough = layer.borough if level != "borough" else [None] * n
    return _rows(
        level=[level] * n, code=layer.codes, name=layer.names, vintage=[layer.spec.vintage] * n,
        approximate=[False] * n, source=[layer.source] * n, lsoa21_code=[None] * n,
        msoa_code=layer.msoa, ward_code=layer.ward, borough_code=borough, geoms=layer.geoms,
    )


def _rows(*, geoms, **cols) -> pa.Table:
    n = len(geoms)
    data = {k: cols.get(k, [None] * n) for k in AREAS_SCHEMA.names if k not in ("geometry_bng",)}
    data["geometry_bng"] = shapely.to_wkb(np.asarray(geoms, dtype=object)).tolist() if n else []
    return pa.table({k: data[k] for k in AREAS_SCHEMA.names}, schema=AREAS_SCHEMA)


def load_boundary_layers(lake: Lake, layers: list[Layer]) -> int:
    """Merge supplied layers into ``areas`` (by level and code). Call :func:`rebuild_areas` after."""
    if not layers:
        return 0
    new = pa.concat_tables([_layer_rows(l) for l in layers])
    old = read_reference(lake, "areas")
    if old is not None:
        # derived rows are rebuilt from what is supplied; never keep them as input
        old = old.filter(pc.invert(pc.fill_null(old["approximate"], False)))
        lake.write_reference("areas", old.cast(AREAS_SCHEMA))
        # a layer of unknown vintage (e.g. a GeoJSON with a bare 'code') never replaces an ONS one
        known = {(lv, c) for lv, c, v in zip(old["level"].to_pylist(), old["code"].to_pylist(),
                                             old["vintage"].to_pylist()) if v != "unknown"}
        keep = [not (v == "unknown" and (lv, c) in known) for lv, c, v in
                zip(new["level"].to_pylist(), new["code"].to_pylist(), new["vintage"].to_pylist())]
        new = new.filter(pa.array(keep, pa.bool_()))
    merge_reference(lake, "areas", new, ["level", "code"])
    return new.num_rows


# ---- rebuild: everything derived from several inputs ------------------------------


@dataclass
class RebuildReport:
    levels: dict[str, int]
    approximate_wards: int = 0
    approximate_boroughs: int = 0
    lsoa_lookup_rows: int = 0
    web: dict[str, tuple[float, int, int]] | None = None  # level → (tolerance m, bytes, budget)
    notes: list[str] | None = None


def rebuild_areas(lake: Lake, *, budgets: dict[str, int] | None = None,
                  progress: Callable[[str], None] | None = None) -> RebuildReport:
    """Recompute derived areas, parents, the LSOA 2011 → 2021 lookup and web geometry."""
    say = progress or (lambda s: None)
    budgets = {**BUDGETS, **(budgets or {})}
    areas = read_reference(lake, "areas")
    notes: list[str] = []
    if areas is None or areas.num_rows == 0:
        return RebuildReport({}, notes=["no boundaries loaded"])
    areas = areas.filter(pc.invert(pc.fill_null(areas["approximate"], False))).cast(AREAS_SCHEMA)
    rows = areas.to_pylist()
    geoms = shapely.from_wkb(np.asarray(areas["geometry_bng"].to_pylist(), dtype=object))
    for r, g in zip(rows, geoms):
        r["_geom"] = g

    # LSOA 2021 → current ward and LAD from the ONS lookup
    lookup = read_reference(lake, "lsoa_wards")
    ward_of, lad_of, ward_name, lad_name = {}, {}, {}, {}
    ward_vintage, lad_vintage = "WD22", "LAD22"
    if lookup is not None and lookup.num_rows:
        vintage = ward_vintage = current_ward_vintage(lookup["ward_vintage"].to_pylist())
        for r in lookup.filter(pc.equal(lookup["ward_vintage"], vintage)).to_pylist():
            lad_vintage = r["lad_vintage"]
            ward_of[r["lsoa21_code"]] = r["ward_code"]
            lad_of[r["lsoa21_code"]] = r["lad_code"]
            ward_name.setdefault(r["ward_code"], r["ward_name"])
            lad_name.setdefault(r["lad_code"], r["lad_name"])
        say(f"lookup: {len(ward_of):,} LSOAs → {vintage} wards")
    lsoa21 = [r for r in rows if r["level"] == "lsoa21"]
    for r in lsoa21:
        r["ward_code"] = ward_of.get(r["code"], r["ward_code"])
        r["borough_code"] = lad_of.get(r["code"], r["borough_code"])

    report = RebuildReport({})
    # approximate wards/boroughs for codes with no supplied polygon
    for level, key, names, vintage in (("ward", "ward_code", ward_name, ward_vintage),
                                       ("borough", "borough_code", lad_name, lad_vintage)):
        have = {r["code"] for r in rows if r["level"] == level}
        members = [r for r in lsoa21 if r[key] and r[key] not in have]
        if not members:
            continue
        codes, shapes = dissolve([r["_geom"] for r in members], [r[key] for r in members])
        parent = {}
        for r in members:
            parent.setdefault(r[key], r["borough_code"])
        for c, g in zip(codes, shapes):
            rows.append(dict(
                level=level, code=c, name=names.get(c), vintage=vintage, approximate=True,
                source=f"dissolved from LSOA 2021 polygons via the {vintage} lookup" if level == "ward"
                else "dissolved from LSOA 2021 polygons",
                lsoa21_code=None, msoa_code=None, ward_code=None,
                borough_code=parent[c] if level == "ward" else None, _geom=g,
            ))
        if level == "ward":
            report.approximate_wards = len(codes)
        else:
            report.approximate_boroughs = len(codes)
        say(f"{len(codes):,} {level}s dissolved from LSOA 2021 polygons (approximate)")

    # supplied wards without a borough: take it from their LSOAs
    lad_by_ward = {}
    for r in lsoa21:
        if r["ward_code"] and r["borough_code"]:
            lad_by_ward.setdefault(r["ward_code"], r["borough_code"])
    msoa_lad = {}
    for r in lsoa21:
        if r["msoa_code"] and r["borough_code"]:
            msoa_lad.setdefault(r["msoa_code"], r["borough_code"])
    for r in rows:
        if r["level"] == "ward" and not r["borough_code"]:
            r["borough_code"] = lad_by_ward.get(r["code"])
        if r["level"] == "msoa21" and not r["borough_code"]:
            r["borough_code"] = msoa_lad.get(r["code"])
        if r["level"] == "borough" and not r["name"]:
            r["name"] = lad_name.get(r["code"])
        if r["level"] == "ward" and not r["name"]:
            r["name"] = ward_name.get(r["code"])

    # best-fit LSOA 2011 → 2021 by area overlap
    l11 = [r for r in rows if r["level"] == "lsoa11"]
    if l11 and lsoa21:
        say("building the best-fit LSOA 2011 → 2021 lookup by area overlap")
        lk = bestfit_lsoa_lookup([r["code"] for r in l11], [r["_geom"] for r in l11],
                                 [r["code"] for r in lsoa21], [r["_geom"] for r in lsoa21])
        lake.write_reference("lsoa_lookup", lk)
        report.lsoa_lookup_rows = lk.num_rows
        best = {r["lsoa11_code"]: r["lsoa21_code"] for r in lk.filter(lk["is_best"]).to_pylist()}
        ward21 = {r["code"]: (r["ward_code"], r["borough_code"]) for r in lsoa21}
        for r in l11:
            r["lsoa21_code"] = best.get(r["code"])
            w, b = ward21.get(r["lsoa21_code"], (None, None))
            r["ward_code"] = w
            r["borough_code"] = r["borough_code"] or b

    # measures and web geometry, per level
    report.web = {}
    out_tables = []
    by_level: dict[str, list[dict]] = {}
    for r in rows:
        by_level.setdefault(r["level"], []).append(r)
    for level, rs in sorted(by_level.items()):
        g = np.asarray([r["_geom"] for r in rs], dtype=object)
        budget = budgets.get(level, DEFAULT_BUDGET)
        web = web_layer([r["code"] for r in rs], [r["name"] for r in rs], g, budget=budget)
        report.web[level] = (web.tolerance_m, web.bytes, budget)
        if web.bytes > budget:
            notes.append(f"{level}: web GeoJSON is {web.bytes:,} bytes, over its {budget:,} budget")
        say(f"{level}: {len(rs):,} areas, web GeoJSON {web.bytes / 1e6:.2f} MB at {web.tolerance_m:g} m")
        cent = shapely.centroid(g)
        lon, lat = to_wgs84(shapely.get_x(cent), shapely.get_y(cent))
        bounds = shapely.bounds(g)
        cols = {k: [r.get(k) for r in rs] for k in AREAS_SCHEMA.names if k not in ("geometry_bng",)}
        cols.update(area_m2=shapely.area(g).tolist(), centroid_lat=np.round(lat, 6).tolist(),
                    centroid_lon=np.round(lon, 6).tolist(), bbox_xmin=bounds[:, 0].tolist(),
                    bbox_ymin=bounds[:, 1].tolist(), bbox_xmax=bounds[:, 2].tolist(),
                    bbox_ymax=bounds[:, 3].tolist(), geometry_web=web.geometries,
                    web_tolerance_m=[web.tolerance_m] * len(rs))
        out_tables.append(_rows(geoms=g, **cols))
        report.levels[level] = len(rs)
    lake.write_reference("areas", pa.concat_tables(out_tables))
    report.notes = notes
    return report


def read_areas(lake_or_table, level: str) -> tuple[list[str], np.ndarray]:
    """(codes, BNG geometries) of one level from the lake's ``areas`` dataset."""
    t = lake_or_table if isinstance(lake_or_table, pa.Table) else read_reference(
        lake_or_table, "areas", columns=["level", "code", "geometry_bng"])
    if t is None:
        return [], np.asarray([], dtype=object)
    t = t.filter(pc.equal(t["level"], level))
    return t["code"].to_pylist(), shapely.from_wkb(np.asarray(t["geometry_bng"].to_pylist(), dtype=object))
