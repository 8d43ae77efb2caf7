"""Neighbourhood teams from the police.uk API into the lake, over HTTP and from file:// folders.

Responses use the shapes of the real single-object samples in
../shared/data/police_uk_api/single_objects_police-data-kit (neighbourhood, officer,
priority); events and boundaries have no real sample, so they follow the API documentation
(events: title, type, description, address, start_date, end_date, contact_details;
boundary: a list of {"latitude", "longitude"} strings).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import shapely
from click.testing import CliRunner

from openbeat.cli.fetch_commands import fetch as fetch_command
from openbeat.ingest.http import RetryPolicy
from openbeat.ingest.neighbourhoods import boundary_row, fetch_neighbourhoods, html_to_text
from openbeat.ingest.policeuk_client import PoliceApi, TokenBucket
from openbeat.lake import Lake

from .fakeserver import FakeServer, Respond

DATASETS = ("neighbourhoods", "neighbourhood_people", "neighbourhood_events", "neighbourhood_priorities",
            "neighbourhood_boundaries")
IDS = [("NC04", "City Centre"), ("NC05", "Belgrave"), ("NC06", "Westcotes")]
SQUARE = [(52.6389, -1.13619), (52.6389, -1.12619), (52.6329, -1.12619), (52.6329, -1.13619)]


def _responses(samples: Path, force: str = "leicestershire") -> dict[str, object]:
    """API path → response, for three neighbourhoods."""
    load = lambda name: json.loads((samples / name).read_text())  # noqa: E731
    out: dict[str, object] = {f"{force}/neighbourhoods": [{"id": i, "name": n} for i, n in IDS]}
    for k, (nid, name) in enumerate(IDS):
        out[f"{force}/{nid}"] = {**load("neighbourhood.json"), "id": nid, "name": name}
        out[f"{force}/{nid}/people"] = [load("police-officer.json"), load("police-officer-nulls.json")]
        out[f"{force}/{nid}/events"] = [{
            "contact_details": {"telephone": "101"}, "title": "Beat surgery", "type": "meeting",
            "description": "<p>Meet your team &amp; tell us <b>your</b> priorities.</p>",
            "address": "Mansfield House, 74 Belgrave Gate", "start_date": f"2016-09-1{k}T12:00:00",
            "end_date": f"2016-09-1{k}T14:00:00",
        }]
        out[f"{force}/{nid}/priorities"] = [load("neighbourhood-priority.json"),
                                            load("neighbourhood-priority-no-action.json")]
        out[f"{force}/{nid}/boundary"] = [{"latitude": f"{la}", "longitude": f"{lo + k / 100}"} for la, lo in SQUARE]
    return out


@pytest.fixture
def samples(shared_data) -> Path:
    return shared_data / "police_uk_api" / "single_objects_police-data-kit"


def _serve(srv: FakeServer, responses: dict[str, object]) -> None:
    for path, body in responses.items():
        srv.add_json(f"/api/{path}", body)


def _api(srv: FakeServer) -> PoliceApi:
    return PoliceApi(srv.url + "/api/", retry=RetryPolicy(sleep=lambda s: None))


def _read(lake: Lake, name: str, drop=("fetched_at",)) -> list[dict]:
    rows = pq.read_table(lake.table_path(name)).to_pylist()
    return [{k: v for k, v in r.items() if k not in drop} for r in rows]


# ---- plain text from the API's HTML ------------------------------------------------------------


def test_html_to_text_keeps_text_and_drops_markup(samples):
    description = json.loads((samples / "neighbourhood.json").read_text())["description"]
    assert html_to_text(description) == (
        "The Castle neighbourhood is a diverse covering all of the City Centre. In addition it covers De "
        "Montfort University, the University of Leicester, Leicester Royal Infirmary, the Leicester Tigers "
        "rugby ground and the Clarendon Park and Riverside communities.\n\n"
        "The Highcross and Haymarket shopping centres and Leicester's famous Market are all covered by "
        "this neighbourhood."
    )
    assert html_to_text("Line one<br/>Line&nbsp;two<ul><li>a</li><li>b</li></ul>") == "Line one\nLine two\n- a\n- b"
    assert html_to_text('<script>alert("x")</script><p onclick="x()">Safe &lt;3</p>') == "Safe <3"
    assert html_to_text("&lt;p&gt;Escaped twice&lt;/p&gt;") == "Escaped twice"
    assert html_to_text(None) is None and html_to_text("") == ""


def test_boundary_is_wkb_in_wgs84_and_british_national_grid():
    gpd = pytest.importorskip("geopandas")
    row = boundary_row([{"latitude": f"{la}", "longitude": f"{lo}"} for la, lo in SQUARE])
    wgs84 = shapely.from_wkb(row["geometry"])
    assert wgs84.equals(shapely.Polygon([(lo, la) for la, lo in SQUARE]))
    reference = gpd.GeoSeries([wgs84], crs=4326).to_crs(27700)
    assert shapely.from_wkb(row["geometry_27700"]).equals_exact(reference.iloc[0], 1e-6)
    assert row["area_m2"] == pytest.approx(reference.area.iloc[0], rel=1e-12)
    assert 450_000 < reference.iloc[0].centroid.x < 470_000 and 295_000 < reference.iloc[0].centroid.y < 310_000
    assert row["points"] == 4 and row["repaired"] is False
    bowtie = boundary_row([{"latitude": "0", "longitude": "0"}, {"latitude": "1", "longitude": "1"},
                           {"latitude": "0", "longitude": "1"}, {"latitude": "1", "longitude": "0"}])
    assert bowtie["repaired"] is True and shapely.from_wkb(bowtie["geometry"]).area == pytest.approx(0.5)
    assert boundary_row([{"latitude": "0", "longitude": "0"}])["geometry"] is None


# ---- fetching ------------------------------------------------------------------------------------


def test_neighbourhoods_load_and_one_failure_is_reported(samples, tmp_path):
    lake = Lake(tmp_path / "lake")
    with FakeServer() as srv:
        _serve(srv, _responses(samples))
        srv.route("/api/leicestershire/NC06/people", lambda r: (500, {}, b"boom"))
        report = fetch_neighbourhoods(lake, force="leicestershire", api=_api(srv))
    assert report.listed == 3 and report.loaded == ["NC04", "NC05"]
    assert list(report.failed) == ["NC06"] and "HTTP 500" in report.failed["NC06"]
    assert report.rows == {"neighbourhoods": 2, "neighbourhood_people": 4, "neighbourhood_events": 2,
                           "neighbourhood_priorities": 4, "neighbourhood_boundaries": 2}
    nb = _read(lake, "neighbourhoods")[0]
    sample = json.loads((samples / "neighbourhood.json").read_text())
    assert nb == {
        "force": "leicestershire", "neighbourhood_id": "NC04", "name": "City Centre",
        "description": sample["description"], "description_text": html_to_text(sample["description"]),
        "population": "1000", "url_force": "http://www.leics.police.uk/local-policing/city-centre",
        "centre_latitude": 52.6389, "centre_longitude": -1.13619,
        "contact_details": json.dumps(sample["contact_details"], sort_keys=True),
        "links": json.dumps(sample["links"], sort_keys=True),
        "locations": json.dumps(sample["locations"], sort_keys=True),
    }
    people = _read(lake, "neighbourhood_people")
    assert [(p["neighbourhood_id"], p["position"], p["name"], p["rank"]) for p in people] == [
        ("NC04", 0, "Roger Bannister", "Assistant Chief Officer (Crime)"), ("NC04", 1, "Dave Smith", None),
        ("NC05", 0, "Roger Bannister", "Assistant Chief Officer (Crime)"), ("NC05", 1, "Dave Smith", None),
    ]
    assert people[1]["bio"] is None and people[1]["contact_details"] == "{}"
    assert people[0]["bio_text"].startswith("Roger joined Lincolnshire Police in 1988")
    event = _read(lake, "neighbourhood_events")[1]
    assert event == {
        "force": "leicestershire", "neighbourhood_id": "NC05", "position": 0, "title": "Beat surgery",
        "type": "meeting", "description": "<p>Meet your team &amp; tell us <b>your</b> priorities.</p>",
        "description_text": "Meet your team & tell us your priorities.",
        "address": "Mansfield House, 74 Belgrave Gate", "start_date": "2016-09-11T12:00:00",
        "end_date": "2016-09-11T14:00:00", "starts_at": datetime(2016, 9, 11, 12), "ends_at": datetime(2016, 9, 11, 14),
        "contact_details": '{"telephone": "101"}',
    }
    prio = _read(lake, "neighbourhood_priorities")
    assert [(p["issue_date"], p["issued_at"], p["action_date"], p["actioned_at"]) for p in prio[:2]] == [
        ("2015-10-08T00:00:00", datetime(2015, 10, 8), "2015-12-22T00:00:00", datetime(2015, 12, 22)),
        ("2016-04-14T00:00:00", datetime(2016, 4, 14), None, None),
    ]
    assert prio[1]["action"] is None and prio[1]["issue_text"] == prio[1]["issue"]
    bounds = _read(lake, "neighbourhood_boundaries")
    assert [b["neighbourhood_id"] for b in bounds] == ["NC04", "NC05"]
    assert shapely.from_wkb(bounds[1]["geometry"]).bounds == pytest.approx((-1.12619, 52.6329, -1.11619, 52.6389))


def test_boundaries_open_directly_in_geopandas(samples, tmp_path):
    gpd = pytest.importorskip("geopandas")
    lake = Lake(tmp_path / "lake")
    with FakeServer() as srv:
        _serve(srv, _responses(samples))
        assert fetch_neighbourhoods(lake, force="leicestershire", api=_api(srv)).ok
    gdf = gpd.read_parquet(lake.table_path("neighbourhood_boundaries"))
    assert gdf.geometry.name == "geometry" and gdf.crs.equals("OGC:CRS84")
    assert gdf["geometry_27700"].crs.to_epsg() == 27700
    assert list(gdf["geometry_27700"].area.round(3)) == list(gdf["area_m2"].round(3))
    with Lake.connect(lake) as con:  # and the lake exposes it as a view
        assert con.execute("SELECT count(*) FROM neighbourhood_boundaries").fetchone() == (3,)


def test_a_failed_neighbourhood_keeps_its_earlier_rows_and_other_forces_stay(samples, tmp_path):
    lake = Lake(tmp_path / "lake")
    with FakeServer() as srv:
        _serve(srv, _responses(samples))
        _serve(srv, _responses(samples, force="rutland"))
        assert fetch_neighbourhoods(lake, force="leicestershire", api=_api(srv)).ok
        assert fetch_neighbourhoods(lake, force="rutland", api=_api(srv)).ok
        before = _read(lake, "neighbourhood_people")
        srv.route("/api/leicestershire/NC05/boundary", lambda r: (500, {}, b""))
        srv.add_json("/api/leicestershire/NC04/people", [])  # NC04's team changed
        report = fetch_neighbourhoods(lake, force="leicestershire", api=_api(srv))
    assert report.loaded == ["NC04", "NC06"] and list(report.failed) == ["NC05"]
    after = _read(lake, "neighbourhood_people")
    key = lambda rows: sorted((r["force"], r["neighbourhood_id"], r["position"]) for r in rows)  # noqa: E731
    assert key(after) == [k for k in key(before) if k[:2] != ("leicestershire", "NC04")]
    assert sorted(r["neighbourhood_id"] for r in _read(lake, "neighbourhoods") if r["force"] == "rutland") == \
        ["NC04", "NC05", "NC06"]


def test_nothing_is_replaced_when_the_list_cannot_be_had(samples, tmp_path):
    lake = Lake(tmp_path / "lake")
    with FakeServer() as srv:
        _serve(srv, _responses(samples))
        assert fetch_neighbourhoods(lake, force="leicestershire", api=_api(srv)).ok
        files = {n: lake.table_path(n).read_bytes() for n in DATASETS}
        srv.script("/api/leicestershire/neighbourhoods", *[Respond(503)] * 6)
        report = fetch_neighbourhoods(lake, force="leicestershire", api=_api(srv))
    assert report.error.startswith("cannot list leicestershire's neighbourhoods:") and "HTTP 503" in report.error
    assert {n: lake.table_path(n).read_bytes() for n in DATASETS} == files


def test_requests_go_through_the_rate_limiter(samples, tmp_path):
    now = [0.0]
    bucket = TokenBucket(15, 30, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    responses = _responses(samples)
    ids = [f"N{i:02d}" for i in range(10)]
    responses["leicestershire/neighbourhoods"] = [{"id": i, "name": i} for i in ids]
    for i in ids:
        for part in ("", "/people", "/events", "/priorities", "/boundary"):
            responses[f"leicestershire/{i}{part}"] = responses[f"leicestershire/NC04{part}"]
    with FakeServer() as srv:
        _serve(srv, responses)
        api = PoliceApi(srv.url + "/api/", limiter=bucket, retry=RetryPolicy(sleep=lambda s: None))
        report = fetch_neighbourhoods(lake=Lake(tmp_path / "lake"), force="leicestershire", api=api)
    assert report.ok and report.requests == 51
    assert now[0] == pytest.approx((51 - 30) / 15)  # 30 at once, then 15 a second


def test_a_file_url_of_the_same_shapes_gives_the_same_datasets(samples, tmp_path):
    responses = _responses(samples)
    folder = tmp_path / "police_uk_api"
    for path, body in responses.items():
        if path == "leicestershire/NC06/people":
            continue  # a missing file fails that neighbourhood, as the 500 does over HTTP
        (folder / f"{path}.json").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{path}.json").write_text(json.dumps(body))
    over_http, from_files = Lake(tmp_path / "http"), Lake(tmp_path / "files")
    with FakeServer() as srv:
        _serve(srv, responses)
        srv.route("/api/leicestershire/NC06/people", lambda r: (500, {}, b""))
        fetch_neighbourhoods(over_http, force="leicestershire", api=_api(srv))
    report = fetch_neighbourhoods(from_files, force="leicestershire", base_url=folder.as_uri() + "/")
    assert report.loaded == ["NC04", "NC05"] and list(report.failed) == ["NC06"]
    assert "NC06/people.json" in report.failed["NC06"]
    for name in DATASETS:
        assert _read(from_files, name) == _read(over_http, name), name


def test_cli_fetch_neighbourhoods_from_a_file_url(samples, tmp_path):
    folder = tmp_path / "police_uk_api"
    for path, body in _responses(samples, force="northbridge").items():
        (folder / f"{path}.json").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{path}.json").write_text(json.dumps(body))
    lake_dir = tmp_path / "lake"
    result = CliRunner().invoke(fetch_command, ["neighbourhoods", "--force", "northbridge", "--lake", str(lake_dir),
                                                "--base-url", folder.as_uri() + "/"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "northbridge: 3 of 3 neighbourhoods loaded, 0 failed; rows: neighbourhoods 3, neighbourhood_people 6, "
        "neighbourhood_events 3, neighbourhood_priorities 6, neighbourhood_boundaries 3; 16 API requests; "
        f"lake {lake_dir}\n"
    )
    missing = CliRunner().invoke(fetch_command, ["neighbourhoods", "--force", "nowhere", "--lake", str(lake_dir),
                                                 "--base-url", folder.as_uri() + "/"])
    assert missing.exit_code == 1
    assert "cannot list nowhere's neighbourhoods" in missing.stderr and "nowhere/neighbourhoods.json" in missing.stderr
