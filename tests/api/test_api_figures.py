"""The API's figures over the synthetic Northbridge lake: each answer is the analytics result itself.

Every figure endpoint is checked against the analytics function run independently (a
store of its own over the same lake, no web layer): the JSON must be its ``as_dict()``
plus links, a ``table=`` page its rows, the CSV its rows again. Then the errors: unknown
area 404, bad month 422, inverted period 400, unknown crime type 400, never 500.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from openbeat.analytics.result import jsonable

WARD = "X05000001"  # Brackenfield South, Northbridge Central
BOROUGH = "X09000001"  # Northbridge Central
FORCE = "northbridge"


@pytest.fixture(scope="module")
def reference(northbridge):
    """An analytics store of its own: the figures the API must give, computed without the web."""
    from openbeat.analytics.store import Store

    return Store(northbridge)


def _plain(result) -> dict | None:
    """The result's verdict in plain words (docs/wording.md), as the API gives it beside the result."""
    from openbeat.analytics.result import jsonable
    from openbeat.analytics.wording import plain

    verdict = plain(result.method, jsonable(result.summary), area=result.area, period=result.period)
    return verdict.as_dict() if verdict else None


def _same(body: dict, result, url: str) -> None:
    links = body.pop("links")
    assert body.pop("plain") == _plain(result)
    assert body == json.loads(json.dumps(result.as_dict()))
    assert links == {t: f"{url}?table={t}" for t in result.tables}


def test_profile_is_the_analytics_profile(client, demo_lake, reference):
    from openbeat.analytics.profiles import area_profile

    url = f"/api/areas/{WARD}/profile"
    _same(client.get(url).json(), area_profile(reference, WARD), url)
    _same(client.get(f"/api/areas/{FORCE}/profile").json(), area_profile(reference, FORCE),
          f"/api/areas/{FORCE}/profile")
    body = client.get(f"{url}?from=2024-01&to=2024-06").json()
    assert body["period"] == {"from": "2024-01", "to": "2024-06", "months": 6}
    assert body["summary"] == jsonable(area_profile(reference, WARD, "2024-01", "2024-06").summary)


def test_trends_cover_every_month_of_the_lake(client, demo_lake, reference):
    from openbeat.analytics.profiles import area_profile

    body = client.get(f"/api/areas/{BOROUGH}/trends?table=trend").json()
    expected = jsonable(area_profile(reference, BOROUGH, "2023-10", "2025-12").tables["trend"])
    assert body == {"table": "trend", "count": 27, "limit": 1000, "offset": 0, "next": None, "previous": None,
                    "results": expected}
    # the last month against a year earlier carries the E-test's own words
    assert expected[-1]["yoy_direction"] in ("up", "down", "no significant change")


def test_one_table_paged_and_as_csv(client, demo_lake, reference):
    from openbeat.analytics.profiles import area_profile

    rows = jsonable(area_profile(reference, WARD).tables["by_month"])
    url = f"/api/areas/{WARD}/profile"
    page = client.get(f"{url}?table=by_month&limit=50&offset=50").json()
    assert (page["table"], page["count"], page["limit"], page["offset"]) == ("by_month", len(rows), 50, 50)
    assert page["results"] == rows[50:100]
    assert page["next"] == f"{url}?table=by_month&limit=50&offset=100"
    assert page["previous"] == f"{url}?table=by_month&limit=50&offset=0"
    r = client.get(f"{url}?table=by_month&format=csv")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == f'attachment; filename="profile-{WARD}-by_month.csv"'
    got = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert got == [{k: str(v) for k, v in row.items()} for row in rows]
    # no table named: the first one (by_crime_type)
    first = list(csv.DictReader(io.StringIO(client.get(f"{url}.csv").content.decode())))
    assert [row["crime_type"] for row in first] == [
        r["crime_type"] for r in area_profile(reference, WARD).tables["by_crime_type"]]


def test_hotspots_are_geojson_wound_for_d3_with_the_result_beside(client, demo_lake, reference):
    import shapely

    from openbeat.analytics.hotspots import hotspots

    expected = hotspots(reference, WARD)
    body = client.get(f"/api/areas/{WARD}/hotspots").json()
    assert body["type"] == "FeatureCollection" and body["method"] == "hotspots"
    assert body["summary"] == jsonable(expected.summary) and body["notes"] == expected.notes
    assert [f["properties"] for f in body["features"]] == [f["properties"] for f in expected.geojson["features"]]
    for got, want in zip(body["features"], expected.geojson["features"]):
        ring = shapely.from_geojson(json.dumps(got["geometry"]))
        assert not ring.exterior.is_ccw  # d3-geo's winding
        assert ring.normalize().equals_exact(shapely.from_geojson(json.dumps(want["geometry"])).normalize(), 1e-9)
    cells = client.get(f"/api/areas/{WARD}/hotspots?table=cells").json()["results"]
    assert cells == jsonable(expected.tables["cells"])
    burglary = client.get(f"/api/areas/{WARD}/hotspots?crime_type=Burglary&by=lsoa").json()
    assert burglary["summary"] == jsonable(
        hotspots(reference, WARD, crime_type="Burglary", by="lsoa").summary)


def test_stop_search_trust_and_scorecard(client, demo_lake, reference):
    from openbeat.analytics.scorecard import scorecard
    from openbeat.analytics.stopsearch import stop_search
    from openbeat.analytics.trust import trust

    for code in (WARD, BOROUGH, FORCE):
        url = f"/api/areas/{code}/stop-search"
        _same(client.get(url).json(), stop_search(reference, code), url)
        url = f"/api/areas/{code}/trust"
        _same(client.get(url).json(), trust(reference, code), url)
    ward = client.get(f"/api/areas/{WARD}/stop-search").json()["summary"]
    assert ward["black_white_ratio"]["note"] == "declined: no ethnicity denominator for a ward"
    for code in (BOROUGH, FORCE):
        url = f"/api/areas/{code}/scorecard"
        _same(client.get(url).json(), scorecard(reference, code), url)


def test_ward_trust_from_a_survey_file(client, demo_lake, reference, settings, tmp_path):
    from openbeat.analytics.trust import trust

    survey = tmp_path / "survey.csv"
    survey.write_text("ward_code,measure,yes,n\n" + f"{WARD},Trust MPS,30,50\nX05000002,Trust MPS,40,45\n")
    settings.OPENBEAT_WARD_SURVEY = str(survey)
    body = client.get(f"/api/areas/{WARD}/trust").json()
    expected = trust(reference, WARD, responses=str(survey))
    assert body["summary"] == jsonable(expected.summary)
    assert body["summary"]["ward_estimate"]["n"] == 50
    assert body["tables"]["wards"] == jsonable(expected.tables["wards"])


def test_compare_targeting_allocation_did_it_work(client, demo_lake, reference):
    from openbeat.analytics.allocation import allocation_plan
    from openbeat.analytics.comparison import compare_areas
    from openbeat.analytics.did_it_work import did_it_work
    from openbeat.analytics.targeting import targeting

    cases = [
        ("/api/compare?level=ward&within=X09000001&crime_type=Burglary",
         compare_areas(reference, "ward", BOROUGH, crime_type="Burglary")),
        ("/api/compare?level=borough&overdispersion=true", compare_areas(reference, "borough", overdispersion=True)),
        ("/api/targeting?level=borough", targeting(reference, "borough")),
        ("/api/targeting?level=ward&within=X09000002", targeting(reference, "ward", "X09000002")),
        ("/api/allocation?within=X09000002&officers=60&pcsos=30&trust_weight=1",
         allocation_plan(reference, "X09000002", 60, 30, trust_weight=1.0)),
        ("/api/did-it-work?ward=X05000022&start=2025-04&crime_type=Burglary",
         did_it_work(reference, "X05000022", "2025-04", "Burglary")),
    ]
    for url, expected in cases:
        body = client.get(url).json()
        body.pop("links")
        assert body.pop("plain") == _plain(expected), url
        assert body == json.loads(json.dumps(expected.as_dict())), url


def test_did_it_work_answers_at_its_old_path_too_but_only_the_new_is_documented(client, demo_lake, reference):
    from openbeat.analytics.did_it_work import did_it_work

    query = "?ward=X05000022&start=2025-04&crime_type=Burglary&table=areas"
    new, old = client.get("/api/did-it-work" + query), client.get("/api/evaluation" + query)
    assert new.status_code == old.status_code == 200
    expected = jsonable(did_it_work(reference, "X05000022", "2025-04", "Burglary").tables["areas"])
    assert old.json()["results"] == new.json()["results"] == json.loads(json.dumps(expected))
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/did-it-work" in paths and "/api/evaluation" not in paths


@pytest.mark.parametrize("url,status,code", [
    ("/api/areas/E05999999/profile", 404, "not_found"),
    ("/api/areas/E05999999/hotspots", 404, "not_found"),
    ("/api/areas/E05999999/stop-search", 404, "not_found"),
    ("/api/areas/E05999999/trust", 404, "not_found"),
    ("/api/areas/E05999999/scorecard", 404, "not_found"),
    ("/api/compare?within=E05999999", 404, "not_found"),
    ("/api/allocation?within=E05999999&officers=10&pcsos=5", 404, "not_found"),
    ("/api/did-it-work?ward=E05999999&start=2025-01", 404, "not_found"),
    (f"/api/areas/{WARD}/profile?from=2025-13", 422, "invalid_parameter"),
    (f"/api/areas/{WARD}/profile?to=25-01", 422, "invalid_parameter"),
    (f"/api/areas/{WARD}/profile?from=2025-06&to=2025-01", 400, "bad_period"),
    (f"/api/areas/{WARD}/trends?from=2030-01", 400, "bad_period"),
    (f"/api/areas/{WARD}/hotspots?crime_type=Jaywalking", 400, "unknown_crime_type"),
    ("/api/compare?crime_type=Jaywalking", 400, "unknown_crime_type"),
    ("/api/did-it-work?ward=X05000022&start=2025-04&crime_type=Jaywalking", 400, "unknown_crime_type"),
    (f"/api/areas/{WARD}/profile?table=nothing", 400, "unknown_table"),
    (f"/api/areas/{WARD}/scorecard", 404, "not_available"),
    ("/api/areas/X01000001/hotspots", 404, "not_available"),
    ("/api/allocation?within=X09000002&officers=3&pcsos=30", 400, "cannot_compute"),
    ("/api/did-it-work?ward=X05000022&start=2019-01", 400, "cannot_compute"),
    ("/api/allocation?within=X09000002&officers=-1&pcsos=3", 422, "invalid_parameter"),
])
def test_bad_input_is_a_clear_4xx(client, demo_lake, url, status, code):
    r = client.get(url)
    assert r.status_code == status, r.content
    body = r.json()
    assert (body["status"], body["code"]) == (status, code)
    assert not body["message"][:1].islower() and body["message"].endswith(".")


def test_too_few_officers_says_how_many_are_needed(client, demo_lake):
    body = client.get("/api/allocation?within=X09000002&officers=3&pcsos=30").json()
    assert body["message"].startswith("3 officers cannot give each of the ")
    assert "allocate at least" in body["message"]


def test_figures_revalidate_with_etags(client, demo_lake):
    url = f"/api/areas/{WARD}/profile?table=trend"
    r = client.get(url)
    assert r.status_code == 200 and r["Cache-Control"] == "public, max-age=60"
    assert client.get(url, HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304
    assert client.get(f"/api/areas/{WARD}/profile?table=by_month")["ETag"] != r["ETag"]


def test_vawg_is_the_analytics_result_with_csv(client, demo_lake, reference):
    from openbeat.analytics.vawg import CAVEAT, vawg

    for code in (WARD, BOROUGH, FORCE):
        url = f"/api/areas/{code}/vawg"
        _same(client.get(url).json(), vawg(reference, code), url)
    body = client.get(f"/api/areas/{WARD}/vawg").json()
    assert body["notes"][0] == CAVEAT and body["summary"]["change"]["summary"].endswith(CAVEAT)
    assert body["summary"]["rate_basis"] == "per 1,000 female residents per year"
    got = client.get(f"/api/areas/{BOROUGH}/vawg?format=csv&table=by_month")
    assert got.status_code == 200 and got["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.content.decode())))
    expected = vawg(reference, BOROUGH).tables["by_month"]
    assert [(r["month"], int(r["rape"]), int(r["total"])) for r in rows] == [
        (r["month"], r["rape"], r["total"]) for r in expected]
    assert client.get("/api/areas/X01000001/vawg").status_code == 404


def _kept_answers() -> int:
    from django.conf import settings
    from django.core.cache import caches

    return len(caches[settings.OPENBEAT_RESPONSE_CACHE]._cache)


def test_a_period_beyond_the_months_held_is_declined_and_not_kept(client, demo_lake):
    # the demo's forces published to 2025-12: a far-future `to` is 400, not a page of empty months
    before = _kept_answers()
    for url in (f"/api/areas/{BOROUGH}/trends?to=2199-12", f"/api/areas/{WARD}/profile?from=2025-01&to=2026-01"):
        r = client.get(url)
        assert r.status_code == 400, url
        body = r.json()
        assert body["code"] == "cannot_compute"
        assert "up to 2025-12" in body["message"] and "end it by 2025-12" in body["message"]
    assert _kept_answers() == before
    assert client.get(f"/api/areas/{BOROUGH}/trends?to=2025-12&table=trend").json()["count"] == 27


def test_unknown_parameters_do_not_bypass_the_answer_cache(client, demo_lake):
    url = f"/api/areas/{WARD}/profile?table=trend"
    first = client.get(url)
    kept = _kept_answers()
    for extra in ("&x=1", "&_=12345", "&x=1&y=2&from_=2024-01"):
        r = client.get(url + extra)
        assert r.status_code == 200 and r["ETag"] == first["ETag"] and r.content == first.content
    assert _kept_answers() == kept
    # parameters the operation reads still make a different answer
    assert client.get(url + "&from=2025-01")["ETag"] != first["ETag"]
    # pages too: the home page reads no parameters
    home = client.get("/")
    assert client.get("/?utm_source=leaflet")["ETag"] == home["ETag"]
