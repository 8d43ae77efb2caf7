"""lakedb: one connection per process and thread, renewed when the lake changes under it."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from openbeat.lake import Lake
from openbeat.web import lakedb
from tests.web.conftest import write_areas


@pytest.fixture
def lake(settings, tmp_path):
    lake = Lake(tmp_path / "lake")
    write_areas(lake)
    settings.OPENBEAT_LAKE = str(lake.root)
    settings.OPENBEAT_LAKE_CHECK_SECONDS = 0
    lakedb.reset()
    yield lake
    lakedb.reset()


def test_state_lists_datasets_and_the_newest_file(lake):
    state = lakedb.lake_state()
    assert state.datasets == frozenset({"areas"}) and not state.empty
    mtime = os.stat(lake.table_path("areas")).st_mtime
    assert state.last_modified == datetime.fromtimestamp(int(mtime), tz=UTC)


def test_state_of_a_missing_lake_is_empty(settings, tmp_path):
    settings.OPENBEAT_LAKE = str(tmp_path / "nothing")
    lakedb.reset()
    state = lakedb.lake_state()
    assert state.empty and state.last_modified is None and state.signature


def test_connection_is_reused_then_renewed_when_a_dataset_appears(lake):
    con = lakedb.connection()
    assert lakedb.connection() is con
    assert "population" not in lakedb.relations()
    before = lakedb.lake_state().signature
    lake.write_reference("population", pa.table({"code": ["X01000001"], "residents": [1500]}))
    assert lakedb.lake_state().signature != before
    assert lakedb.connection() is not con
    assert lakedb.rows("SELECT code, residents FROM population") == [{"code": "X01000001", "residents": 1500}]


def test_replacing_a_file_changes_the_signature_even_with_the_same_size(lake):
    before = lakedb.lake_state().signature
    import pyarrow.parquet as pq

    t = pq.read_table(lake.table_path("areas"))
    lake.write_reference("areas", t)  # same bytes, new file (new inode)
    assert lakedb.lake_state().signature != before


def test_state_is_checked_at_most_every_n_seconds(lake, settings):
    settings.OPENBEAT_LAKE_CHECK_SECONDS = 3600
    first = lakedb.lake_state()
    lake.write_reference("population", pa.table({"code": ["X01000001"]}))
    assert lakedb.lake_state() is first  # cached
    lakedb.reset()
    assert "population" in lakedb.lake_state().datasets


def test_each_thread_has_its_own_connection(lake):
    mine = lakedb.connection()
    seen = []

    def work():
        seen.append(lakedb.connection())
        seen.append(lakedb.rows("SELECT count(*) AS n FROM areas")[0]["n"])

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen[0] is not mine and seen[1] == 7


def test_a_connection_from_another_process_is_never_used(lake, monkeypatch):
    inherited = lakedb.connection()
    real_pid = os.getpid()
    monkeypatch.setattr(lakedb.os, "getpid", lambda: real_pid + 1)  # as in a forked worker
    assert lakedb.connection() is not inherited


def test_crime_views_by_area_are_there_when_geo_is(lake):
    assert {"crimes", "areas", "crimes_geo"} <= lakedb.relations()
