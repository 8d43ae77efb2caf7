"""Answers equal police.uk's own, for the same data: the real API responses in
``../shared/data/police_uk_api`` against the lake built from the same records.

police.uk's crime ``id`` and ``street.id`` are its own database keys (not in its CSVs);
OpenBeat derives stable ones (docs/police-uk-api.md), so those two are compared for type
and stability, and every other field for equality. ``location_subtype`` is not in the
CSVs either: police.uk's ``LU STATION`` on BTP crimes is ``""`` here, as documented.
"""

from __future__ import annotations

import json

import pytest

from tests.policeuk.conftest import API, MET_POINT, SHEFFIELD, SHEFFIELD_POLY, SINGLE, load_json

pytestmark = pytest.mark.django_db

BASE = "/police-uk/api/"


def get(client, path, **params):
    response = client.get(BASE + path, params)
    return response, (json.loads(response.content) if response.content else None)


def comparable(crime: dict) -> dict:
    """A crime without the ids police.uk assigns (checked separately)."""
    out = json.loads(json.dumps(crime))
    out.pop("id")
    out["location_subtype"] = ""
    if out["location"]:
        out["location"]["street"].pop("id")
    return out


def key(crime: dict) -> str:
    return json.dumps(comparable(crime), sort_keys=True)


def assert_same_crimes(ours: list[dict], theirs: list[dict]) -> None:
    assert sorted(map(key, ours)) == sorted(map(key, theirs))
    for crime in ours:
        assert isinstance(crime["id"], int) and 0 < crime["id"] < 2**53
        if crime["location"]:
            assert isinstance(crime["location"]["street"]["id"], int)


def test_poly_sheffield_equals_police_uk(client, use_samples):
    theirs = load_json(SHEFFIELD / "crimes-street_all-crime_poly_2026-02.json.gz")
    response, ours = get(client, "crimes-street/all-crime", poly=SHEFFIELD_POLY, date="2026-02")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert len(ours) == len(theirs) == 6059
    assert_same_crimes(ours, theirs)
    # field order as police.uk sends it
    assert list(ours[0]) == list(theirs[0])
    assert list(ours[0]["location"]) == list(theirs[0]["location"])


def test_poly_by_post_equals_get(client, use_samples):
    _, by_get = get(client, "crimes-street/burglary", poly=SHEFFIELD_POLY, date="2026-02")
    response = client.post(BASE + "crimes-street/burglary", {"poly": SHEFFIELD_POLY, "date": "2026-02"})
    assert response.status_code == 200
    assert json.loads(response.content) == by_get
    assert len(by_get) == 294  # the sample's burglaries


@pytest.mark.parametrize("month", ["2026-03", "2026-04"])
def test_unpublished_month_answers_empty_as_police_uk_did(client, use_samples, month):
    theirs = load_json(SHEFFIELD / f"crimes-street_all-crime_poly_{month}.json")
    response, ours = get(client, "crimes-street/all-crime", poly=SHEFFIELD_POLY, date=month)
    assert response.status_code == 200 and ours == theirs == []


def test_point_met_2014_equals_police_uk(client, use_samples):
    theirs = load_json(MET_POINT)
    response, ours = get(client, "crimes-street/all-crime", lat="51.5017", lng="0.0055", date="2014-08")
    assert response.status_code == 200
    assert len(ours) == len(theirs) == 374
    assert_same_crimes(ours, theirs)
    btp = [c for c in ours if c["location_type"] == "BTP"]
    assert len(btp) == 19 and all(c["location_subtype"] == "" for c in btp)


def test_ids_are_stable_across_requests_and_index_locations(client, use_samples):
    _, first = get(client, "crimes-street/all-crime", lat="51.5017", lng="0.0055", date="2014-08")
    _, again = get(client, "crimes-street/all-crime", poly="51.49,-0.02:51.52,-0.02:51.52,0.03:51.49,0.03",
                   date="2014-08")
    ids = {c["id"]: c["location"]["street"]["id"] for c in first}
    assert len(ids) == 374  # one id per crime
    for crime in again:
        if crime["id"] in ids:
            assert ids[crime["id"]] == crime["location"]["street"]["id"]
    # crimes-at-location answers every crime at that snap point
    street = max(first, key=lambda c: sum(x["location"]["street"]["id"] == c["location"]["street"]["id"]
                                          for x in first))["location"]["street"]
    theirs = [c for c in load_json(MET_POINT) if c["location"]["street"]["name"] == street["name"]]
    response, at = get(client, "crimes-at-location", location_id=str(street["id"]), date="2014-08")
    assert response.status_code == 200
    same_point = [c for c in theirs if (c["location"]["latitude"], c["location"]["longitude"]) ==
                  (at[0]["location"]["latitude"], at[0]["location"]["longitude"])]
    assert_same_crimes(at, same_point)


def test_crime_with_later_outcome_equals_example(client, use_samples):
    theirs = load_json(SINGLE / "crime.json")
    loc = theirs["location"]
    response, ours = get(client, "crimes-street/violent-crime", lat=loc["latitude"], lng=loc["longitude"],
                         date="2020-02")
    assert response.status_code == 200
    assert_same_crimes(ours, [theirs])
    assert ours[0]["outcome_status"] == {"category": "Status update unavailable", "date": "2020-06"}


def test_outcomes_for_crime_equals_example(client, use_samples):
    theirs = load_json(SINGLE / "case-history.json")
    response, ours = get(client, f"outcomes-for-crime/{theirs['crime']['persistent_id']}")
    assert response.status_code == 200
    assert ours["outcomes"] == theirs["outcomes"]
    assert comparable(ours["crime"]) == comparable(theirs["crime"])
    assert ours["crime"]["location_type"] is None and ours["crime"]["location"] is None


def test_crimes_no_location_lists_the_unplaced_crime(client, use_samples):
    theirs = load_json(SINGLE / "case-history.json")["crime"]
    response, ours = get(client, "crimes-no-location", category="bicycle-theft", force="leicestershire",
                         date="2020-03")
    assert response.status_code == 200
    assert [c["persistent_id"] for c in ours] == [theirs["persistent_id"]]
    assert ours[0]["location"] is None and ours[0]["outcome_status"] == {"category": "Investigation complete; "
                                                                          "no suspect identified", "date": "2020-03"}


def test_stop_and_search_equals_example(client, use_samples):
    theirs = load_json(SINGLE / "stop-and-search.json")
    response, ours = get(client, "stops-force", force="leicestershire", date="2018-06")
    assert response.status_code == 200 and len(ours) == 1
    ours = ours[0]
    assert isinstance(ours["location"]["street"].pop("id"), int)
    theirs["location"]["street"].pop("id")
    # the stop-and-search CSV names no street: documented, never invented
    assert ours["location"]["street"].pop("name") == ""
    theirs["location"]["street"].pop("name")
    assert ours == theirs
    _, near = get(client, "stops-street", lat=theirs["location"]["latitude"], lng=theirs["location"]["longitude"],
                  date="2018-06")
    assert len(near) == 1


def test_force_reference_equals_example(client, use_samples):
    theirs = load_json(SINGLE / "police-force-reference.json")
    response, ours = get(client, "forces")
    assert response.status_code == 200
    assert theirs in ours
    response, one = get(client, f"forces/{theirs['id']}")
    assert one == {"description": None, "url": None, "engagement_methods": [], "telephone": None, **theirs}
    assert get(client, f"forces/{theirs['id']}/people")[1] == []


def test_neighbourhood_endpoints_equal_examples(client, use_samples):
    ref = load_json(SINGLE / "neighbourhood-reference.json")
    assert get(client, "leicestershire/neighbourhoods")[1] == [ref]
    assert get(client, f"leicestershire/{ref['id']}")[1] == load_json(SINGLE / "neighbourhood.json")
    assert get(client, f"leicestershire/{ref['id']}/people")[1] == [
        load_json(SINGLE / "police-officer.json"), load_json(SINGLE / "police-officer-nulls.json")]
    assert get(client, f"leicestershire/{ref['id']}/priorities")[1] == [
        load_json(SINGLE / "neighbourhood-priority.json"), load_json(SINGLE / "neighbourhood-priority-no-action.json")]
    assert get(client, f"leicestershire/{ref['id']}/events")[1] == []
    assert get(client, f"leicestershire/{ref['id']}/boundary")[1] == [
        {"latitude": "52.64", "longitude": "-1.14"}, {"latitude": "52.64", "longitude": "-1.13"},
        {"latitude": "52.63", "longitude": "-1.13"}, {"latitude": "52.63", "longitude": "-1.14"}]
    assert get(client, "locate-neighbourhood", q="52.635,-1.135")[1] == load_json(
        SINGLE / "neighbourhood-policing-team.json") | {"force": "leicestershire", "neighbourhood": ref["id"]}


def test_crimes_street_dates_lists_exactly_the_lakes_months(client, use_samples):
    response, ours = get(client, "crimes-street-dates")
    assert response.status_code == 200
    assert ours == [{"date": "2026-02", "stop-and-search": []}, {"date": "2020-03", "stop-and-search": []},
                    {"date": "2020-02", "stop-and-search": []}, {"date": "2014-08", "stop-and-search": []}]
    assert get(client, "crime-last-updated")[1] == {"date": "2026-02-01"}


@pytest.mark.parametrize("path, params, status", [
    ("crimes-street/all-crime", {"date": "2026-02"}, 400),  # neither lat/lng nor poly
    ("crimes-street/all-crime", {"lat": "x", "lng": "1", "date": "2026-02"}, 400),
    ("crimes-street/all-crime", {"poly": "53.4,-1.4:53.5", "date": "2026-02"}, 400),
    ("crimes-street/no-such-crime", {"lat": "53.4", "lng": "-1.4"}, 404),
    ("crimes-street/all-crime", {"lat": "53.4", "lng": "-1.4", "date": "2026-13"}, 404),
    ("crimes-street/all-crime", {"lat": "53.4", "lng": "-1.4", "date": "Feb 2026"}, 404),
    ("crimes-no-location", {"date": "2026-02"}, 400),  # no force
    ("crimes-no-location", {"force": "atlantis", "date": "2026-02"}, 404),
    ("forces/atlantis", {}, 404),
    ("atlantis/neighbourhoods", {}, 404),
    ("leicestershire/XX99", {}, 404),
    ("leicestershire/XX99/people", {}, 404),
    ("outcomes-for-crime/" + "0" * 64, {}, 404),
    ("locate-neighbourhood", {"q": "0,0"}, 404),
    ("locate-neighbourhood", {"q": "52.6"}, 400),
    ("stops-force", {}, 400),
    ("stops-force", {"force": "leicestershire", "date": "2018-06", "limit": "ten"}, 400),
    ("crimes-at-location", {"location_id": "here", "date": "2014-08"}, 404),
    ("crimes-at-location", {"date": "2014-08"}, 400),
    ("stops-at-location", {"date": "2018-06"}, 400),
])
def test_errors_have_police_uk_status_codes(client, use_samples, path, params, status):
    assert client.get(BASE + path, params).status_code == status


def test_crimes_street_dates_function_reproduces_the_real_response():
    """Given the months and stop-and-search forces of police.uk's own 2019-01..2021-12 answer,
    the function writes exactly that answer (byte for byte, once compacted)."""
    import duckdb

    from openbeat.analytics.policeuk_answers import crimes_street_dates

    path = API / "crimes-street-dates_2019-01_to_2021-12.json"
    raw = path.read_text()
    theirs = json.loads(raw)
    con = duckdb.connect()
    con.execute("CREATE TABLE manifest (dataset VARCHAR, force VARCHAR, month DATE)")
    for entry in theirs:
        month = entry["date"] + "-01"
        con.execute("INSERT INTO manifest VALUES ('crimes', 'metropolitan', ?)", [month])
        for force in entry["stop-and-search"]:
            con.execute("INSERT INTO manifest VALUES ('stop_searches', ?, ?)", [force, month])
    ours = crimes_street_dates(con)
    assert ours == theirs
    assert json.dumps(ours, separators=(",", ":")) == raw.strip()
