"""A toy city, written by the tests into tmp_path in the published formats.

Four 1 km LSOA 2021 squares (BNG, south-west corner at 530000, 180000)::

    C X01000003 | D X01000004        wards: X05000001 = A + B, X05000002 = C + D
    ------------+------------        borough X09000001 = all four; MSOA X02000001
    A X01000001 | B X01000002

LSOA 2011: A and C unchanged (same codes, same squares), and X01100001 = the strip
x 1–2 km, y 0–1.2 km, i.e. 5/6 in B and 1/6 in D. The lookup also lists an LSOA with
no polygon (X01000099 in ward X05000099, borough X09000099): "outside the area".
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import shapely

X0, Y0 = 530_000.0, 180_000.0
KM = 1000.0


def square(i: float, j: float, w: float = 1.0, h: float = 1.0):
    return shapely.box(X0 + i * KM, Y0 + j * KM, X0 + (i + w) * KM, Y0 + (j + h) * KM)


LSOA21 = {
    "X01000001": (0, 0, "Toy 001A"), "X01000002": (1, 0, "Toy 001B"),
    "X01000003": (0, 1, "Toy 001C"), "X01000004": (1, 1, "Toy 001D"),
}
WARD_OF = {"X01000001": "X05000001", "X01000002": "X05000001", "X01000003": "X05000002",
           "X01000004": "X05000002", "X01000099": "X05000099"}
WARD_NAME = {"X05000001": "South Ward", "X05000002": "North Ward", "X05000099": "Elsewhere Ward"}


def write_city(root: Path) -> dict[str, Path]:
    """Write boundaries (one GeoPackage per level) and the lookup CSV; return their paths."""
    root.mkdir(parents=True, exist_ok=True)
    paths = {}
    codes = list(LSOA21)
    lsoa21 = gpd.GeoDataFrame(
        {"LSOA21CD": codes, "LSOA21NM": [LSOA21[c][2] for c in codes], "MSOA21CD": ["X02000001"] * 4,
         "MSOA21NM": ["Toy 001"] * 4, "LAD22CD": ["X09000001"] * 4, "LAD22NM": ["Toyborough"] * 4},
        geometry=[square(LSOA21[c][0], LSOA21[c][1]) for c in codes], crs="EPSG:27700")
    paths["lsoa21"] = root / "lsoa_2021.gpkg"
    lsoa21.to_file(paths["lsoa21"], driver="GPKG")
    lsoa11 = gpd.GeoDataFrame(
        {"LSOA11CD": ["X01000001", "X01100001", "X01000003"], "LSOA11NM": ["Toy 001A", "Toy 001X", "Toy 001C"],
         "LAD11CD": ["X09000001"] * 3},
        geometry=[square(0, 0), square(1, 0, 1, 1.2), square(0, 1)], crs="EPSG:27700")
    paths["lsoa11"] = root / "lsoa_2011.gpkg"
    lsoa11.to_file(paths["lsoa11"], driver="GPKG")
    boroughs = gpd.GeoDataFrame({"LAD22CD": ["X09000001"], "LAD22NM": ["Toyborough"]},
                                geometry=[square(0, 0, 2, 2)], crs="EPSG:27700")
    paths["boroughs"] = root / "boroughs.gpkg"
    boroughs.to_file(paths["boroughs"], driver="GPKG")
    paths["lookup"] = root / "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup.csv"
    with open(paths["lookup"], "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["LSOA21CD", "LSOA21NM", "LSOA21NMW", "WD22CD", "WD22NM", "WD22NMW",
                    "LAD22CD", "LAD22NM", "LAD22NMW", "ObjectId"])
        for n, (lsoa, ward) in enumerate(WARD_OF.items(), start=1):
            lad, lad_name = ("X09000099", "Otherborough") if ward == "X05000099" else ("X09000001", "Toyborough")
            w.writerow([lsoa, f"name {lsoa}", "", ward, WARD_NAME[ward], "", lad, lad_name, "", n])
    return paths


def lonlat(i: float, j: float) -> tuple[float, float]:
    """WGS84 of the point (i km, j km) from the toy city's corner."""
    from openbeat.geo.crs import to_wgs84

    lon, lat = to_wgs84([X0 + i * KM], [Y0 + j * KM])
    return round(float(lon[0]), 6), round(float(lat[0]), 6)
