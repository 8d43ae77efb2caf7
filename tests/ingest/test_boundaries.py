"""Boundary files are recognised by their fields, in any format GDAL reads."""

import geopandas as gpd
import pytest
import shapely

from openbeat.ingest.boundaries import HistoricWards, detect_layer, read_boundary_file
from openbeat.ingest.errors import IngestError
from openbeat.ingest.reference import classify, load_reference


def _gdf(fields: dict, geoms, crs="EPSG:27700"):
    return gpd.GeoDataFrame(fields, geometry=geoms, crs=crs)


def test_detect_layer_by_fields():
    s = detect_layer(["LSOA21CD", "LSOA21NM", "MSOA21CD", "MSOA21NM", "LAD22CD", "LAD22NM"])
    assert (s.level, s.vintage, s.code_field, s.name_field, s.msoa_field, s.borough_field) == (
        "lsoa21", "2021", "LSOA21CD", "LSOA21NM", "MSOA21CD", "LAD22CD")
    assert detect_layer(["lsoa11cd", "lsoa11nm", "LAD11CD"]).level == "lsoa11"
    assert detect_layer(["MSOA21NM", "MSOA21CD"]).level == "msoa21"
    s = detect_layer(["OBJECTID", "WD22CD", "WD22NM", "WD22NMW", "LAD22CD", "LAD22NM", "BNG_E"])
    assert (s.level, s.vintage, s.borough_field) == ("ward", "WD22", "LAD22CD")
    assert (detect_layer(["LAD22NM", "LAD22CD"]).level, detect_layer(["LAD22CD"]).vintage) == ("borough", "LAD22")
    s = detect_layer(["id", "name", "code"], lambda f: ["E09000001", "E09000002"])
    assert (s.level, s.vintage, s.code_field, s.name_field) == ("borough", "unknown", "code", "name")
    with pytest.raises(HistoricWards, match="pre-2022"):
        detect_layer(["NAME", "GSS_CODE", "DISTRICT", "LAGSSCODE", "HECTARES"])
    with pytest.raises(HistoricWards, match="wards of 2018"):
        detect_layer(["WD18CD", "WD18NM"])
    with pytest.raises(ValueError):
        detect_layer(["id", "name", "code"], lambda f: ["E05000001"])


def test_geojson_in_wgs84_is_reprojected_to_bng(tmp_path):
    box = shapely.box(530_000, 180_000, 531_000, 181_000)
    gdf = _gdf({"LAD22CD": ["X09000001"], "LAD22NM": ["Toyborough"]}, [box]).to_crs("EPSG:4326")
    gdf.to_file(tmp_path / "b.geojson", driver="GeoJSON")
    (layer,), notes = read_boundary_file(tmp_path / "b.geojson")
    assert notes == [] and layer.codes == ["X09000001"] and layer.names == ["Toyborough"]
    assert layer.geoms[0].area == pytest.approx(1_000_000, rel=1e-4)
    assert shapely.get_coordinates(layer.geoms[0]).min(axis=0) == pytest.approx([530_000, 180_000], abs=0.01)


def test_geopackage_layers_are_each_recognised_and_unknown_ones_noted(tmp_path):
    p = tmp_path / "all.gpkg"
    _gdf({"MSOA21CD": ["X02000001"], "MSOA21NM": ["Toy 001"]}, [shapely.box(0, 0, 1, 1)]).to_file(
        p, layer="msoa", driver="GPKG")
    _gdf({"WD22CD": ["X05000001", "X05000001"], "WD22NM": ["Ward", "Ward"]},
         [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]).to_file(p, layer="wards", driver="GPKG")
    _gdf({"colour": ["red"]}, [shapely.box(0, 0, 1, 1)]).to_file(p, layer="junk", driver="GPKG")
    layers, notes = read_boundary_file(p)
    assert [(l.spec.level, l.codes) for l in layers] == [("msoa21", ["X02000001"]), ("ward", ["X05000001"])]
    assert layers[1].geoms[0].area == pytest.approx(2.0)  # a two-feature ward is merged into one
    assert notes == [f"{p}!junk (fields: colour): skipped, not a recognised boundary layer"]


def test_unknown_files_are_clear_errors(tmp_path):
    junk = tmp_path / "junk.geojson"
    _gdf({"colour": ["red"]}, [shapely.box(0, 0, 1, 1)]).to_file(junk, driver="GeoJSON")
    with pytest.raises(IngestError, match=r"junk.geojson: no recognised boundary layer: .*fields: colour"):
        read_boundary_file(junk)
    csv = tmp_path / "mystery.csv"
    csv.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(IngestError, match=r"mystery.csv: not a recognised reference file \(header: a, b, c\)"):
        classify(csv)
    street = tmp_path / "2024-01-metropolitan-street.csv"
    street.write_text("Crime ID\n")
    with pytest.raises(IngestError, match="openbeat ingest"):
        classify(street)


def test_load_reports_failures_and_skips(tmp_path, lake):
    (tmp_path / "mystery.csv").write_text("a,b\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.csv").write_text("x,y\n")
    report = load_reference([tmp_path / "mystery.csv", folder, tmp_path / "missing.shp"], lake=lake)
    assert [(f.path.rsplit("/", 1)[-1], f.status) for f in report.files] == [
        ("missing.shp", "failed"), ("mystery.csv", "failed"), ("notes.csv", "skipped")]


def test_areas_dataset_from_the_toy_city(tmp_path, lake):
    from tests.geo.toycity import write_city

    report = load_reference(list(write_city(tmp_path / "toy").values()), lake=lake)
    assert report.rebuild.levels == {"borough": 1, "lsoa11": 3, "lsoa21": 4, "ward": 2}
    con = lake.connect()
    got = con.sql("SELECT level, code, name, approximate, lsoa21_code, msoa_code, ward_code, borough_code, "
                  "round(area_m2) FROM areas ORDER BY level, code").fetchall()
    assert got == [
        ("borough", "X09000001", "Toyborough", False, None, None, None, None, 4e6),
        ("lsoa11", "X01000001", "Toy 001A", False, "X01000001", None, "X05000001", "X09000001", 1e6),
        ("lsoa11", "X01000003", "Toy 001C", False, "X01000003", None, "X05000002", "X09000001", 1e6),
        ("lsoa11", "X01100001", "Toy 001X", False, "X01000002", None, "X05000001", "X09000001", 1.2e6),
        ("lsoa21", "X01000001", "Toy 001A", False, None, "X02000001", "X05000001", "X09000001", 1e6),
        ("lsoa21", "X01000002", "Toy 001B", False, None, "X02000001", "X05000001", "X09000001", 1e6),
        ("lsoa21", "X01000003", "Toy 001C", False, None, "X02000001", "X05000002", "X09000001", 1e6),
        ("lsoa21", "X01000004", "Toy 001D", False, None, "X02000001", "X05000002", "X09000001", 1e6),
        ("ward", "X05000001", "South Ward", True, None, None, None, "X09000001", 2e6),
        ("ward", "X05000002", "North Ward", True, None, None, None, "X09000001", 2e6),
    ]
    lookup = con.sql("SELECT lsoa11_code, lsoa21_code, round(share, 4), is_best FROM lsoa_lookup "
                     "ORDER BY 1, 3 DESC").fetchall()
    assert lookup == [("X01000001", "X01000001", 1.0, True), ("X01000003", "X01000003", 1.0, True),
                      ("X01100001", "X01000002", 0.8333, True), ("X01100001", "X01000004", 0.1667, False)]
    ward = con.sql("SELECT geometry_web FROM areas WHERE code = 'X05000001'").fetchall()[0][0]
    assert ward.startswith('{"type":"Polygon","coordinates":[[[-0.1')
