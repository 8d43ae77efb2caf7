"""The demo's boundaries, lookups, population, trust survey, postcodes and API files."""

from __future__ import annotations

import csv
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.stats import spearmanr

from openbeat.demo import FORCE_NAME
from tests.conftest import SHARED_DATA, needs_shared_data

LAYERS = {
    "lsoa_2021": ["LSOA21CD", "LSOA21NM", "MSOA21CD", "MSOA21NM", "LAD22CD", "LAD22NM"],
    "lsoa_2011": ["LSOA11CD", "LSOA11NM", "MSOA11CD", "MSOA11NM", "LAD11CD", "LAD11NM"],
    "msoa_2021": ["MSOA21CD", "MSOA21NM"],
    "wards_2022": ["WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
    "boroughs": ["LAD22CD", "LAD22NM"],
}


@pytest.fixture(scope="module")
def layers(demo_city):
    return {name: gpd.read_file(demo_city.root / "boundaries" / f"{name}.gpkg") for name in LAYERS}


def _rows(path, **kw):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh, **kw))


def test_boundary_layers_have_ons_fields_and_british_national_grid(layers):
    for name, fields in LAYERS.items():
        gdf = layers[name]
        assert list(gdf.columns) == fields + ["geometry"], name
        assert gdf.crs.to_epsg() == 27700
        assert gdf.geometry.is_valid.all()
    counts = {name: len(gdf) for name, gdf in layers.items()}
    assert counts["boroughs"] == 5 and 60 <= counts["wards_2022"] <= 80
    assert 400 <= counts["lsoa_2021"] <= 600 and counts["lsoa_2011"] != counts["lsoa_2021"]
    assert all(re.fullmatch(r"X01\d{6}", c) for c in layers["lsoa_2021"]["LSOA21CD"])
    assert all(re.fullmatch(r"X05\d{6}", c) for c in layers["wards_2022"]["WD22CD"])
    assert all(re.fullmatch(r"X09\d{6}", c) for c in layers["boroughs"]["LAD22CD"])


def test_every_layer_covers_the_city_once_without_overlaps(layers):
    city_area = layers["boroughs"].union_all().area
    assert 150e6 < city_area < 260e6  # about 200 km²
    for name, gdf in layers.items():
        assert abs(gdf.area.sum() - city_area) < 10, name  # no overlaps
        assert abs(gdf.union_all().area - city_area) < 10, name  # no gaps
        overlaps = gpd.sjoin(gdf, gdf, predicate="overlaps")
        assert len(overlaps) == 0, name


def test_lsoas_nest_in_wards_msoas_and_boroughs(layers, demo_city):
    lookup = {r["LSOA21CD"]: r for r in _rows(demo_city.root / "lookups" /
                                             "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup.csv")}
    lsoa = layers["lsoa_2021"].set_index("LSOA21CD")
    wards = layers["wards_2022"].set_index("WD22CD")
    msoas = layers["msoa_2021"].set_index("MSOA21CD")
    for code, row in lsoa.iterrows():
        inner = row.geometry.buffer(-1)
        assert wards.loc[lookup[code]["WD22CD"]].geometry.contains(inner)
        assert msoas.loc[row["MSOA21CD"]].geometry.contains(inner)
        assert row["LSOA21NM"].startswith(row["MSOA21NM"]) and row["LSOA21NM"].startswith(row["LAD22NM"])


def test_the_2011_vintage_differs_by_the_documented_splits_and_merges(layers, demo_city):
    truth = _rows(demo_city.root / "truth" / "LSOA11_to_LSOA21_truth.csv")
    l11 = layers["lsoa_2011"].set_index("LSOA11CD").geometry
    l21 = layers["lsoa_2021"].set_index("LSOA21CD").geometry
    kinds = {r["CHGIND"] for r in truth}
    assert kinds == {"U", "S", "M"}
    assert {r["LSOA11CD"] for r in truth} == set(l11.index) and {r["LSOA21CD"] for r in truth} == set(l21.index)
    for r in truth:
        a, b = l11[r["LSOA11CD"]], l21[r["LSOA21CD"]]
        if r["CHGIND"] == "U":
            assert r["LSOA11CD"] == r["LSOA21CD"] and a.symmetric_difference(b).area < 1
        else:
            assert r["LSOA11CD"].startswith("X019") and not r["LSOA21CD"] in l11.index
            assert a.intersection(b).area > 0.99 * min(a.area, b.area)  # one contains the other
    # A best fit by area overlap (what issue 3's loader must build) recovers the truth.
    for r in truth:
        a = l11[r["LSOA11CD"]]
        best = max(l21.index[l21.intersects(a)], key=lambda c: l21[c].intersection(a).area)
        if r["CHGIND"] != "S":
            assert best == r["LSOA21CD"]


def test_lookup_is_ons_shaped_and_covers_every_lsoa_once(layers, demo_city):
    path = demo_city.root / "lookups" / "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfLSOA21CD,LSOA21NM,LSOA21NMW,WD22CD,WD22NM,WD22NMW,LAD22CD,LAD22NM,"
                          b"LAD22NMW,ObjectId\n")
    rows = _rows(path)
    codes = [r["LSOA21CD"] for r in rows]
    assert sorted(codes) == sorted(layers["lsoa_2021"]["LSOA21CD"]) and len(set(codes)) == len(codes)
    assert {r["LSOA21NMW"] + r["WD22NMW"] + r["LAD22NMW"] for r in rows} == {""}
    assert [int(r["ObjectId"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["WD22CD"] for r in rows} == set(layers["wards_2022"]["WD22CD"])


@needs_shared_data
def test_lookup_header_matches_the_real_ons_file(demo_city):
    real = SHARED_DATA / "lookups" / ("Lower_Layer_Super_Output_Area_(2021)_to_Ward_(2022)_to_LAD_(2022)"
                                      "_Lookup_in_England_and_Wales_v3.csv")
    ours = demo_city.root / "lookups" / "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup.csv"
    assert ours.open("rb").readline() == real.open("rb").readline()


def test_population_files_add_up(demo_city):
    folder = demo_city.root / "population"
    lsoa, msoa, ltla = (_rows(folder / f"census2021-ts007a-{lvl}.csv") for lvl in ("lsoa", "msoa", "ltla"))
    bands = [c for c in lsoa[0] if c.startswith("Age: Aged")]
    assert len(bands) == 18
    for r in lsoa:
        assert 1_200 <= int(r["Age: Total"]) <= 2_500
        assert int(r["Age: Total"]) == sum(int(r[b]) for b in bands)
    total = sum(int(r["Age: Total"]) for r in lsoa)
    assert total == sum(int(r["Age: Total"]) for r in msoa) == sum(int(r["Age: Total"]) for r in ltla)
    eth = _rows(folder / "Census_2021_ethnicity.csv")
    assert len(eth) == 5 * 8
    assert [r["Ethnic group (8 categories) Code"] for r in eth[:8]] == ["-8", "1", "2", "3", "4", "5", "6", "7"]
    assert [r["Ethnic group"] for r in eth[5:7]] == ["White Other", "White Other"]
    assert all(r["Observation"] == "0" for r in eth if r["Ethnic group (8 categories) Code"] == "-8")
    by_borough = {}
    for r in eth:
        by_borough[r["Upper tier local authorities Code"]] = by_borough.get(
            r["Upper tier local authorities Code"], 0) + int(r["Observation"])
    assert by_borough == {r["geography code"]: int(r["Age: Total"]) for r in ltla}
    # Ethnic mix varies by borough: Heath is mostly White British, Docks is not.
    share = {r["Upper tier local authorities"]:
             int(r["Observation"]) / by_borough[r["Upper tier local authorities Code"]]
             for r in eth if r["Ethnic group"] == "White British"}
    assert share["Northbridge Heath"] > 0.5 > 0.4 > share["Northbridge Docks"]
    mid = _rows(folder / "northbridge-mid2020-pop.csv")
    truth = _rows(demo_city.root / "truth" / "LSOA11_to_LSOA21_truth.csv")
    assert len(mid) == len({r["LSOA11CD"] for r in truth})  # one row per 2011 LSOA
    for r in mid:
        assert int(r["Persons_All-Ages"]) == int(r["Males_All-Ages"]) + int(r["Females_All-Ages"])


@needs_shared_data
def test_population_headers_match_the_real_files(demo_city):
    real = SHARED_DATA / "population"
    pairs = [
        (real / "ons_census2021_ts007a_age" / "census2021-ts007a-lsoa.csv", "census2021-ts007a-lsoa.csv"),
        (real / "ons_census2021_ethnicity_utla" / "Census_2021_ethnicity.csv", "Census_2021_ethnicity.csv"),
        (real / "ons_mid_year_lsoa11_london" / "london-mid2020-pop.csv", "northbridge-mid2020-pop.csv"),
    ]
    for theirs, ours in pairs:
        assert (demo_city.root / "population" / ours).open("rb").readline() == theirs.open("rb").readline()


def test_pas_files_keep_the_excel_dutch_locale_quirks(demo_city):
    raw = (demo_city.root / "mopac_pas" / "PAS_buroughs.csv").read_bytes()
    assert raw.startswith(b"Date;Survey;Borough;Measure;Proportion;MPS\r\n")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    text = raw.decode()
    assert ';"""Good Job"" local";' in text
    rows = _rows(demo_city.root / "mopac_pas" / "PAS_buroughs.csv", delimiter=";")
    assert all(re.fullmatch(r"(31/03|30/06|30/09|31/12)/20\d\d", r["Date"]) for r in rows)
    assert all(re.fullmatch(r"0,\d\d?", r["Proportion"]) for r in rows)
    dates = list(dict.fromkeys(r["Date"] for r in rows))
    assert dates == ["31/12/2024", "31/03/2025", "30/06/2025", "30/09/2025", "31/12/2025"]
    trust = [r["Date"] for r in rows if r["Measure"] == "Trust MPS"]
    assert trust and min(trust, key=dates.index) == dates[2]  # starts later, as in the real file
    names = {r["Borough"] for r in rows}
    assert {"Northbridge Upon Mere", "Northbridge upon Mere"} <= names  # inconsistent names, as Richmond's
    total = _rows(demo_city.root / "mopac_pas" / "PAS_Total.csv", delimiter=";")
    assert {r["Borough"] for r in total} == {"MPS"} and len(total) == len(rows) // 5


@needs_shared_data
def test_pas_headers_match_the_real_files(demo_city):
    for name in ("PAS_buroughs.csv", "PAS_Total.csv"):
        real = (SHARED_DATA / "mopac_pas" / name).open("rb").readline()
        assert (demo_city.root / "mopac_pas" / name).open("rb").readline() == real


def test_trust_is_lower_where_crime_is_higher(demo_city, demo_lake):
    rows = _rows(demo_city.root / "mopac_pas" / "PAS_buroughs.csv", delimiter=";")
    trust = {}
    for r in rows:
        if r["Measure"] == '"Good Job" local':
            name = r["Borough"].replace(" Upon ", " upon ")
            trust.setdefault(name, []).append(float(r["Proportion"].replace(",", ".")))
    lookup = demo_city.root / "lookups" / "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup.csv"
    pop = {r["geography"]: int(r["Age: Total"]) for r in
           _rows(demo_city.root / "population" / "census2021-ts007a-ltla.csv")}
    con = demo_lake.connect()
    crimes = dict(con.execute(f"""SELECT l.LAD22NM, count(*) FROM crimes c
                                  JOIN read_csv('{lookup}') l ON l.LSOA21CD = c.lsoa_code GROUP BY 1""").fetchall())
    names = sorted(pop)
    rho, _ = spearmanr([crimes[n] / pop[n] for n in names], [np.mean(trust[n]) for n in names])
    assert rho < -0.8


def test_postcodes_are_onspd_shaped_and_locate_in_their_lsoa(demo_city, layers):
    rows = _rows(demo_city.root / "postcodes" / "postcodes.csv")
    assert {"pcd", "pcd2", "pcds", "doterm", "lat", "long", "lsoa21", "osward", "oslaua", "pfa"} <= set(rows[0])
    assert len({r["pcds"] for r in rows}) == len(rows) > 2_500
    example = next(r for r in rows if r["pcds"] == "NB1 2AB")
    assert example["pcd"] == "NB1 2AB" and example["pcd2"] == "NB1  2AB" and example["doterm"] == ""
    assert 0 < sum(1 for r in rows if r["doterm"]) < 0.1 * len(rows)
    lsoa = layers["lsoa_2021"].set_index("LSOA21CD")
    pts = gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy([float(r["long"]) for r in rows],
                                                             [float(r["lat"]) for r in rows]), crs=4326)
    pts = pts.to_crs(27700)
    inside = [lsoa.loc[r["lsoa21"]].geometry.contains(g) for r, g in zip(rows, pts.geometry)]
    assert all(inside)
    wards = layers["wards_2022"].set_index("WD22CD")
    assert wards.loc[example["osward"]].geometry.contains(pts.geometry[rows.index(example)])
    assert all(re.fullmatch(r"NB\d{1,2} \d[A-Z]{2}", r["pcds"]) for r in rows)


def _json(demo_city, rel):
    return json.loads((demo_city.root / "police_uk_api" / f"{rel}.json").read_text())


def test_api_files_answer_the_police_uk_paths(demo_city, layers):
    assert _json(demo_city, "forces") == [{"id": "northbridge", "name": FORCE_NAME}]
    force = _json(demo_city, "forces/northbridge")
    assert set(force) == {"description", "url", "engagement_methods", "telephone", "id", "name"}
    dates = _json(demo_city, "crimes-street-dates")
    assert [d["date"] for d in dates] == list(reversed(demo_city.months))
    assert all(d["stop-and-search"] == ["northbridge"] for d in dates)
    hoods = _json(demo_city, "northbridge/neighbourhoods")
    assert len(hoods) == len(layers["wards_2022"]) and hoods[0]["id"] == "NB01"
    assert [h["name"] for h in hoods] == list(layers["wards_2022"]["WD22NM"])
    ranks, phones = set(), []
    for h in hoods:
        base = f"northbridge/{h['id']}"
        detail = _json(demo_city, base)
        assert detail["id"] == h["id"] and isinstance(detail["population"], str)
        assert isinstance(detail["centre"]["latitude"], str)
        boundary = _json(demo_city, f"{base}/boundary")
        assert len(boundary) > 5 and all(set(p) == {"latitude", "longitude"} and isinstance(p["latitude"], str)
                                          for p in boundary)
        for person in _json(demo_city, f"{base}/people"):
            assert set(person) == {"bio", "contact_details", "name", "rank"}
            assert "fictional" in person["bio"]
            assert person["contact_details"]["email"].endswith("@northbridge.police.example")
            ranks.add(person["rank"])
            phones.append(person["contact_details"]["telephone"])
        for event in _json(demo_city, f"{base}/events"):
            assert set(event) == {"contact_details", "description", "title", "address", "type", "start_date",
                                  "end_date"}
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", event["start_date"])
        for p in _json(demo_city, f"{base}/priorities"):
            assert set(p) == {"action", "issue-date", "action-date", "issue"}
    assert ranks == {"Sergeant", "PC", "PCSO"}
    assert all(re.fullmatch(r"07700 900\d{3}", t) for t in phones)  # Ofcom's drama range


def test_api_boundary_is_the_ward_polygon(demo_city, layers):
    ward = layers["wards_2022"].iloc[0]
    points = _json(demo_city, "northbridge/NB01/boundary")
    ring = gpd.GeoSeries([shapely.Polygon([(float(p["longitude"]), float(p["latitude"])) for p in points])],
                         crs=4326).to_crs(27700)[0]
    assert ring.symmetric_difference(ward.geometry).area < 0.01 * ward.geometry.area


def test_the_burglary_priority_is_published_where_and_when_it_was_planted(demo_city):
    planted = json.loads((demo_city.root / "truth" / "planted.json").read_text())["burglary_priority"]
    priorities = _json(demo_city, f"northbridge/{planted['neighbourhood_id']}/priorities")
    assert priorities[0]["issue-date"] == planted["adopted"] + "-01T00:00:00"
    assert "burglary" in priorities[0]["issue"]


@needs_shared_data
def test_api_shapes_match_the_real_single_object_samples(demo_city):
    real = SHARED_DATA / "police_uk_api" / "single_objects_police-data-kit"
    for sample, ours in (("neighbourhood.json", "northbridge/NB01"),
                         ("police-force.json", "forces/northbridge")):
        theirs = json.loads((real / sample).read_text())
        assert set(_json(demo_city, ours)) == set(theirs), sample
    assert set(_json(demo_city, "northbridge/NB01/people")[0]) == set(json.loads(
        (real / "police-officer.json").read_text()))
    real_dates = json.loads((SHARED_DATA / "police_uk_api" / "crimes-street-dates_2019-01_to_2021-12.json").read_text())
    assert set(_json(demo_city, "crimes-street-dates")[0]) == set(real_dates[0])


def test_ward_crime_file_has_the_datastore_layout_and_the_vawg_classes(demo_city):
    from openbeat.demo.wardcrime import FILE_NAME

    path = demo_city.root / "london_datastore" / FILE_NAME
    assert "synthetic" in path.name
    rows = _rows(path)
    header = list(rows[0])
    assert header[:5] == ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]
    assert all(re.fullmatch(r"20\d\d(0[1-9]|1[0-2])", h) for h in header[5:]) and len(header[5:]) <= 24
    classes = {(r["MajorText"], r["MinorText"]) for r in rows}
    assert {("SEXUAL OFFENCES", "RAPE"), ("SEXUAL OFFENCES", "OTHER SEXUAL OFFENCES"),
            ("VIOLENCE AGAINST THE PERSON", "STALKING AND HARASSMENT")} <= classes
    if SHARED_DATA.exists():  # every class is one the real file uses
        with open(SHARED_DATA / "london_datastore" / "mps_recorded_crime" /
                  "MPS Ward Level Crime (most recent 24 months).csv", newline="", encoding="utf-8-sig") as fh:
            real = {(r["MajorText"], r["MinorText"]) for r in csv.DictReader(fh)}
        assert classes <= real
    # sexual offences peak in summer: June-August above December-February, force-wide
    sexual = [r for r in rows if r["MajorText"] == "SEXUAL OFFENCES"]
    by_cal = {m: sum(int(r[h]) for r in sexual for h in header[5:] if h.endswith(m)) for m in
              ("06", "07", "08", "12", "01", "02")}
    assert by_cal["06"] + by_cal["07"] + by_cal["08"] > by_cal["12"] + by_cal["01"] + by_cal["02"]


def test_team_events_and_priorities_are_dated_around_the_build_day(demo_city):
    """A newcomer sees a living neighbourhood: meetings to come and one just held, and priorities, in every ward."""
    from datetime import date, datetime

    from tests.demo.conftest import SMALL

    today = SMALL["today"]
    wards = _json(demo_city, "northbridge/neighbourhoods")
    assert len(wards) == 70
    for w in wards:
        days = sorted((datetime.fromisoformat(e["start_date"]).date() - today).days
                      for e in _json(demo_city, f"northbridge/{w['id']}/events"))
        past = [d for d in days if d < 0]
        assert len(past) == 1 and -70 <= past[0] <= -20, (w, days)
        assert 1 <= len(days) - 1 <= 3 and all(5 <= d < 80 for d in days[1:]), (w, days)
        priorities = _json(demo_city, f"northbridge/{w['id']}/priorities")
        assert priorities, w
        for p in priorities:
            issued = date.fromisoformat(p["issue-date"][:10])
            planted = issued.day == 1 and issued <= date(2025, 12, 1)  # the planted ones follow the data's months
            assert planted or 21 <= (today - issued).days <= 70, (w, p)
