"""Radius, polygon and coverage answers checked against the real police.uk CSVs they came from.

Every expected value is computed here from the CSV files themselves, with this file's own
great-circle distance and point-in-polygon test, never with the code under test.
"""

from __future__ import annotations

import csv
import gzip
import json
import math

import pytest

from tests.policeuk.conftest import ARCHIVE

pytestmark = pytest.mark.django_db

BASE = "/police-uk/api/"
BANK = (51.5134, -0.0890)  # Bank junction, in the middle of the City of London
MILE_M = 1609.344  # police.uk's "one mile radius"
EARTH_M = 6_371_008.8
#: A quadrilateral over most of the City (lat,lng:…), as a police.uk client writes it.
CITY_POLY = [(51.5200, -0.1100), (51.5220, -0.0750), (51.5050, -0.0720), (51.5080, -0.1050)]


def rows(month: str, force: str, kind: str) -> list[dict]:
    path = ARCHIVE / month / f"{month}-{force}-{kind}.csv"
    if not path.exists():
        path = path.with_name(path.name + ".gz")
    with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else open(path, encoding="utf-8")) as fh:
        return list(csv.DictReader(fh))


def metres(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


def within_mile(row: dict) -> bool:
    return bool(row["Latitude"]) and metres(*BANK, float(row["Latitude"]), float(row["Longitude"])) <= MILE_M


def inside(poly, lat: float, lng: float) -> bool:
    """Even-odd ray casting in the lat/lng plane."""
    hit = False
    for (y1, x1), (y2, x2) in zip(poly, poly[1:] + poly[:1]):
        if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def street_rows(month: str) -> list[dict]:
    out = []
    for force in ("city-of-london", "btp"):
        if (ARCHIVE / month / f"{month}-{force}-street.csv").exists():
            out += [dict(r, force=force) for r in rows(month, force, "street")]
    return out


def expected_crime(row: dict) -> tuple:
    from openbeat.analytics.policeuk_answers import CATEGORY_SLUG  # the slug table, checked in test_categories

    return (CATEGORY_SLUG[row["Crime type"]], "BTP" if row["force"] == "btp" else "Force", row["Latitude"],
            row["Longitude"], row["Location"], row["Crime ID"], row["Month"])


def got_crime(c: dict) -> tuple:
    loc = c["location"]
    return (c["category"], c["location_type"], loc["latitude"], loc["longitude"], loc["street"]["name"],
            c["persistent_id"], c["month"])


def get(client, path, **params):
    response = client.get(BASE + path, params)
    return response, (json.loads(response.content) if response.content else None)


@pytest.mark.parametrize("month", ["2023-02", "2023-03", "2024-01"])
def test_one_mile_radius_equals_the_csvs(client, use_real, month):
    expected = sorted(expected_crime(r) for r in street_rows(month) if within_mile(r))
    response, ours = get(client, "crimes-street/all-crime", lat=str(BANK[0]), lng=str(BANK[1]), date=month)
    assert response.status_code == 200
    assert sorted(map(got_crime, ours)) == expected
    assert len(expected) > 300  # the City's whole month, nearly
    burglary = [e for e in expected if e[0] == "burglary"]
    _, ours = get(client, "crimes-street/burglary", lat=str(BANK[0]), lng=str(BANK[1]), date=month)
    assert sorted(map(got_crime, ours)) == burglary


def test_radius_excludes_what_lies_beyond_a_mile(client, use_real):
    """The City's rows outside the mile (Kirklees, Swansea … and the City's edge) are left out."""
    month = "2023-03"
    beyond = [r for r in street_rows(month) if r["Latitude"] and not within_mile(r)]
    assert beyond
    _, ours = get(client, "crimes-street/all-crime", lat=str(BANK[0]), lng=str(BANK[1]), date=month)
    assert not {expected_crime(r) for r in beyond} & set(map(got_crime, ours))


def test_outcome_status_is_the_street_files_last_outcome(client, use_real):
    """2024-01 has no outcomes file: outcome_status is the CSV's Last outcome category, dated the month."""
    expected = sorted((r["Crime ID"], r["Last outcome category"] or None) for r in street_rows("2024-01")
                      if within_mile(r))
    _, ours = get(client, "crimes-street/all-crime", lat=str(BANK[0]), lng=str(BANK[1]), date="2024-01")
    assert sorted((c["persistent_id"], (c["outcome_status"] or {}).get("category")) for c in ours) == expected
    assert {c["outcome_status"]["date"] for c in ours if c["outcome_status"]} == {"2024-01"}


def test_polygon_equals_the_csvs(client, use_real):
    month = "2023-03"
    expected = sorted(expected_crime(r) for r in street_rows(month)
                      if r["Latitude"] and inside(CITY_POLY, float(r["Latitude"]), float(r["Longitude"])))
    poly = ":".join(f"{lat},{lng}" for lat, lng in CITY_POLY)
    response, ours = get(client, "crimes-street/all-crime", poly=poly, date=month)
    assert response.status_code == 200
    assert sorted(map(got_crime, ours)) == expected and len(expected) > 200
    response = client.post(BASE + "crimes-street/all-crime", {"poly": poly, "date": month})
    assert sorted(map(got_crime, json.loads(response.content))) == expected


def test_crimes_no_location_equals_the_csv(client, use_real):
    expected = sorted(r["Crime ID"] for r in rows("2023-03", "city-of-london", "street") if not r["Latitude"])
    response, ours = get(client, "crimes-no-location", force="city-of-london", date="2023-03")
    assert response.status_code == 200 and len(expected) > 20
    assert sorted(c["persistent_id"] for c in ours) == expected
    assert {(c["location"], c["location_type"]) for c in ours} == {(None, None)}


def test_outcomes_at_location_equals_the_csv(client, use_real):
    expected = sorted((r["Crime ID"], r["Outcome type"], r["Latitude"], r["Longitude"])
                      for r in rows("2023-03", "city-of-london", "outcomes") if within_mile(r))
    response, ours = get(client, "outcomes-at-location", lat=str(BANK[0]), lng=str(BANK[1]), date="2023-03")
    assert response.status_code == 200 and len(expected) > 100
    assert sorted((o["crime"]["persistent_id"], o["category"]["name"], o["crime"]["location"]["latitude"],
                   o["crime"]["location"]["longitude"]) for o in ours) == expected
    assert {o["date"] for o in ours} == {"2023-03"} and {o["person_id"] for o in ours} == {None}


def test_outcomes_for_a_real_crime(client, use_real):
    street = {r["Crime ID"]: r for r in rows("2023-02", "city-of-london", "street") if r["Crime ID"]}
    outcomes = [r for r in rows("2023-03", "city-of-london", "outcomes") if r["Crime ID"] in street]
    crime_id = outcomes[0]["Crime ID"]
    response, ours = get(client, f"outcomes-for-crime/{crime_id}")
    assert response.status_code == 200
    assert ours["crime"]["month"] == "2023-02" and ours["crime"]["persistent_id"] == crime_id
    assert sorted(o["category"]["name"] for o in ours["outcomes"]) == sorted(
        r["Outcome type"] for r in outcomes if r["Crime ID"] == crime_id)


def stop_rows(month: str) -> list[dict]:
    return [dict(r, force=f) for f in ("city-of-london", "btp", "metropolitan") for r in rows(month, f, "stop-and-search")]


def test_stops_street_equals_the_csvs(client, use_real):
    expected = sorted((r["Date"], r["Latitude"], r["Longitude"], r["Type"], r["Outcome"])
                      for r in stop_rows("2023-03") if within_mile(r))
    response, ours = get(client, "stops-street", lat=str(BANK[0]), lng=str(BANK[1]), date="2023-03")
    assert response.status_code == 200 and len(expected) > 100
    # stop coordinates come back in their shortest form, so compare them as numbers
    assert sorted((s["datetime"], float(s["location"]["latitude"]), float(s["location"]["longitude"]), s["type"],
                   s["outcome"]) for s in ours) == [(d, float(y), float(x), t, o) for d, y, x, t, o in expected]


def test_stops_force_and_no_location_equal_the_csv(client, use_real, settings):
    met = rows("2023-03", "metropolitan", "stop-and-search")
    response, ours = get(client, "stops-force", force="metropolitan", date="2023-03")
    assert response.status_code == 200 and len(ours) == len(met) == 14303
    _, unplaced = get(client, "stops-no-location", force="metropolitan", date="2023-03")
    assert len(unplaced) == sum(not r["Latitude"] for r in met) > 0
    assert {s["location"] for s in unplaced} == {None}


def test_the_10000_cap_reproduces_police_uks_503(client, use_real, settings):
    settings.OPENBEAT_POLICEUK_CAP = True
    response = client.get(BASE + "stops-force", {"force": "metropolitan", "date": "2023-03", "cap": "on"})
    assert response.status_code == 503 and response.content == b""
    # under the cap, answers are whole
    response, ours = get(client, "stops-force", force="city-of-london", date="2023-03", cap="on")
    assert response.status_code == 200 and len(ours) == len(rows("2023-03", "city-of-london", "stop-and-search"))


def test_with_the_cap_off_limit_and_offset_page_the_whole_list(client, use_real, settings):
    settings.OPENBEAT_POLICEUK_CAP = False
    _, whole = get(client, "stops-force", force="metropolitan", date="2023-03")
    pages = []
    for offset in range(0, 14303, 5000):
        response, page = get(client, "stops-force", force="metropolitan", date="2023-03", limit="5000",
                             offset=str(offset))
        assert response["X-Total-Count"] == "14303"
        pages += page
    assert pages == whole
    assert client.get(BASE + "stops-force", {"force": "metropolitan", "limit": "-1"}).status_code == 400


def test_forces_and_dates_are_exactly_the_lakes(client, use_real):
    assert get(client, "forces")[1] == [
        {"id": "btp", "name": "British Transport Police"},
        {"id": "city-of-london", "name": "City of London Police"},
        {"id": "metropolitan", "name": None},  # stop-and-search files name no force
    ]
    assert get(client, "crimes-street-dates")[1] == [
        {"date": "2024-01", "stop-and-search": []},
        {"date": "2023-03", "stop-and-search": ["btp", "city-of-london", "metropolitan"]},
        {"date": "2023-02", "stop-and-search": []},
    ]
    assert get(client, "crime-last-updated")[1] == {"date": "2024-01-01"}


def test_a_month_a_force_did_not_publish_answers_empty(client, use_real):
    # BTP published no 2023-02 file here; its stations' crimes simply are not there
    response, ours = get(client, "crimes-street/all-crime", lat=str(BANK[0]), lng=str(BANK[1]), date="2023-02")
    assert {c["location_type"] for c in ours} == {"Force"}
    assert get(client, "crimes-no-location", force="btp", date="2023-02")[1] == []
    assert get(client, "stops-force", force="btp", date="2024-01")[1] == []
    assert get(client, "crimes-street/all-crime", lat="51.5", lng="-0.1", date="2022-06")[1] == []


def test_default_date_is_the_latest_month(client, use_real):
    _, latest = get(client, "crimes-street/all-crime", lat=str(BANK[0]), lng=str(BANK[1]))
    _, dated = get(client, "crimes-street/all-crime", lat=str(BANK[0]), lng=str(BANK[1]), date="2024-01")
    assert latest == dated and {c["month"] for c in latest} == {"2024-01"}


def test_categories_cover_every_crime_type_in_the_csvs(client, use_real):
    response, ours = get(client, "crime-categories", date="2023-03")
    assert response.status_code == 200
    assert ours[0] == {"url": "all-crime", "name": "All crime"} and len(ours) == 15
    names = {c["name"] for c in ours}
    assert {r["Crime type"] for m in ("2023-02", "2023-03", "2024-01") for r in street_rows(m)} <= names
