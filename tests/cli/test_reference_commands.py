"""``openbeat reference load``, and its old name ``openbeat areas load`` (hidden, deprecated)."""

from __future__ import annotations

from click.testing import CliRunner

from openbeat.cli import main
from tests.geo.toycity import write_city

SUMMARY = [
    "areas: 1 borough, 3 lsoa11, 4 lsoa21, 2 ward (2 wards dissolved from LSOAs, approximate)",
    "web borough: 0.00 MB GeoJSON (budget 0.5 MB), simplified at 0 m",
    "web lsoa11: 0.00 MB GeoJSON (budget 3.0 MB), simplified at 0 m",
    "web lsoa21: 0.00 MB GeoJSON (budget 3.0 MB), simplified at 0 m",
    "web ward: 0.00 MB GeoJSON (budget 1.5 MB), simplified at 0 m",
]


def load(tmp_path, *command: str):
    """Run ``openbeat <command> <the toy city's files> --lake ... -q``: the result, and the summary it must print."""
    city, lake = write_city(tmp_path / "toy"), str(tmp_path / "lake")
    res = CliRunner().invoke(main, [*command, *map(str, city.values()), "--lake", lake, "-q"])
    assert res.exit_code == 0, res.output
    return res, [f"4 files: 4 loaded, 0 skipped, 0 failed; lake {lake}", *SUMMARY]


def test_reference_load_prints_what_it_loaded(tmp_path):
    res, expected = load(tmp_path, "reference", "load")
    assert res.stdout.splitlines() == expected
    assert res.stderr == ""


def test_the_old_name_still_loads_and_says_it_is_deprecated(tmp_path):
    res, expected = load(tmp_path, "areas", "load")
    assert res.stdout.splitlines() == expected
    assert res.stderr == "DeprecationWarning: The command 'load' is deprecated. Use `openbeat reference load`.\n"


def test_the_old_name_is_not_in_the_help():
    res = CliRunner().invoke(main, ["areas", "--help"], terminal_width=100)
    assert res.exit_code == 0
    commands = res.stdout.split("Commands:\n")[1].split()
    assert [w for w in commands if w in ("load", "list", "geojson")] == ["geojson", "list"]
    assert "reference  Load boundaries, lookups, population, PAS, ward crime and postcodes" in (
        CliRunner().invoke(main, ["--help"], terminal_width=100).stdout)
