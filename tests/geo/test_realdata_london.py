"""The issue's real-data checks, on ../shared/data (skipped with a reason when absent).

One lake is built per session: London boundaries and the ONS lookups loaded with
``load_reference``, the Met burglary subset and every Met stop-and-search month
ingested with ``ingest_paths``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from openbeat.geo.pip import PolygonIndex
from openbeat.geo.rollup import FORCE_BOROUGHS
from openbeat.geo.simplify import feature_collection
from openbeat.ingest.boundaries import read_areas

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def london(real_london):
    return real_london


def test_london_lsoas_and_boroughs_load(london):
    lake, con, report = london
    counts = dict(con.sql("SELECT level || ':' || approximate, count(*) FROM areas GROUP BY 1").fetchall())
    assert counts == {"lsoa21:false": 4994, "lsoa11:false": 4835, "msoa21:false": 1002, "borough:false": 33,
                      "ward:false": 20, "ward:true": 664}
    # the 2018 wards were recognised and not loaded as current wards
    skipped = [f for f in report.files if f.status == "skipped" and "London_Ward" in f.path]
    assert len(skipped) == 2 and all("pre-2022" in f.message for f in skipped)
    camden = con.sql("SELECT count(*), bool_and(NOT approximate) FROM areas WHERE level = 'ward' "
                     "AND borough_code = 'E09000007'").fetchall()
    assert camden == [(20, True)]


def test_every_london_lsoa_in_the_lookup_reaches_exactly_one_borough(london):
    _, con, _ = london
    rows = con.sql("""
        SELECT a.code, count(DISTINCT w.lad_code) AS n, any_value(w.lad_code) AS lad
        FROM areas a LEFT JOIN lsoa_wards w ON w.lsoa21_code = a.code AND w.ward_vintage = 'WD22'
        WHERE a.level = 'lsoa21' GROUP BY a.code""").fetchall()
    assert len(rows) == 4994
    assert {r[1] for r in rows} == {1}
    boroughs = {r[0] for r in con.sql("SELECT code FROM areas WHERE level = 'borough'").fetchall()}
    assert {r[2] for r in rows} == boroughs and len(boroughs) == 33
    # and the borough the lookup gives is the one the LSOA file itself names
    mism = con.sql("SELECT count(*) FROM areas WHERE level = 'lsoa21' AND borough_code IS NULL").fetchall()
    assert mism == [(0,)]


def test_bestfit_borough_of_2011_codes_agrees_with_point_in_polygon(london):
    lake, con, _ = london
    rows = con.sql("""
        SELECT longitude, latitude, borough_code, geo_status FROM crimes_geo
        WHERE lsoa_code IN (SELECT code FROM areas WHERE level = 'lsoa11') AND longitude IS NOT NULL
    """).fetchnumpy()
    codes, geoms = read_areas(lake, "borough")
    pip = PolygonIndex(codes, geoms).codes_at_lonlat(rows["longitude"], rows["latitude"])
    agree = float(np.mean(pip == rows["borough_code"]))
    changed = rows["geo_status"] == "lsoa11_bestfit"
    agree_changed = float(np.mean(pip[changed] == rows["borough_code"][changed]))
    print(f"\nMet burglaries with coordinates and a 2011 LSOA code: {len(pip):,}; borough by code "
          f"(best-fit lookup) = borough by point-in-polygon for {agree:.2%}; for the {changed.sum():,} "
          f"rows whose 2011 code is not a 2021 code: {agree_changed:.2%}")
    assert len(pip) > 150_000 and changed.sum() > 5_000
    assert agree >= 0.99 and agree_changed >= 0.99


def test_no_crime_or_outcome_row_is_dropped_and_every_status_is_known(london):
    _, con, _ = london
    for src in ("crimes", "outcomes"):
        n = con.sql(f"SELECT count(*) FROM {src}").fetchall()[0][0]
        statuses = dict(con.sql(f"SELECT geo_status, count(*) FROM {src}_geo GROUP BY 1").fetchall())
        assert sum(statuses.values()) == n
        assert set(statuses) <= {"ok", "lsoa11_bestfit", "outside_area", "no_location", "unknown_lsoa"}
        assert (statuses["ok"] + statuses["lsoa11_bestfit"]) / n > 0.97
        # ok rows always reach a ward and a Met borough
        bad = con.sql(f"SELECT count(*) FROM {src}_geo WHERE geo_status IN ('ok', 'lsoa11_bestfit') "
                      "AND (ward_code IS NULL OR borough_code = 'E09000001')").fetchall()
        assert bad == [(0,)]


def test_stop_searches_with_coordinates_land_in_a_london_borough_unless_outside(london):
    lake, con, _ = london
    codes, geoms = read_areas(lake, "borough")
    london_idx = PolygonIndex(codes, geoms)
    rows = con.sql("""SELECT strftime(month, '%Y-%m') AS m, longitude, latitude, borough_code, geo_status
                      FROM stop_searches_geo WHERE latitude IS NOT NULL""").fetchnumpy()
    in_london = london_idx.codes_at_lonlat(rows["longitude"], rows["latitude"])
    months = sorted(set(rows["m"]))
    assert len(months) == 31
    lines = []
    for m in months:
        sel = rows["m"] == m
        status = rows["geo_status"][sel]
        outside = status == "outside_area"
        # outside the Met = outside Greater London, or in the City (City of London Police's area)
        outside_london = outside & (in_london[sel] == None)  # noqa: E711
        in_city = outside & (in_london[sel] == "E09000001")
        assert (outside == (outside_london | in_city)).all(), m
        assert set(rows["borough_code"][sel][~outside]) <= set(FORCE_BOROUGHS["metropolitan"]), m
        lines.append(f"{m}: {sel.sum():>6,} with coordinates, {outside_london.sum():>3} outside London, "
                     f"{in_city.sum():>3} in the City")
    print("\nMet stop and search outside the force area, by month:\n" + "\n".join(lines))
    assert (rows["geo_status"] == "ok").mean() > 0.99


def test_web_geojson_is_under_budget(london):
    _, con, report = london
    for level, (tol, size, budget) in report.rebuild.web.items():
        assert size <= budget, level
    rows = con.sql("SELECT code, name, geometry_web FROM areas WHERE level = 'lsoa21'").fetchall()
    fc = feature_collection(*zip(*rows))
    size = len(fc.encode())
    print(f"\nall London LSOA 2021 web GeoJSON: {size / 1e6:.2f} MB "
          f"(simplified at {report.rebuild.web['lsoa21'][0]:g} m)")
    assert size < 3_000_000
    assert len(json.loads(fc)["features"]) == 4994
