"""The store read two ways: aggregates in memory (the web app) or read from their files per query (the CLI)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datetime import date

from openbeat.analytics.profiles import area_profile
from openbeat.analytics.store import Store
from openbeat.lake import Lake


def _kind(store: Store, name: str) -> str:
    return store.cursor().execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                                  [name]).fetchone()[0]


@pytest.fixture(scope="module")
def one_shot(northbridge):
    return Store(northbridge, resident=False)


def test_one_question_reads_the_aggregate_files_instead_of_loading_them(store, one_shot):
    for name in ("crime_counts", "stop_search_counts", "stop_search_people"):
        assert _kind(store, name) == "BASE TABLE"
        assert _kind(one_shot, name) == "VIEW"


@pytest.mark.parametrize("level, first, last, force", [
    ("ward", None, None, None),
    ("ward", "2024-07", "2025-06", "northbridge"),
    ("borough", "2024-01", "2024-12", None),
    ("lsoa21", None, None, None),
    ("force", "2025-01", "2025-12", None),
])
def test_a_profile_is_the_same_whichever_way_the_store_reads(store, one_shot, level, first, last, force):
    for area in store.areas(level)[:3]:
        expected = area_profile(store, area.code, first, last, force=force).as_dict()
        assert area_profile(one_shot, area.code, first, last, force=force).as_dict() == expected


def test_without_aggregate_files_the_first_one_shot_store_writes_them(store, northbridge, tmp_path):
    copy = Lake(tmp_path / "lake")
    shutil.copytree(northbridge.root, copy.root, ignore=shutil.ignore_patterns("derived"))
    ward = store.areas("ward")[0].code
    got = area_profile(Store(copy, resident=False), ward).as_dict()
    assert got["summary"] == area_profile(store, ward).as_dict()["summary"]
    assert sorted(p.name.split("-")[0] for p in (copy.root / "derived").glob("*.parquet")) == [
        "crime_counts", "crime_forces", "crime_points", "stop_search_counts", "stop_search_people"]


def test_a_wards_partitions_hold_exactly_its_rows_of_the_whole_view(store):
    from openbeat.geo.rollup import police_geo_sql

    cur = store.cursor()
    first, last = date(2024, 7, 1), date(2025, 6, 1)
    months, held = cur.execute("SELECT count(DISTINCT month) FILTER (WHERE month BETWEEN ? AND ?), count(*) "
                               "FROM lake_partitions WHERE dataset = 'crimes'", [first, last]).fetchone()
    for ward in store.areas("ward")[:4]:
        forces = [f for (f,) in cur.execute("SELECT DISTINCT force FROM crime_counts WHERE ward_code = ?",
                                            [ward.code]).fetchall()]
        files = store.partitions_sql("crimes", forces, first, last)
        assert files.count("part.parquet") == len(forces) * months < held  # only the period's months of its forces
        query = ("SELECT month, crime_type, geo_status, longitude, latitude, crime_id FROM {} "
                 "WHERE ward_code = ? AND month BETWEEN ? AND ? ORDER BY ALL")
        whole = cur.execute(query.format("crimes_geo"), [ward.code, first, last]).fetchall()
        assert whole and cur.execute(query.format(f"({police_geo_sql(files)})"),
                                     [ward.code, first, last]).fetchall() == whole
    assert store.partitions_sql("crimes", forces, date(1990, 1, 1), date(1990, 12, 1)) is None
    assert store.partitions_sql("crimes", ["no-such-force"], first, last) is None


def test_the_forces_and_their_names_are_those_of_the_crimes_and_searches(store):
    cur = store.cursor()
    names = dict(cur.execute("SELECT force, any_value(falls_within) FROM crimes GROUP BY 1").fetchall())
    forces = {f for (f,) in cur.execute(
        "SELECT DISTINCT force FROM crime_counts UNION SELECT DISTINCT force FROM stop_search_counts").fetchall()}
    assert names and store.force_names() == [(f, names.get(f) or f) for f in sorted(forces | set(names))]


def test_the_people_aggregate_adds_up_to_the_searches_themselves(store):
    cur = store.cursor()
    for level in ("ward_code", "borough_code", "force"):
        searches = cur.execute(
            f"SELECT {level}, month, coalesce(nullif(trim(age_range), ''), '(blank)'), "
            f"coalesce(nullif(trim(gender), ''), '(blank)'), count(*), count(*) FILTER (WHERE trim(outcome) = 'Arrest'), "
            f"count(*) FILTER (WHERE nullif(trim(outcome), '') IS NOT NULL) FROM stop_searches_geo "
            f"GROUP BY ALL ORDER BY ALL").fetchall()
        assert len(searches) > 10 and cur.execute(
            f"SELECT {level}, month, age_range, gender, sum(n), sum(arrests), sum(with_outcome) "
            f"FROM stop_search_people GROUP BY ALL ORDER BY ALL").fetchall() == searches


def test_the_store_holds_to_a_memory_limit_and_spills_to_its_temp_folder(northbridge, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENBEAT_STORE_MEMORY", "300MiB")
    monkeypatch.setenv("OPENBEAT_STORE_TEMP", str(tmp_path / "spill"))
    con = Store(northbridge, resident=False).cursor()
    assert con.execute("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone() == (
        "300.0 MiB", str(tmp_path / "spill"))
    assert (tmp_path / "spill").is_dir()


def test_the_spill_folder_is_made_once_per_process_not_on_every_connection(northbridge, monkeypatch, tmp_path):
    made = []
    real_mkdir = Path.mkdir
    monkeypatch.setattr(Path, "mkdir", lambda self, *a, **k: (made.append(self), real_mkdir(self, *a, **k))[1])
    monkeypatch.setenv("OPENBEAT_STORE_TEMP", str(tmp_path / "spill"))
    for _ in range(3):
        northbridge.connect(memory_limit="300MiB").close()
    assert made == [tmp_path / "spill"] and (tmp_path / "spill").is_dir()


def test_by_default_a_fifth_of_the_memory_divided_among_the_processes_that_hold_a_store(monkeypatch):
    from openbeat import lake

    monkeypatch.delenv("OPENBEAT_STORE_MEMORY", raising=False)
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 24 * 2**30 // 4096}  # a 24 GiB machine
    monkeypatch.setattr(lake.os, "sysconf", pages.__getitem__)
    assert lake.store_memory() == "4915MiB"
    assert lake.store_memory(processes=5) == "983MiB"
    assert lake.store_memory(processes=100) == "256MiB"  # never less
    monkeypatch.setenv("OPENBEAT_STORE_MEMORY", "2GB")
    assert lake.store_memory(processes=5) == "2GB"
