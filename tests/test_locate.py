"""openbeat locate: coordinates, postcodes from a loaded directory, postcodes.io on a local server."""

import json

import pyarrow as pa
import pytest
import shapely
from click.testing import CliRunner

from openbeat.cli.areas_commands import locate as locate_cmd
from openbeat.ingest.reference import load_reference
from openbeat.locate import LocateError, locate, parse_query
from tests.geo.toycity import lonlat, square, write_city
from tests.ingest.test_postcodes import postcodes_io  # noqa: F401 - the local server fixture

ONSPD = "pcds,lat,long,lsoa21,osward,oslaua,doterm\nN13 4PN,{lat},{lon},X01000004,X05000002,X09000001,\n"


@pytest.fixture
def city_lake(tmp_path, lake):
    paths = write_city(tmp_path / "toy")
    lon, lat = lonlat(1.5, 1.5)
    (tmp_path / "postcodes.csv").write_text(ONSPD.format(lat=lat, lon=lon))
    load_reference([*paths.values(), tmp_path / "postcodes.csv"], lake=lake)
    return lake


def test_parse_query():
    assert parse_query("51.5074,-0.1278") == ("point", (51.5074, -0.1278))
    assert parse_query("530000 180000") == ("bng", (530000.0, 180000.0))
    assert parse_query("n13 4pn") == ("postcode", "N13 4PN")
    with pytest.raises(LocateError, match="neither coordinates"):
        parse_query("Trafalgar Square")


def test_locate_a_point(city_lake):
    lon, lat = lonlat(0.25, 0.75)
    got = locate(city_lake, f"{lat},{lon}")
    assert {k: got[k] for k in ("source", "lsoa21", "msoa21", "ward", "borough", "neighbourhood", "status")} == {
        "source": "coordinates", "lsoa21": {"code": "X01000001", "name": "Toy 001A"},
        "msoa21": None, "ward": {"code": "X05000001", "name": "South Ward", "approximate": True},
        "borough": {"code": "X09000001", "name": "Toyborough"}, "neighbourhood": None, "status": "ok"}
    assert (got["easting"], got["northing"]) == pytest.approx((530_250, 180_750), abs=0.5)
    assert locate(city_lake, "530250,180750")["lsoa21"]["code"] == "X01000001"
    assert locate(city_lake, "51.0,-1.0")["status"] == "outside_area"


def test_locate_a_postcode_from_the_directory_and_online(city_lake, postcodes_io):  # noqa: F811
    got = locate(city_lake, "n134pn")
    assert (got["source"], got["postcode"], got["lsoa21"]["code"], got["ward"]["code"]) == (
        "postcode_directory", "N13 4PN", "X01000004", "X05000002")
    with pytest.raises(LocateError, match="EC1A 1BB is not in the loaded postcode directory; .*--online"):
        locate(city_lake, "EC1A 1BB")
    got = locate(city_lake, "N13 4PN", online=True, postcodes_io_url=postcodes_io)
    assert got["source"] == "postcode_directory"  # the loaded directory comes first
    with pytest.raises(LocateError, match="ZZ1 1ZZ is not known to postcodes.io"):
        locate(city_lake, "ZZ1 1ZZ", online=True, postcodes_io_url=postcodes_io)


def test_locate_online_only(lake, postcodes_io):  # noqa: F811
    lake.root.mkdir(parents=True)
    got = locate(lake, "N13 4PN", online=True, postcodes_io_url=postcodes_io)
    assert (got["source"], got["latitude"], got["longitude"], got["lsoa21"], got["status"]) == (
        "postcodes.io", 51.62, -0.1, None, "no_areas")
    assert got["postcodes_io_codes"]["admin_ward"] == "E05013696"


def test_locate_neighbourhood_when_loaded(city_lake):
    lake = city_lake
    nb = square(0, 0, 1, 1)
    lake.write_reference("neighbourhood_boundaries", pa.table({
        "force": ["toy"], "neighbourhood_id": ["SW1"], "geometry_27700": shapely.to_wkb([nb]).tolist()}))
    lake.write_reference("neighbourhoods", pa.table({"force": ["toy"], "neighbourhood_id": ["SW1"],
                                                     "name": ["South West"]}))
    lon, lat = lonlat(0.5, 0.5)
    assert locate(lake, f"{lat},{lon}")["neighbourhood"] == {"force": "toy", "id": "SW1", "name": "South West"}
    lon, lat = lonlat(1.5, 1.5)
    assert locate(lake, f"{lat},{lon}")["neighbourhood"] is None


def test_cli_text_and_json(city_lake):
    runner = CliRunner()
    lon, lat = lonlat(0.25, 0.75)
    res = runner.invoke(locate_cmd, [f"{lat},{lon}", "--lake", str(city_lake.root)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[1:] == [
        "  LSOA 2021      X01000001 Toy 001A",
        "  MSOA 2021      —",
        "  Ward           X05000001 South Ward (shape approximate: dissolved from LSOAs)",
        "  Borough        X09000001 Toyborough",
        "  Neighbourhood  not loaded",
    ]
    res = runner.invoke(locate_cmd, ["N13 4PN", "--json", "--lake", str(city_lake.root)])
    assert json.loads(res.output)["ward"]["code"] == "X05000002"
    res = runner.invoke(locate_cmd, ["nowhere", "--lake", str(city_lake.root)])
    assert res.exit_code == 1 and "neither coordinates" in res.output


def test_cli_on_a_lake_without_areas_fails_instead_of_saying_outside(tmp_path):
    from openbeat.lake import Lake

    (tmp_path / "lake").mkdir()  # a lake without areas (a folder that does not exist is no lake at all)
    empty = Lake(tmp_path / "lake")
    assert locate(empty, "51.5074,-0.1278")["status"] == "no_areas"
    res = CliRunner().invoke(locate_cmd, ["51.5074,-0.1278", "--lake", str(empty.root)])
    assert res.exit_code == 1
    assert res.output == ("Error: no boundaries are loaded in this lake, so no point can be located; load them "
                          "first, e.g. `openbeat reference load ../shared/data/boundaries ../shared/data/lookups`\n")
