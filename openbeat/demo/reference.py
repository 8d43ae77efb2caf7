"""Reference files for the demo city, in the layouts of the real published files.

Each writer copies the quirks of the real file it imitates (see
``../shared/data/README.md``), so the loaders that read the real files read these
unchanged: the ONS lookup's UTF-8 BOM and empty Welsh columns, TS007A's headers,
the census ethnicity file's two "White Other" rows and its "-8 Does not apply" zeros,
the PAS files' semicolons, decimal commas, dd/mm/yyyy dates, CRLF and the quoted
``"Good Job" local``; the ONS Postcode Directory's column names.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyogrio.raw import write as ogr_write

from openbeat.demo import vocab
from openbeat.demo.geography import City, to_wgs84

BOM = "\ufeff"


def write_text(path: Path, text: str, *, newline: str = "\n", bom: bool = False) -> Path:
    """Write atomically; ``newline`` replaces every "\\n" in ``text``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (BOM if bom else "") + text.replace("\n", newline)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data.encode("utf-8"))
    os.replace(tmp, path)
    return path


def _csv(rows: list[list], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


# ---- boundaries -------------------------------------------------------------------


def write_boundaries(city: City, folder: Path) -> dict[str, Path]:
    """GeoPackages in British National Grid, one layer each, with ONS field names."""
    L, W, M, B = city.lsoas, city.wards, city.msoas, city.boroughs
    l11 = city.lsoas11
    layers = {
        "lsoa_2021": (L.geom, {
            "LSOA21CD": L.code, "LSOA21NM": L.name,
            "MSOA21CD": [M.code[m] for m in L.extra["msoa"]], "MSOA21NM": [M.name[m] for m in L.extra["msoa"]],
            "LAD22CD": [B.code[b] for b in L.borough], "LAD22NM": [B.name[b] for b in L.borough],
        }),
        "lsoa_2011": (l11.geom, {
            "LSOA11CD": l11.code, "LSOA11NM": l11.name,
            "MSOA11CD": [M.code[m] for m in l11.extra["msoa"]], "MSOA11NM": [M.name[m] for m in l11.extra["msoa"]],
            "LAD11CD": [B.code[b] for b in l11.borough], "LAD11NM": [B.name[b] for b in l11.borough],
        }),
        "msoa_2021": (M.geom, {"MSOA21CD": M.code, "MSOA21NM": M.name}),
        "wards_2022": (W.geom, {
            "WD22CD": W.code, "WD22NM": W.name,
            "LAD22CD": [B.code[b] for b in W.borough], "LAD22NM": [B.name[b] for b in W.borough],
        }),
        "boroughs": (B.geom, {"LAD22CD": B.code, "LAD22NM": B.name}),
    }
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    # GeoPackages stamp the write time into gpkg_contents; fix it so that the same seed
    # gives byte-identical files.
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2021-03-21T00:00:00.000Z"})
    try:
        for name, (geoms, fields) in layers.items():
            path = folder / f"{name}.gpkg"
            tmp = folder / f".{name}.tmp.gpkg"
            tmp.unlink(missing_ok=True)
            kind = "Polygon" if all(g.geom_type == "Polygon" for g in geoms) else "MultiPolygon"
            if kind == "MultiPolygon":
                geoms = np.array([shapely.multipolygons([g]) if g.geom_type == "Polygon" else g for g in geoms])
            ogr_write(
                str(tmp), shapely.to_wkb(np.asarray(geoms)),
                field_data=[np.array(v, dtype=object) for v in fields.values()], fields=list(fields),
                crs="EPSG:27700", driver="GPKG", geometry_type=kind, layer=name, encoding="UTF-8",
            )
            os.replace(tmp, path)
            out[name] = path
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})
    return out


# ---- lookups ----------------------------------------------------------------------


LOOKUP_NAME = "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup.csv"


def write_lookup(city: City, folder: Path) -> Path:
    """ONS LSOA21 → WD22 → LAD22 lookup: UTF-8 BOM, empty Welsh columns, ObjectId last."""
    L, W, B = city.lsoas, city.wards, city.boroughs
    rows = [["LSOA21CD", "LSOA21NM", "LSOA21NMW", "WD22CD", "WD22NM", "WD22NMW", "LAD22CD", "LAD22NM",
             "LAD22NMW", "ObjectId"]]
    for i in range(len(L)):
        w, b = L.extra["ward"][i], L.borough[i]
        rows.append([L.code[i], L.name[i], "", W.code[w], W.name[w], "", B.code[b], B.name[b], "", i + 1])
    return write_text(folder / LOOKUP_NAME, _csv(rows), bom=True)


def write_truth_lookup(city: City, folder: Path) -> Path:
    """The true LSOA 2011 → 2021 relation, in ONS's LSOA11→LSOA21 lookup layout.

    Kept apart (``truth/``) so that loaders build their best-fit lookup from the two
    boundary sets, as they must for real data, and tests can check it against this.
    """
    L, l11, B = city.lsoas, city.lsoas11, city.boroughs
    idx21 = {c: i for i, c in enumerate(L.code)}
    name11 = dict(zip(l11.code, l11.name))
    rows = [["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD", "LAD22NM", "LAD22NMW",
             "ObjectId"]]
    for k, (c11, c21, chg) in enumerate(city.changes, start=1):
        i = idx21[c21]
        rows.append([c11, name11[c11], c21, L.name[i], chg, B.code[L.borough[i]], B.name[L.borough[i]], "", k])
    return write_text(folder / "LSOA11_to_LSOA21_truth.csv", _csv(rows), bom=True)


# ---- population -------------------------------------------------------------------


def write_population(city: City, folder: Path) -> dict[str, Path]:
    L, M, B = city.lsoas, city.msoas, city.boroughs
    header = ["date", "geography", "geography code", "Age: Total"] + [f"Age: {b}" for b in vocab.TS007A_BANDS]
    age = L.extra["age"]
    out = {}
    levels = {
        "lsoa": (L.code, L.name, age),
        "msoa": (M.code, M.name, np.array([age[L.extra["msoa"] == m].sum(axis=0) for m in range(len(M))])),
        "ltla": (B.code, B.name, np.array([age[L.borough == b].sum(axis=0) for b in range(len(B))])),
    }
    for level, (codes, names, counts) in levels.items():
        rows = [header] + [[2021, n, c, int(a.sum()), *map(int, a)] for c, n, a in zip(codes, names, counts)]
        out[f"ts007a_{level}"] = write_text(folder / f"census2021-ts007a-{level}.csv", _csv(rows))

    eth = L.extra["eth"]
    rows = [["Upper tier local authorities Code", "Upper tier local authorities",
             "Ethnic group (8 categories) Code", "Ethnic group", "Observation"]]
    for b in range(len(B)):
        counts = eth[L.borough == b].sum(axis=0)
        rows.append([B.code[b], B.name[b], -8, "Does not apply", 0])
        for (code, label), n in zip(vocab.ETHNIC_GROUPS, counts):
            rows.append([B.code[b], B.name[b], code, label, int(n)])
    out["ethnicity"] = write_text(folder / "Census_2021_ethnicity.csv", _csv(rows))
    out["mid_year_lsoa11"] = _write_mid_year(city, folder)
    return out


def _write_mid_year(city: City, folder: Path) -> Path:
    """Mid-2020 estimates on 2011 LSOAs, in the layout of ONS's London extract."""
    l11, M, B = city.lsoas11, city.msoas, city.boroughs
    bands = ("All-Ages", "0-15", "16-29", "30-44", "45-64", "65+")
    header = ["LSOA11CD", "LSOA11NM", "MSOA11CD", "MSOA11NM", "LAD11CD", "LAD11NM"]
    header += [f"{sex}_{b}" for sex in ("Persons", "Males", "Females") for b in bands]
    # Five-year bands to the broad ones: 15-19 is shared 1:4 between 0-15 and 16-29.
    a = l11.extra["age"].astype(float)
    broad = np.column_stack([
        a[:, 0] + a[:, 1] + a[:, 2] + a[:, 3] / 5, a[:, 3] * 4 / 5 + a[:, 4] + a[:, 5],
        a[:, 6:9].sum(axis=1), a[:, 9:13].sum(axis=1), a[:, 13:].sum(axis=1),
    ])
    rng = np.random.default_rng(len(l11))
    rows = [header]
    for k in range(len(l11)):
        persons = _round_to_total(broad[k], int(l11.extra["pop"][k]))
        males = rng.binomial(persons, 0.49)
        females = persons - males
        m = l11.extra["msoa"][k]
        b = l11.borough[k]
        rows.append([l11.code[k], l11.name[k], M.code[m], M.name[m], B.code[b], B.name[b],
                     persons.sum(), *persons, males.sum(), *males, females.sum(), *females])
    return write_text(folder / "northbridge-mid2020-pop.csv", _csv(rows))


def _round_to_total(x: np.ndarray, total: int) -> np.ndarray:
    """Largest-remainder rounding of ``x`` rescaled to sum to ``total``."""
    x = x * total / x.sum() if x.sum() else np.full(len(x), total / len(x))
    out = np.floor(x).astype(int)
    out[np.argsort(out - x)[: total - out.sum()]] += 1
    return out


# ---- Public Attitude Survey ------------------------------------------------------


def quarter_ends(months: list[str]) -> list[str]:
    """Quarter-end months (03, 06, 09, 12) inside the window, as YYYY-MM."""
    return [m for m in months if m[5:7] in ("03", "06", "09", "12")]


def write_pas(city: City, folder: Path, months: list[str], crime_rate: np.ndarray, seed: int) -> dict[str, Path]:
    """Borough and force-wide PAS measures, quarterly: trust is lower where crime is higher.

    ``crime_rate``: expected street crimes per resident per borough over the window.
    """
    rng = np.random.default_rng([seed, 6])
    quarters = quarter_ends(months)
    B = city.boroughs
    z = (crime_rate - crime_rate.mean()) / crime_rate.std()
    pop = np.array([city.lsoas.extra["pop"][city.lsoas.borough == b].sum() for b in range(len(B))])
    borough_order = sorted(range(len(B)), key=lambda b: B.name[b].lower())
    borough_rows = [["Date", "Survey", "Borough", "Measure", "Proportion", "MPS"]]
    total_rows = [["Date", "Survey", "Borough", "Measure", "Proportion"]]
    for q, month in enumerate(quarters):
        t = q / max(1, len(quarters) - 1)
        date = f"{_month_end(month)}/{month[5:7]}/{month[:4]}"
        for measure, level in sorted(vocab.PAS_MEASURES, key=lambda m: m[0]):
            if measure == vocab.PAS_LATE_MEASURE and q < vocab.PAS_LATE_QUARTERS:
                continue
            values = level - 0.05 * z - 0.03 * t + rng.normal(0, 0.012, len(B))
            values = np.clip(np.round(values, 2), 0.02, 0.98)
            force = round(float((values * pop).sum() / pop.sum()), 2)
            for b in borough_order:
                name = B.name[b]
                if q < 3 and " upon " in name:
                    name = name.replace(" upon ", " Upon ")  # as "Richmond Upon Thames" in the real file
                borough_rows.append([date, "PAS", name, measure, _comma(values[b]), _comma(force)])
            total_rows.append([date, "PAS", "MPS", measure, _comma(force)])
    return {
        "boroughs": write_text(folder / "PAS_buroughs.csv", _csv(borough_rows, ";"), newline="\r\n"),
        "total": write_text(folder / "PAS_Total.csv", _csv(total_rows, ";"), newline="\r\n"),
    }


def _comma(v: float) -> str:
    """0.60 → "0,6": Excel's general format in a decimal-comma locale."""
    return f"{v:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _month_end(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return {2: "29" if y % 4 == 0 and (y % 100 or y % 400 == 0) else "28", 4: "30", 6: "30",
            9: "30", 11: "30"}.get(m, "31")


# ---- postcodes --------------------------------------------------------------------

POSTCODE_COLUMNS = [
    "pcd", "pcd2", "pcds", "dointr", "doterm", "oslaua", "osward", "usertype", "oseast1m", "osnrth1m",
    "osgrdind", "ctry", "rgn", "lsoa11", "msoa11", "lat", "long", "pfa", "lsoa21", "msoa21",
]
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the inward code
EXAMPLE_POSTCODE = "NB1 2AB"


def write_postcodes(city: City, folder: Path, seed: int) -> Path:
    """A small ONS-Postcode-Directory-like file: fictional "NB" postcodes in the demo LSOAs.

    Columns keep ONSPD's names and order (pcd, pcd2, pcds, …, lat, long, …, lsoa21,
    msoa21); the postcode district is the ward's number, e.g. NB1 for the first ward.
    A few postcodes are terminated (``doterm`` set), as in the real directory.
    """
    rng = np.random.default_rng([seed, 7])
    L, W, M, B = city.lsoas, city.wards, city.msoas, city.boroughs
    l11 = city.lsoas11
    xs, ys, lsoa = [], [], []
    for i, g in enumerate(L.geom):
        k = int(rng.integers(6, 11))
        x, y = _points_in(rng, g, k)
        xs.append(x)
        ys.append(y)
        lsoa.append(np.full(k, i))
    x, y, lsoa = np.concatenate(xs), np.concatenate(ys), np.concatenate(lsoa)
    x, y = np.round(x), np.round(y)
    ward = L.extra["ward"][lsoa]
    lon, lat = to_wgs84(x, y)
    tree = shapely.STRtree(l11.geom)
    pi, gi = tree.query(shapely.points(x, y), predicate="within")
    in11 = np.full(len(x), -1)
    in11[pi] = gi
    used: set[str] = set()
    rows = [POSTCODE_COLUMNS]
    for k in np.lexsort((y, ward)):
        outward = f"NB{ward[k] + 1}"
        while True:
            inward = f"{rng.integers(0, 10)}{_UNIT_LETTERS[rng.integers(20)]}{_UNIT_LETTERS[rng.integers(20)]}"
            if ward[k] == 0 and EXAMPLE_POSTCODE not in used:
                inward = EXAMPLE_POSTCODE.split()[1]
            if f"{outward} {inward}" not in used:
                break
        pcds = f"{outward} {inward}"
        used.add(pcds)
        i = lsoa[k]
        c11 = l11.code[in11[k]] if in11[k] >= 0 else ""
        m11 = M.code[l11.extra["msoa"][in11[k]]] if in11[k] >= 0 else ""
        doterm = "202306" if rng.random() < 0.03 and pcds != EXAMPLE_POSTCODE else ""
        rows.append([
            f"{outward:<4}{inward}",
            f"{outward:<4} {inward}", pcds, "198001" if rng.random() < 0.8 else "201504", doterm,
            B.code[L.borough[i]], W.code[ward[k]], 0, int(x[k]), int(y[k]), 1, "X92000001", "X12000001",
            c11, m11, f"{lat[k]:.6f}", f"{lon[k]:.6f}", "X23000001", L.code[i], M.code[L.extra["msoa"][i]],
        ])
    return write_text(folder / "postcodes.csv", _csv(rows))


def _points_in(rng, poly, k):
    xmin, ymin, xmax, ymax = poly.bounds
    inner = poly.buffer(-15)  # keep postcodes off the boundary lines
    inner = inner if not inner.is_empty else poly
    out_x, out_y = np.empty(0), np.empty(0)
    while len(out_x) < k:
        x, y = rng.uniform(xmin, xmax, 4 * k), rng.uniform(ymin, ymax, 4 * k)
        inside = shapely.contains_xy(inner, x, y)
        out_x, out_y = np.concatenate([out_x, x[inside]]), np.concatenate([out_y, y[inside]])
    return out_x[:k], out_y[:k]
