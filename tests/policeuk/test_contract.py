"""The API's contract beyond its data: OpenAPI, the rate limit, caching headers."""

from __future__ import annotations

import json

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

BASE = "/police-uk/api/"

#: Every method of the police.uk API documentation that the lake can answer.
PATHS = {
    "/forces": {"get"}, "/forces/{force_id}": {"get"}, "/forces/{force_id}/people": {"get"},
    "/crime-categories": {"get"}, "/crime-last-updated": {"get"}, "/crimes-street-dates": {"get"},
    "/crimes-street/{category}": {"get", "post"}, "/crimes-at-location": {"get"}, "/crimes-no-location": {"get"},
    "/outcomes-at-location": {"get", "post"}, "/outcomes-for-crime/{persistent_id}": {"get"},
    "/{force}/neighbourhoods": {"get"}, "/{force}/{neighbourhood}": {"get"},
    "/{force}/{neighbourhood}/boundary": {"get"}, "/{force}/{neighbourhood}/people": {"get"},
    "/{force}/{neighbourhood}/events": {"get"}, "/{force}/{neighbourhood}/priorities": {"get"},
    "/locate-neighbourhood": {"get"},
    "/stops-street": {"get", "post"}, "/stops-at-location": {"get"}, "/stops-no-location": {"get"},
    "/stops-force": {"get"},
}


def test_openapi_lists_every_method_under_its_own_tag(client):
    response = client.get(BASE + "openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = {p.removeprefix("/police-uk/api"): set(ops) for p, ops in schema["paths"].items()}
    assert paths == PATHS
    tags = {t for ops in schema["paths"].values() for op in ops.values() for t in op["tags"]}
    assert tags == {"police.uk-compatible"}
    street = schema["paths"]["/police-uk/api/crimes-street/{category}"]["get"]
    assert {p["name"] for p in street["parameters"]} == {"category", "lat", "lng", "poly", "date", "limit", "offset"}


def test_the_rate_limit_answers_429_beyond_the_burst(client, settings, use_samples):
    # one token every 1,000 s: however slow the machine, none comes back during the test
    settings.OPENBEAT_POLICEUK_RATE = 0.001
    settings.OPENBEAT_POLICEUK_BURST = 3
    caches["default"].clear()
    statuses = [client.get(BASE + "forces").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = client.get(BASE + "forces")
    assert 0 < int(response["Retry-After"]) <= 1000
    # another client is not held back
    assert client.get(BASE + "forces", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_bucket_refills_at_the_rate():
    from openbeat.policeuk.ratelimit import take

    caches["default"].clear()
    key = "policeuk-rate:test"
    assert [take(key, rate=15, burst=30, now=100.0) for _ in range(30)] == [0.0] * 30
    assert take(key, rate=15, burst=30, now=100.0) == pytest.approx(1 / 15)
    assert take(key, rate=15, burst=30, now=100.07) == 0.0  # one token came back after 1/15 s


def test_answers_are_compact_json_open_to_any_origin(client, use_samples):
    response = client.get(BASE + "forces")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert b": " not in response.content and b", " not in response.content
    assert response["ETag"]  # kept until the lake changes, like the rest of the API
    again = client.get(BASE + "forces", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_every_method_is_documented():
    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "police-uk-api.md").read_text()
    for path in PATHS:
        name = path.lstrip("/").replace("{force_id}", "{id}")
        assert f"| `{name}` |" in doc, f"{name} is not in docs/police-uk-api.md's table"


def test_a_repeat_is_served_from_the_workers_memory_with_the_same_headers(client, use_samples, monkeypatch):
    from openbeat.policeuk import kept

    first = client.get(BASE + "crimes-street-dates")
    assert len(kept._kept) == 1
    # were the view run again, this would fail
    monkeypatch.setattr("openbeat.analytics.policeuk_answers.crimes_street_dates", lambda con: 1 / 0)
    again = client.get(BASE + "crimes-street-dates")
    assert again.content == first.content
    assert (again["ETag"], again["Content-Type"]) == (first["ETag"], first["Content-Type"])


def test_clients_that_accept_gzip_get_it(client, use_samples):
    import gzip

    plain = client.get(BASE + "crimes-street/all-crime", {"lat": "51.5017", "lng": "0.0055", "date": "2014-08"})
    for _ in range(2):  # made, then kept
        zipped = client.get(BASE + "crimes-street/all-crime", {"lat": "51.5017", "lng": "0.0055", "date": "2014-08"},
                            HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
        assert gzip.decompress(zipped.content) == plain.content
        assert len(zipped.content) < len(plain.content) / 5
        assert zipped["ETag"] == "W/" + plain["ETag"]
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]


def test_every_error_is_json_with_an_error(client, use_samples):
    """A wrong HTTP verb (405) and a path that is no method (404) answer {"error": …} as every
    other error does (they used to be Ninja's plain text and the site's HTML page)."""
    answers = {
        ("delete", "forces"): (405, {"error": "DELETE is not allowed here; use GET"}),
        ("put", "crimes-street/all-crime"): (405, {"error": "PUT is not allowed here; use GET or POST"}),
        ("get", "nosuchmethod"): (404, {"error": "there is no method 'nosuchmethod'; the methods are listed at "
                                                 "/police-uk/api/openapi.json"}),
        ("get", "outcomes-for-crime/"): (404, {"error": "there is no method 'outcomes-for-crime/'; the methods are "
                                                        "listed at /police-uk/api/openapi.json"}),
    }
    for (verb, path), (status, body) in answers.items():
        response = getattr(client, verb)(BASE + path)
        assert (response.status_code, response["Content-Type"], response.json()) == (
            status, "application/json", body), path
    assert client.delete(BASE + "forces")["Allow"] == "GET"
    assert client.put(BASE + "crimes-street/all-crime")["Allow"] == "GET, POST"


def test_an_unknown_location_id_is_an_empty_list_as_on_police_uk(client, use_samples):
    """police.uk takes location_id as a filter: an id no place has finds nothing ([]), like a
    place with no crimes that month; an id that is not a number is 404."""
    for method in ("crimes-at-location", "outcomes-at-location", "stops-at-location"):
        response = client.get(BASE + method, {"location_id": "1", "date": "2014-08"})
        assert (response.status_code, response.json()) == (200, []), method
        response = client.get(BASE + method, {"location_id": "abc", "date": "2014-08"})
        assert (response.status_code, response.json()) == (404, {"error": "there is no location 'abc'"}), method
