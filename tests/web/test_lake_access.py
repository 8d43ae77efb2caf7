"""One analytics store per process, and views that never open DuckDB themselves."""

from __future__ import annotations

import os
import re
import threading
import types
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from openbeat.lake import Lake
from openbeat.web import lake_access
from tests.web.conftest import NORTH, ROOT, point_at, write_areas


@pytest.fixture
def lake(settings, tmp_path):
    lake = Lake(tmp_path / "lake")
    write_areas(lake)
    point_at(settings, lake.root)
    yield lake
    point_at(settings, lake.root)


def test_state_lists_datasets_and_the_newest_file(lake):
    state = lake_access.lake_state()
    assert state.datasets == frozenset({"areas"}) and not state.empty
    mtime = os.stat(lake.table_path("areas")).st_mtime
    assert state.last_modified == datetime.fromtimestamp(int(mtime), tz=UTC)


def test_state_of_a_missing_lake_is_empty(settings, tmp_path):
    point_at(settings, tmp_path / "nothing")
    state = lake_access.lake_state()
    assert state.empty and state.last_modified is None and state.signature


def test_replacing_a_file_changes_the_signature_even_with_the_same_size(lake):
    import pyarrow.parquet as pq

    before = lake_access.lake_state().signature
    lake.write_reference("areas", pq.read_table(lake.table_path("areas")))  # same bytes, new file
    assert lake_access.lake_state().signature != before


def test_state_is_checked_at_most_every_n_seconds(lake, settings):
    settings.OPENBEAT_LAKE_CHECK_SECONDS = 3600
    first = lake_access.lake_state()
    lake.write_reference("population", pa.table({"code": ["X01000001"]}))
    assert lake_access.lake_state() is first  # looked at a moment ago
    lake_access.reset()
    assert "population" in lake_access.lake_state().datasets


def test_partition_files_are_the_globbed_files_of_a_real_lake(demo_lake):
    # the scan lists a police dataset's partitions with os.scandir: the same files, in the
    # same order, as Path.glob gave, so a lake's signature (cache keys, ETags) is unchanged
    for dataset in ("crimes", "outcomes", "stop_searches"):
        folder = demo_lake.root / dataset
        globbed = sorted(str(f) for f in folder.glob("force=*/month=*/part.parquet"))
        assert globbed and lake_access._partition_files(str(folder)) == globbed
    assert lake_access._partition_files(str(demo_lake.root / "nothing")) == []


def test_a_request_uses_the_background_threads_scan(lake, settings, monkeypatch):
    # while a thread of this process looks at the lake (web.warm), a request never scans
    settings.OPENBEAT_LAKE_CHECK_SECONDS = 2
    now = [1000.0]
    monkeypatch.setattr(lake_access, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    first = lake_access.peek_state()
    scans = []
    real = lake_access._scan
    monkeypatch.setattr(lake_access, "_scan", lambda root: scans.append(root) or real(root))
    monkeypatch.setattr(lake_access, "background", [lambda: True])
    lake.write_reference("population", pa.table({"code": ["X01000001"]}))
    now[0] += 3  # past the check interval, but the background thread will look
    assert lake_access.peek_state() is first and not scans
    seen = []

    def scanner():
        lake_access.scans_here()
        seen.append(lake_access.peek_state())

    thread = threading.Thread(target=scanner)
    thread.start()
    thread.join()
    assert scans == [lake.root] and "population" in seen[0].datasets
    assert lake_access.peek_state() is seen[0]  # and the request sees what it found
    monkeypatch.setattr(lake_access, "background", [])
    lake.write_reference("population", pa.table({"code": ["X01000002"]}))
    now[0] += 3
    assert lake_access.peek_state().signature != seen[0].signature  # no thread: the request scans


def test_a_request_scans_itself_when_the_background_scan_is_late(lake, settings, monkeypatch):
    # a background thread stuck in one long computation (a national store's build) does not
    # hide a new lake state from visitors for longer than five check intervals
    settings.OPENBEAT_LAKE_CHECK_SECONDS = 2
    now = [1000.0]
    monkeypatch.setattr(lake_access, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    monkeypatch.setattr(lake_access, "background", [lambda: True])
    first = lake_access.peek_state()
    lake.write_reference("population", pa.table({"code": ["X01000001"]}))
    now[0] += 9.9  # under 5 × 2 s: still the background thread's scan
    assert lake_access.peek_state() is first
    now[0] += 0.2  # over: the request looks for itself
    assert "population" in lake_access.peek_state().datasets


def test_one_store_per_process_renewed_for_another_lake_or_process(lake, settings, tmp_path, monkeypatch):
    s = lake_access.get_store()
    assert lake_access.get_store() is s and s.root == lake.root
    seen = []
    t = threading.Thread(target=lambda: seen.append(lake_access.get_store()))
    t.start()
    t.join()
    assert seen == [s]  # threads share it (each query runs on its own cursor)
    real_pid = os.getpid()
    monkeypatch.setattr(lake_access.os, "getpid", lambda: real_pid + 1)  # as in a forked worker
    assert lake_access.get_store() is not s
    monkeypatch.undo()
    settings.OPENBEAT_LAKE = str(tmp_path / "elsewhere")
    assert lake_access.get_store().root == tmp_path / "elsewhere"


def test_the_store_sees_a_new_dataset_without_a_restart(lake):
    assert not lake_access.get_store().has("population")
    lake.write_reference("population", pa.table({"code": ["X01000001"], "residents": [1500]}))
    assert lake_access.get_store().has("population")


def test_requests_open_no_duckdb_connection(client, demo_lake, monkeypatch):
    """After the store is open, pages, charts and the API (postcode search included) only use its cursors."""
    import duckdb

    lake_access.get_store().cursor()  # opened, as a worker does when it starts
    opened = []
    real = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
    urls = ["/", "/areas/", "/areas/X05000001/", "/areas/X09000001/", "/areas/northbridge/",
            "/areas/X05000001/charts/hotspot-map.vl.json", "/api/areas/X05000001/profile",
            "/api/areas/X05000001/hotspots", "/api/locate?q=NB1 2AB", "/find/?q=NB1 2AB", "/compare/",
            "/highest-crime-lowest-trust/", "/scorecard/X09000001/"]
    for url in urls:
        assert client.get(url).status_code in (200, 302), url
    assert opened == []


def test_no_web_module_opens_duckdb():
    """Only the analytics store connects; the web's modules never import DuckDB."""
    found = []
    for folder in ("web", "areas", "planning", "api"):
        for path in (ROOT / "openbeat" / folder).rglob("*.py"):
            if re.search(r"^\s*(import duckdb|from duckdb)|duckdb\.connect|\.connect\(", path.read_text(), re.M):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_threads_get_the_right_answers_at_once(client, demo_lake, settings):
    from django.test import Client

    expected = {code: client.get(f"/api/areas/{code}/profile?table=by_crime_type").json()
                for code in ("X05000001", "X05000002", "X05000003", "X05000004")}
    point_at(settings, demo_lake.root)  # nothing kept: every thread computes
    got, errors = {}, []

    def fetch(code):
        try:
            got[code] = Client().get(f"/api/areas/{code}/profile?table=by_crime_type").json()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fetch, args=(c,)) for c in expected for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and got == expected


def test_health_check_on_an_empty_lake(client, empty_lake, db):
    empty_lake.mkdir()
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "lake": "empty"}


def test_health_says_a_lake_folder_that_has_gone_is_missing_and_leaves_it_gone(client, empty_lake, db):
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json() == {"status": "error", "database": "ok", "lake": "missing"}
    client.get("/areas/")
    assert not empty_lake.exists()  # nothing (no derived/ folder) re-created where the lake should be


def test_health_fails_when_a_partition_is_truncated(client, settings, tmp_path, db):
    from tests.web.conftest import build_lake

    lake = build_lake(tmp_path)
    point_at(settings, lake.root)
    assert client.get("/healthz").status_code == 200
    path = lake.partition_path(lake.partitions("crimes")[0])
    path.write_bytes(path.read_bytes()[:200])
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["lake"].startswith("error: ")


def test_pages_on_an_empty_lake(client, empty_lake):
    assert client.get(f"/areas/{NORTH}/").status_code == 404
    assert "No areas have been loaded" in client.get("/areas/").content.decode()
    assert client.get("/api/areas").json()["count"] == 0
