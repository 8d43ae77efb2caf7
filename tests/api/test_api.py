"""The open API over the Testborough lake: whole answers, paging, CSV, errors, caching."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.web.conftest import BOROUGH, NORTH, NORTH_MONTHS, SOUTH, SOUTH_MONTHS, build_lake


def links(code: str, level: str) -> dict:
    api = f"/api/areas/{code}"
    figures = {"force": ("profile", "stop_search", "trust"), "borough": ("profile", "hotspots", "stop_search", "trust"),
               "ward": ("profile", "hotspots", "stop_search", "trust"), "lsoa21": ("profile",)}.get(level, ())
    out = {"self": api, "page": f"/areas/{code}/", "map": f"{api}/map"}
    for name in ("profile", "trends", "crimes_by_month", "hotspots", "stop_search", "trust", "scorecard", "team"):
        out[name] = None
    if "profile" in figures:
        out.update(profile=f"{api}/profile", trends=f"{api}/trends", crimes_by_month=f"{api}/crimes/monthly")
    if "hotspots" in figures:
        out["hotspots"] = f"{api}/hotspots"
    if "stop_search" in figures:
        out.update(stop_search=f"{api}/stop-search", trust=f"{api}/trust")
    if level in ("force", "borough"):
        out["scorecard"] = f"{api}/scorecard"
    if level == "ward":
        out["team"] = f"{api}/team"
    return out


def test_area_detail_whole_answer(client, use_lake):
    r = client.get(f"/api/areas/{NORTH}")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    centroid = body.pop("centroid")
    assert body == {"code": NORTH, "name": "North Ward", "level": "ward", "level_name": "Ward",
                    "approximate": False, "parents": {"borough": BOROUGH}, "links": links(NORTH, "ward")}
    # the middle of the 2 km × 1 km ward at easting 531000, northing 180500 (pyproj, independently)
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(531_000, 180_500)
    assert centroid == pytest.approx({"latitude": lat, "longitude": lon}, abs=1e-6)


def test_area_list_pages_with_next_and_previous_links(client, use_lake):
    first = client.get("/api/areas?limit=3").json()
    # the force first (its police.uk slug is its code), then largest first
    assert [a["code"] for a in first["results"]] == ["testforce", BOROUGH, NORTH]
    assert (first["count"], first["limit"], first["offset"]) == (8, 3, 0)
    assert first["next"] == "/api/areas?limit=3&offset=3" and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [a["code"] for a in second["results"]] == [SOUTH, "X01000001", "X01000002"]
    assert second["next"] == "/api/areas?limit=3&offset=6" and second["previous"] == "/api/areas?limit=3&offset=0"
    last = client.get(second["next"]).json()
    assert [a["code"] for a in last["results"]] == ["X01000003", "X01000004"] and last["next"] is None
    force = first["results"][0]
    assert (force["name"], force["level"], force["level_name"]) == ("Test Police", "force", "Police force")
    assert force["links"] == links("testforce", "force")


def test_area_list_filters(client, use_lake):
    wards = client.get("/api/areas?level=ward").json()
    assert [a["name"] for a in wards["results"]] == ["North Ward", "South Ward"]
    inside = client.get(f"/api/areas?parent={SOUTH}").json()
    assert [a["code"] for a in inside["results"]] == ["X01000003", "X01000004"]
    named = client.get("/api/areas?q=north").json()
    assert [a["code"] for a in named["results"]] == [NORTH]
    assert client.get("/api/areas?q=100%25").json()["count"] == 0  # % is a character, not a wildcard
    in_force = client.get("/api/areas?parent=testforce&level=ward").json()
    assert [a["code"] for a in in_force["results"]] == [NORTH, SOUTH]
    assert [a["code"] for a in client.get("/api/areas?level=force").json()["results"]] == ["testforce"]


def test_crimes_by_month_counts_every_crime_once(client, use_lake):
    for code, expected in ((NORTH, NORTH_MONTHS), (SOUTH, SOUTH_MONTHS)):
        body = client.get(f"/api/areas/{code}/crimes/monthly").json()
        # three months, none with a year before it in the lake: nothing to test against
        assert body["results"] == [
            {"month": m, "crimes": c, "anti_social_behaviour": a, "count_year_before": None,
             "yoy_direction": "not comparable", "yoy_p_value": None, "rolling_12": None, "rolling_12_before": None,
             "rolling_direction": "not comparable", "rolling_p_value": None} for m, c, a in expected]
    borough = client.get(f"/api/areas/{BOROUGH}/crimes/monthly").json()["results"]
    assert [(r["month"], r["crimes"], r["anti_social_behaviour"]) for r in borough] == [
        ("2024-01", 4, 2), ("2024-02", 5, 0), ("2024-03", 2, 0)]
    force = client.get("/api/areas/testforce/crimes/monthly").json()["results"]
    assert [(r["crimes"], r["anti_social_behaviour"]) for r in force] == [(4, 2), (5, 0), (2, 0)]


def test_crimes_by_month_period(client, use_lake):
    body = client.get(f"/api/areas/{SOUTH}/crimes/monthly?from=2024-02&to=2024-03").json()
    assert [(r["month"], r["crimes"]) for r in body["results"]] == [("2024-02", 4), ("2024-03", 2)]
    # months before the force published anything are blank, never zero
    body = client.get(f"/api/areas/{SOUTH}/crimes/monthly?from=2023-12&to=2024-01").json()
    assert [(r["month"], r["crimes"], r["anti_social_behaviour"]) for r in body["results"]] == [
        ("2023-12", None, None), ("2024-01", 1, 0)]


def test_map_is_geojson_with_clockwise_rings_and_counts(client, use_lake):
    import shapely

    body = client.get(f"/api/areas/{NORTH}/map").json()
    # the latest 12 months, as every figure by default (the lake starts in 2024-01)
    assert body["type"] == "FeatureCollection" and body["period"] == ["2023-04", "2024-03"]
    assert [(f["id"], f["properties"]["crimes"]) for f in body["features"]] == [("X01000001", 4), ("X01000002", 0)]
    for f in body["features"]:
        ring = shapely.from_geojson(json.dumps(f["geometry"])).exterior
        assert not ring.is_ccw  # d3-geo's winding
    wards = client.get(f"/api/areas/{BOROUGH}/map").json()
    assert [(f["id"], f["properties"]["crimes"]) for f in wards["features"]] == [(NORTH, 4), (SOUTH, 7)]
    lsoas = client.get(f"/api/areas/{BOROUGH}/map?level=lsoa21").json()
    assert [(f["id"], f["properties"]["crimes"]) for f in lsoas["features"]] == [
        ("X01000001", 4), ("X01000002", 0), ("X01000003", 3), ("X01000004", 4)]
    itself = client.get(f"/api/areas/{NORTH}/map?level=self").json()
    assert [(f["id"], f["properties"]["crimes"]) for f in itself["features"]] == [(NORTH, 4)]
    force = client.get("/api/areas/testforce/map?level=ward").json()
    assert [f["id"] for f in force["features"]] == [NORTH, SOUTH]
    r = client.get(f"/api/areas/{NORTH}/map?level=borough")
    assert r.status_code == 400 and error(r)["code"] == "bad_level"


def test_locate_postcode_and_point(client, use_lake):
    body = client.get("/api/locate", {"q": "te1 1st"}).json()
    assert body["source"] == "postcode_directory" and body["postcode"] == "TE1 1ST" and body["status"] == "ok"
    assert [(a["level"], a["code"]) for a in body["areas"]] == [("borough", BOROUGH), ("ward", NORTH),
                                                                 ("lsoa21", "X01000001")]
    point = client.get("/api/locate", {"q": "531500,181500"}).json()  # easting, northing
    assert [a["code"] for a in point["areas"]] == [BOROUGH, SOUTH, "X01000004"]


def test_team_of_a_ward(client, use_lake):
    body = client.get(f"/api/areas/{NORTH}/team").json()
    assert body == {
        "force": "testforce", "neighbourhood_id": "N1", "name": "North Team",
        "description": "The north of Testborough.", "email": "north@police.example", "telephone": "101",
        "url": "https://police.example/n1",
        "people": [{"name": "Sam Sergeant", "rank": "Sergeant", "bio": ""},
                   {"name": "Pat Constable", "rank": "PCSO", "bio": ""}],
        "priorities": [
            {"issue": "Speeding <script>alert(1)</script>", "issued": "2024-03-01", "action": None, "actioned": None},
            {"issue": "Burglary on Test Street", "issued": "2024-02-01", "action": "Patrols every evening",
             "actioned": "2024-03-05"}],
        "events": [{"title": "Ward panel", "type": "meeting", "description": None, "address": "Test Hall",
                    "starts_at": "2099-06-01T18:30:00+01:00", "ends_at": "2099-06-01T20:00:00+01:00"}],
        "past_events": [{"title": "Old meeting", "type": "meeting", "description": None, "address": None,
                         "starts_at": "2020-01-01T18:00:00Z", "ends_at": None}],
        "stations": [{"name": "Test Police Office", "type": "station", "address": "1 Test Street, Testborough",
                      "postcode": "TE1 1ST", "opening": "Monday to Friday, 9am to 5pm"}],
        "social": [{"label": "X (Twitter)", "title": None, "href": "https://x.example/north"}],  # never javascript:
        "links": [{"label": None, "title": "Testborough Council", "href": "https://council.example/"}],
    }  # officers' own contact details are on the page (as police.uk shows them), not in the API
    r = client.get(f"/api/areas/{SOUTH}/team")
    assert r.status_code == 404 and r.json()["message"] == f"No neighbourhood team is linked to South Ward ({SOUTH})."


# ---- errors -----------------------------------------------------------------------------


def error(r) -> dict:
    assert r["Content-Type"] == "application/json"
    return r.json()


def test_unknown_area_is_404(client, use_lake):
    r = client.get("/api/areas/E05999999")
    assert r.status_code == 404
    assert error(r) == {"status": 404, "code": "not_found", "message": "No area has the code 'E05999999'.",
                        "hint": "Find codes at /api/areas?q=NAME", "errors": []}
    assert client.get("/api/areas/E05999999/crimes/monthly").status_code == 404


def test_bad_month_is_422_naming_the_parameter(client, use_lake):
    r = client.get(f"/api/areas/{NORTH}/crimes/monthly?from=2024-13")
    assert r.status_code == 422
    body = error(r)
    assert body["code"] == "invalid_parameter"
    assert body["errors"] == [{"parameter": "from", "location": "query",
                               "message": "must be a month written YYYY-MM, for example 2024-03"}]


def test_inverted_period_is_400(client, use_lake):
    r = client.get(f"/api/areas/{NORTH}/crimes/monthly?from=2024-03&to=2024-01")
    assert r.status_code == 400
    body = error(r)
    assert body["code"] == "bad_period"
    assert body["message"] == "The period starts (2024-03) after it ends (2024-01)."


def test_bad_paging_and_queries_are_4xx(client, use_lake):
    assert client.get("/api/areas?limit=0").status_code == 422
    assert client.get("/api/areas?limit=abc").status_code == 422
    assert client.get("/api/areas?offset=-1").status_code == 422
    assert client.get("/api/areas?level=county").status_code == 422
    assert client.get("/api/areas?format=xml").status_code == 422
    assert client.get("/api/locate").status_code == 422
    r = client.get("/api/locate?q=nowhere")
    assert r.status_code == 400 and error(r)["code"] == "bad_query"
    r = client.get("/api/locate?q=ZZ9 9ZZ")
    assert r.status_code == 404 and "ZZ9 9ZZ" in error(r)["message"]


def test_unknown_api_path_is_json_404(client, use_lake):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert error(r)["message"] == "Nothing is at /api/nothing-here."


def test_empty_lake_gives_empty_list(client, empty_lake):
    assert client.get("/api/areas").json() == {"count": 0, "limit": 100, "offset": 0, "next": None,
                                               "previous": None, "results": []}
    assert client.get(f"/api/areas/{NORTH}").status_code == 404


# ---- CSV ----------------------------------------------------------------------------------


def test_csv_by_parameter_and_by_suffix_are_the_same(client, use_lake):
    a = client.get(f"/api/areas/{NORTH}/crimes/monthly?format=csv")
    b = client.get(f"/api/areas/{NORTH}/crimes/monthly.csv")
    assert a.status_code == b.status_code == 200
    assert a["Content-Type"] == "text/csv; charset=utf-8"
    assert a["Content-Disposition"] == f'attachment; filename="crimes-by-month-{NORTH}.csv"'
    assert a.content == b.content == (
        b"month,crimes,anti_social_behaviour,count_year_before,yoy_direction,yoy_p_value,rolling_12,"
        b"rolling_12_before,rolling_direction,rolling_p_value\r\n"
        b"2024-01,3,2,,not comparable,,,,not comparable,\r\n"
        b"2024-02,1,0,,not comparable,,,,not comparable,\r\n"
        b"2024-03,0,0,,not comparable,,,,not comparable,\r\n")


def test_csv_of_areas_is_flat_and_paged(client, use_lake):
    r = client.get("/api/areas.csv?level=lsoa21&limit=2")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert [(x["code"], x["ward_code"], x["borough_code"]) for x in rows] == [
        ("X01000001", NORTH, BOROUGH), ("X01000002", NORTH, BOROUGH)]
    assert list(rows[0]) == ["code", "name", "level", "approximate", "borough_code", "ward_code", "msoa_code",
                             "latitude", "longitude"]
    assert r["Link"] == '</api/areas.csv?level=lsoa21&limit=2&offset=2>; rel="next"'
    assert r["X-Total-Count"] == "4"


def test_csv_cells_cannot_become_formulas():
    from openbeat.api.tables import to_csv

    assert to_csv([{"a": "=HYPERLINK(1)", "b": -1.5, "c": None, "d": {"x": 1}}], ["a", "b", "c", "d"]) == (
        'a,b,c,d\r\n\'=HYPERLINK(1),-1.5,,"{""x"":1}"\r\n')


# ---- caching ------------------------------------------------------------------------------


def test_etag_and_last_modified_then_304(client, use_lake):
    r = client.get(f"/api/areas/{NORTH}")
    etag, last_modified = r["ETag"], r["Last-Modified"]
    assert etag.startswith('"') and len(etag) == 34
    assert r["Cache-Control"] == "public, max-age=60"
    again = client.get(f"/api/areas/{NORTH}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    since = client.get(f"/api/areas/{NORTH}", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert since.status_code == 304
    # a parameter the operation reads makes a different representation; one it does not read, the same
    assert client.get("/api/areas?level=ward&format=csv")["ETag"] != client.get("/api/areas?level=ward")["ETag"]
    assert client.get(f"/api/areas/{NORTH}?format=csv")["ETag"] == etag
    assert client.get(f"/api/areas/{NORTH}", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_etag_changes_when_the_lake_changes(client, settings, tmp_path):
    from tests.web.conftest import point_at

    lake = build_lake(tmp_path)
    point_at(settings, lake.root)
    try:
        r = client.get("/api/areas?level=ward")
        etag = r["ETag"]
        assert r.json()["count"] == 2
        # a new areas file replaces the old one atomically, as a real load does
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        t = pq.read_table(lake.table_path("areas"))
        lake.write_reference("areas", t.filter(pc.not_equal(t["code"], NORTH)))
        r2 = client.get("/api/areas?level=ward", HTTP_IF_NONE_MATCH=etag)
        assert r2.status_code == 200 and r2["ETag"] != etag
        assert [a["code"] for a in r2.json()["results"]] == [SOUTH]
        # pages too: kept until the lake changes, never after
        assert "North Ward" not in client.get(f"/areas/{BOROUGH}/").content.decode()
    finally:
        point_at(settings, lake.root)


def test_api_answers_are_gzipped_when_asked_and_still_revalidate(client, use_lake):
    import gzip

    plain = client.get(f"/api/areas/{BOROUGH}/map")
    packed = client.get(f"/api/areas/{BOROUGH}/map", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == "W/" + plain["ETag"]  # weak once re-encoded; still matches
    assert client.get(f"/api/areas/{BOROUGH}/map", HTTP_ACCEPT_ENCODING="gzip",
                      HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304
    page = client.get(f"/areas/{BOROUGH}/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in page


def test_api_answers_may_be_read_from_any_origin(client, use_lake):
    r = client.get("/api/areas")
    assert r["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in r["Access-Control-Expose-Headers"]


def test_openapi_document_lists_the_endpoints(client, use_lake):
    doc = client.get("/api/openapi.json").json()
    assert set(doc["paths"]) == {
        "/api/areas", "/api/areas/{code}", "/api/areas/{code}/crimes/monthly", "/api/areas/{code}/crimes/points",
        "/api/areas/{code}/map",
        "/api/areas/{code}/team", "/api/locate", "/api/areas/{code}/profile", "/api/areas/{code}/trends",
        "/api/areas/{code}/hotspots", "/api/areas/{code}/stop-search", "/api/areas/{code}/trust",
        "/api/areas/{code}/scorecard", "/api/areas/{code}/vawg", "/api/compare", "/api/targeting",
        "/api/allocation", "/api/did-it-work",
        "/api/priorities", "/api/priorities/{pk}", "/api/priorities/{pk}/actions", "/api/priorities/{pk}/comments"}
    for path, ops in doc["paths"].items():  # every operation documents its errors and its CSV
        assert {"400", "404", "422"} <= set(ops["get"]["responses"]), path
        if path not in ("/api/areas/{code}", "/api/areas/{code}/team", "/api/locate", "/api/priorities/{pk}"):
            assert "text/csv" in ops["get"]["responses"]["200"]["content"], path
    assert doc["info"]["license"]["name"] == "Open Government Licence v3.0"
    ok = doc["paths"]["/api/areas"]["get"]["responses"]["200"]["content"]
    assert set(ok) == {"application/json", "text/csv"}


def test_a_hotspot_cell_size_is_read_from_the_query_string(client, use_lake):
    fine = client.get("/api/areas/X05000001/hotspots?cell_size=100")
    assert fine.status_code == 200, fine.content
    assert fine.json() != client.get("/api/areas/X05000001/hotspots").json()  # 100 m cells, not the default 250 m


@pytest.mark.parametrize("month", ["0000-01", "9998-12", "1899-12", "2200-01"])
def test_months_the_calendar_cannot_hold_are_invalid_parameters(client, use_lake, month):
    r = client.get(f"/api/areas/X05000001/profile?to={month}")
    assert r.status_code == 422
    assert r.json()["errors"][0]["parameter"] == "to"
