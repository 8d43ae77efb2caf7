"""crimes_geo / outcomes_geo / stop_searches_geo on the toy city (see conftest)."""

import csv

from openbeat.geo.rollup import crimes_with_areas
from openbeat.ingest import ingest_paths
from openbeat.ingest.reference import load_reference

from tests.geo.toycity import lonlat

STREET = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
          "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
STOPS = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
         "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
         "Object of search", "Outcome", "Outcome linked to object of search",
         "Removal of more than just outer clothing"]


def _street(path, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(STREET)
        for cid, (lon, lat), lsoa in rows:
            w.writerow([cid, "2023-01", "Toy Police", "Toy Police", lon, lat,
                        "On or near Somewhere" if lsoa else "No Location", lsoa, "", "Burglary", "", ""])


def _stops(path, month, points):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(STOPS)
        for n, (lon, lat) in enumerate(points):
            w.writerow(["Person search", f"{month}-0{n + 1}T12:00:00+00:00", "False", "", lat, lon, "Male",
                        "18-24", "", "White", "Misuse of Drugs Act 1971 (section 23)", "Controlled drugs",
                        "Arrest", "", ""])


def test_every_row_rolls_up_or_is_flagged(toy_city, tmp_path, lake):
    load_reference(list(toy_city.values()), lake=lake)
    police = tmp_path / "police"
    police.mkdir()
    _street(police / "2023-01-toy-street.csv", [
        ("c1", lonlat(0.5, 0.5), "X01000001"),  # a 2021 code
        ("c2", lonlat(1.5, 0.2), "X01100001"),  # a 2011-only code: best fit is X01000002
        ("c3", lonlat(9, 9), "X01000099"),  # in the lookup, no polygon loaded
        ("c4", ("", ""), ""),  # No Location
        ("c5", lonlat(0.5, 0.5), "E01999999"),  # known nowhere
    ])
    _stops(police / "2023-01-toy-stop-and-search.csv", "2023-01",
           [lonlat(0.5, 1.5), lonlat(5, 5), ("", "")])
    assert ingest_paths([police], lake=lake).ok

    con = lake.connect()
    # ingested after the areas: the two searches with coordinates are located now, in memory
    assert crimes_with_areas(con) == {"stop_searches_located": 2}
    got = con.sql("SELECT crime_id, lsoa21_code, ward_code, borough_code, geo_status FROM crimes_geo "
                  "ORDER BY crime_id").fetchall()
    assert got == [
        ("c1", "X01000001", "X05000001", "X09000001", "ok"),
        ("c2", "X01000002", "X05000001", "X09000001", "lsoa11_bestfit"),
        ("c3", "X01000099", "X05000099", "X09000099", "outside_area"),
        ("c4", None, None, None, "no_location"),
        ("c5", None, None, None, "unknown_lsoa"),
    ]
    got = con.sql("SELECT lsoa21_code, ward_code, borough_code, geo_status FROM stop_searches_geo "
                  "ORDER BY date").fetchall()
    assert got == [("X01000003", "X05000002", "X09000001", "ok"), (None, None, None, "outside_area"),
                   (None, None, None, "no_location")]
    con.close()


def test_stop_searches_of_a_month_ingested_after_areas_are_located_and_cached(toy_city, tmp_path, lake):
    police = tmp_path / "police"
    police.mkdir()
    _stops(police / "2023-01-toy-stop-and-search.csv", "2023-01", [lonlat(0.5, 0.5)])
    ingest_paths([police], lake=lake)
    report = load_reference(list(toy_city.values()), lake=lake)
    assert report.stop_searches_located == 1  # cache built at reference load
    _stops(police / "2023-02-toy-stop-and-search.csv", "2023-02", [lonlat(1.5, 1.5), lonlat(1.5, 0.5)])
    ingest_paths([police / "2023-02-toy-stop-and-search.csv"], lake=lake)

    con = lake.connect()
    assert crimes_with_areas(con, lake=lake) == {"stop_searches_located": 2}
    rows = con.sql("SELECT month, lsoa21_code, geo_status FROM stop_searches_geo ORDER BY date").fetchall()
    assert [r[1:] for r in rows] == [("X01000001", "ok"), ("X01000004", "ok"), ("X01000002", "ok")]
    con.close()
    con = lake.connect()  # the new rows are now in the cache
    assert con.sql("SELECT count(*) FROM stop_search_areas").fetchall() == [(3,)]
    assert crimes_with_areas(con) == {"stop_searches_located": 0}
    con.close()


def test_views_exist_on_an_empty_lake(lake):
    lake.root.mkdir(parents=True)
    con = lake.connect()
    crimes_with_areas(con)
    for view in ("crimes_geo", "outcomes_geo", "stop_searches_geo"):
        assert con.sql(f"SELECT count(*) FROM {view}").fetchall() == [(0,)]
    cols = [r[0] for r in con.execute("DESCRIBE crimes_geo").fetchall()][-4:]
    assert cols == ["lsoa21_code", "ward_code", "borough_code", "geo_status"]
