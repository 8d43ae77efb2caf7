import json

from click.testing import CliRunner

from openbeat.cli.areas_commands import areas


def test_areas_load_list_and_geojson(toy_city, tmp_path):
    lake = str(tmp_path / "lake")
    runner = CliRunner()
    res = runner.invoke(areas, ["load", *map(str, toy_city.values()), "--lake", lake, "-q"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"4 files: 4 loaded, 0 skipped, 0 failed; lake {lake}",
        "areas: 1 borough, 3 lsoa11, 4 lsoa21, 2 ward (2 wards dissolved from LSOAs, approximate)",
        "web borough: 0.00 MB GeoJSON (budget 0.5 MB), simplified at 0 m",
        "web lsoa11: 0.00 MB GeoJSON (budget 3.0 MB), simplified at 0 m",
        "web lsoa21: 0.00 MB GeoJSON (budget 3.0 MB), simplified at 0 m",
        "web ward: 0.00 MB GeoJSON (budget 1.5 MB), simplified at 0 m",
    ]
    res = runner.invoke(areas, ["geojson", "ward", "--lake", lake])
    fc = json.loads(res.output)
    assert [f["properties"] for f in fc["features"]] == [{"code": "X05000001", "name": "South Ward"},
                                                         {"code": "X05000002", "name": "North Ward"}]
    res = runner.invoke(areas, ["list", "--lake", lake])
    assert res.exit_code == 0 and "│ ward │ WD22 │ yes │ dissolved from LSOA 2021" in " ".join(res.output.split())


def test_unknown_file_fails_with_exit_code_1(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    res = CliRunner().invoke(areas, ["load", str(tmp_path / "x.csv"), "--lake", str(tmp_path / "lake")])
    assert res.exit_code == 1
    assert "not a recognised reference file (header: a, b)" in " ".join(res.output.split())
