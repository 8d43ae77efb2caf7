"""/api/areas/{code}/crimes/points over the Northbridge demo, against DuckDB reading the lake's files.

The expected counts are computed straight from the lake's Parquet (crimes, and the LSOA to
ward lookup for a ward), with no store, view or analytics code in between.
"""

from __future__ import annotations

import duckdb
import pytest

WARD = "X05000022"  # Larkrise
BOROUGH = "X09000001"


def _direct(lake, month: str, ward: str | None = None) -> dict:
    """{(lat, lon): {crime type: n}} of located crimes in month, in a ward or the whole force."""
    crimes = f"read_parquet('{lake.root}/crimes/**/*.parquet', hive_partitioning=true)"
    lookup = f"read_parquet('{lake.root}/lsoa_wards/**/*.parquet')"
    where = f"AND lsoa_code IN (SELECT lsoa21_code FROM {lookup} WHERE ward_code = '{ward}')" if ward else ""
    rows = duckdb.sql(f"SELECT latitude, longitude, crime_type, count(*) FROM {crimes} WHERE month = '{month}' "
                      f"AND latitude IS NOT NULL AND longitude IS NOT NULL {where} GROUP BY ALL").fetchall()
    out: dict = {}
    for lat, lon, crime_type, n in rows:
        out.setdefault((lat, lon), {})[crime_type] = n
    return out


def _answered(body: dict) -> dict:
    return {(p["latitude"], p["longitude"]): p["counts"] for p in body["points"]}


def test_points_of_a_ward_and_the_force_are_the_lake_counted_directly(client, demo_lake):
    body = client.get(f"/api/areas/{WARD}/crimes/points?month=2025-06").json()
    expected = _direct(demo_lake, "2025-06", WARD)
    assert len(expected) > 20
    assert _answered(body) == expected
    assert body["month"] == "2025-06" and body["code"] == WARD
    assert body["points_total"] == len(expected) and body["truncated"] is False
    assert body["crimes"] + body["anti_social_behaviour"] == sum(sum(c.values()) for c in expected.values())
    assert all(p["crimes"] + p["anti_social_behaviour"] == sum(p["counts"].values()) for p in body["points"])
    busiest = [p["crimes"] + p["anti_social_behaviour"] for p in body["points"]]
    assert busiest == sorted(busiest, reverse=True)
    assert all(p["location"].startswith("On or near") for p in body["points"])
    totals: dict = {}
    for counts in expected.values():
        for k, n in counts.items():
            totals[k] = totals.get(k, 0) + n
    assert body["categories"] == dict(sorted(totals.items()))
    # no month: the lake's latest; the force: every crime it located
    force = client.get("/api/areas/northbridge/crimes/points").json()
    assert force["month"] == "2025-12"
    assert _answered(force) == _direct(demo_lake, "2025-12")


def test_points_are_bounded_and_bad_input_is_a_4xx(client, demo_lake):
    from openbeat.analytics.points import crime_points
    from openbeat.web.lake_access import get_store

    cut = crime_points(get_store(), BOROUGH, "2025-06", limit=10)
    assert len(cut.points) == 10 and cut.truncated and cut.points_total > 10
    assert cut.crimes == sum(cut.categories.values()) > sum(p["crimes"] for p in cut.points)
    assert client.get(f"/api/areas/{WARD}/crimes/points?month=2025-13").status_code == 422
    assert client.get("/api/areas/X99999999/crimes/points").status_code == 404
    assert client.get("/api/areas/X02000001/crimes/points").status_code == 404  # an MSOA
    assert client.get(f"/api/areas/{WARD}/crimes/points?month=2019-01").status_code == 400  # not published


@pytest.mark.parametrize("path", ["/api/openapi.json"])
def test_points_are_in_the_openapi_document(client, demo_lake, path):
    doc = client.get(path).json()
    op = doc["paths"]["/api/areas/{code}/crimes/points"]["get"]
    assert [p["name"] for p in op["parameters"]] == ["code", "format", "month"]


def test_points_as_csv_one_row_per_point_and_crime_type(client, demo_lake):
    import csv
    import io

    body = client.get(f"/api/areas/{WARD}/crimes/points?month=2025-06").json()
    r = client.get(f"/api/areas/{WARD}/crimes/points?month=2025-06&format=csv")
    assert r["Content-Disposition"] == f'attachment; filename="crime-points-{WARD}-2025-06.csv"'
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == sum(len(p["counts"]) for p in body["points"])
    assert sum(int(x["crimes"]) for x in rows) == body["crimes"] + body["anti_social_behaviour"]


def test_crimes_leave_out_anti_social_behaviour_as_everywhere(client, demo_lake):
    """"crimes" is the same count here as on /crimes/monthly and /map?level=self; anti-social
    behaviour is counted apart (it used to be inside "crimes" here only)."""
    ward = "X05000030"
    body = client.get(f"/api/areas/{ward}/crimes/points?month=2025-12").json()
    asb = body["categories"]["Anti-social behaviour"]
    assert asb > 0
    assert body["anti_social_behaviour"] == asb
    assert body["crimes"] == sum(body["categories"].values()) - asb
    monthly = client.get(f"/api/areas/{ward}/crimes/monthly?from=2025-12&to=2025-12").json()["results"]
    mapped = client.get(f"/api/areas/{ward}/map?level=self&from=2025-12&to=2025-12").json()["features"]
    assert [(r["crimes"], r["anti_social_behaviour"]) for r in monthly] == [(body["crimes"], asb)]
    assert [f["properties"]["crimes"] for f in mapped] == [body["crimes"]]
    for p in body["points"]:
        assert p["anti_social_behaviour"] == p["counts"].get("Anti-social behaviour", 0)
        assert p["crimes"] + p["anti_social_behaviour"] == sum(p["counts"].values())
    assert sum(p["crimes"] for p in body["points"]) == body["crimes"]


def test_months_not_published_are_refused_not_answered_as_zero(client, demo_lake):
    """The points and the map refuse a month the area's forces did not publish, in the words
    and shape of /crimes/monthly (they used to answer 0 crimes)."""
    ward = "X05000030"
    refused = client.get(f"/api/areas/{ward}/crimes/monthly?from=2019-01&to=2019-12")
    assert refused.status_code == 400
    assert client.get(f"/api/areas/{ward}/map?from=2019-01&to=2019-12").json() == refused.json()
    for month in ("2019-01", "2030-01"):
        r = client.get(f"/api/areas/{ward}/crimes/points?month={month}")
        assert (r.status_code, r.json()) == (400, client.get(
            f"/api/areas/{ward}/crimes/monthly?from={month}&to={month}").json()), month
