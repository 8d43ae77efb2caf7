"""Ingest of the real police.uk files in ../shared/data, checked against counts taken from the raw CSVs."""

from __future__ import annotations

import collections
import csv
import gzip
import io
from datetime import date
from pathlib import Path

import pytest

from openbeat.datasets import parse_file_name
from openbeat.ingest import ingest_paths
from openbeat.lake import Lake, Partition
from tests.conftest import SHARED_DATA, needs_shared_data

pytestmark = [needs_shared_data]


def police_files() -> list[Path]:
    roots = [SHARED_DATA / "police_uk" / "archive", SHARED_DATA / "police_uk_subsets"]
    return sorted(p for r in roots for p in r.rglob("*") if p.is_file() and parse_file_name(p.name))


def read_raw(path: Path) -> list[dict]:
    """The file's rows as Python's csv module reads them: an independent reference."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text, newline=""))]


@pytest.fixture(scope="module")
def real_lake(tmp_path_factory):
    lake = Lake(tmp_path_factory.mktemp("real") / "lake")
    report = ingest_paths([SHARED_DATA / "police_uk" / "archive", SHARED_DATA / "police_uk_subsets"], lake=lake)
    assert report.ok, [f.error for f in report.failed]
    return lake, {Path(f.source).name: f for f in report.files}


def q(lake: Lake, sql: str, *params):
    con = lake.connect()
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_every_real_file_is_loaded_whole(real_lake):
    lake, reports = real_lake
    files = police_files()
    assert len(files) == len(reports) == 162
    for path in files:
        raw = read_raw(path)
        fr = reports[path.name]
        assert fr.rows_read == len(raw), path.name
        assert fr.rows_loaded == len(raw) and fr.rows_rejected == 0, (path.name, fr.reject_examples)
        ids = [r["Crime ID"] for r in raw if r.get("Crime ID")]
        if "Crime ID" in raw[0]:
            assert fr.duplicates == len(ids) - len(set(ids)), path.name
        else:  # stop and search: rows identical in every column to an earlier row
            assert fr.duplicates == len(raw) - len({tuple(r.values()) for r in raw}), path.name
    assert q(lake, "SELECT count(*) FROM rejects") == [(0,)]


def test_counts_per_file_and_crime_type_match_the_raw_csv(real_lake):
    lake, _ = real_lake
    for path in police_files():
        name = parse_file_name(path.name)
        if name.kind.dataset != "crimes":
            continue
        raw = collections.Counter(r["Crime type"] for r in read_raw(path))
        got = dict(q(lake, "SELECT crime_type, count(*) FROM crimes WHERE force = ? AND month = ? GROUP BY 1",
                     name.force, date.fromisoformat(name.month + "-01")))
        assert got == dict(raw), path.name


def test_known_quirks_are_kept_as_published(real_lake):
    lake, reports = real_lake
    # ASB rows have no Crime ID and keep distinct, stable keys.
    asb = q(lake, "SELECT count(*), count(crime_id), count(DISTINCT row_key) FROM crimes "
                  "WHERE crime_type = 'Anti-social behaviour'")
    assert asb[0][1] == 0 and asb[0][0] == asb[0][2] > 0
    # BTP publishes no Crime IDs and no outcomes at all.
    assert q(lake, "SELECT count(crime_id), count(last_outcome_category) FROM crimes WHERE force = 'btp'") == [(0, 0)]
    # "No Location" rows keep no coordinates and no LSOA.
    assert q(lake, "SELECT count(*) FILTER (WHERE latitude IS NOT NULL OR lsoa_code IS NOT NULL) FROM crimes "
                   "WHERE location = 'No Location'") == [(0,)]
    # The short Met 2022-12 stop-and-search month is loaded as published.
    assert reports["2022-12-metropolitan-stop-and-search.csv.gz"].rows_loaded == 5706
    assert q(lake, "SELECT max(date)::DATE FROM stop_searches WHERE force = 'metropolitan' AND month = '2022-12-01'") == [
        (date(2022, 12, 17),)]


def test_mixed_lsoa_vintages_are_preserved(real_lake):
    lake, _ = real_lake
    for month in ("2022-02", "2022-09", "2023-05", "2023-06", "2024-06"):
        path = SHARED_DATA / f"police_uk_subsets/metropolitan_burglary_only/{month}/{month}-metropolitan-street.csv.gz"
        raw = collections.Counter(r["LSOA code"] or None for r in read_raw(path))
        got = dict(q(lake, "SELECT lsoa_code, count(*) FROM crimes WHERE force = 'metropolitan' AND month = ? GROUP BY 1",
                     date.fromisoformat(month + "-01")))
        assert got == dict(raw), month


def test_stop_searches_after_local_midnight_stay_in_their_file_month(real_lake):
    lake, reports = real_lake
    # 2022-04 holds 17 searches dated 2022-03-31 in UTC: 00:xx BST on 1 April.
    assert q(lake, "SELECT count(*) FROM stop_searches WHERE month = '2022-04-01' AND force = 'metropolitan' "
                   "AND date < TIMESTAMPTZ '2022-04-01 00:00:00+00'") == [(17,)]
    assert all(f.month_mismatches == 0 for f in reports.values())
    raw_total = sum(len(read_raw(p)) for p in police_files() if "stop-and-search" in p.name)
    assert q(lake, "SELECT count(*) FROM stop_searches") == [(raw_total,)]


def test_a_republished_month_updates_outcomes_without_duplicating_crimes(real_lake, tmp_path):
    lake = Lake(tmp_path / "lake")
    first = SHARED_DATA / "police_uk/archive/2024-02/2024-02-city-of-london-street.csv"
    later = SHARED_DATA / "police_uk/archive_alt_versions/2024-02/2024-02-city-of-london-street.csv"
    ingest_paths([first], lake=lake)
    before = dict(q(lake, "SELECT row_key, last_outcome_category FROM crimes"))
    report = ingest_paths([later], lake=lake)
    assert report.files[0].status == "loaded"
    after = dict(q(lake, "SELECT row_key, last_outcome_category FROM crimes"))
    assert len(after) == len(before) == 826
    assert after.keys() == before.keys()
    # Rows whose outcome changed, counted on the raw files: per group of rows identical but
    # for the outcome, the rows not matched by an equal outcome in the other release.
    groups = collections.defaultdict(lambda: (collections.Counter(), collections.Counter()))
    for i, path in enumerate((first, later)):
        for r in read_raw(path):
            outcome = r.pop("Last outcome category")
            groups[tuple(r.values())][i][outcome] += 1
    changed = sum(sum(a.values()) - sum((a & b).values()) for a, b in groups.values())
    assert changed == 374  # as the data README says for 2024-02
    assert sum(before[k] != after[k] for k in before) == changed


def test_corrupted_copies_of_a_real_file(tmp_path):
    src = SHARED_DATA / "police_uk/archive/2023-03/2023-03-city-of-london-street.csv"
    lines = src.read_bytes().split(b"\r\n")
    n_rows = len(read_raw(src))
    lines[9] = lines[9].replace(b",-0.", b",abc-0.", 1)              # line 10: longitude not a number
    lines[19] = b",".join(lines[19].split(b",")[:-2])                # line 20: two fields short
    lines[29] = lines[29].replace(b"On or near", b"On or n\xe9ar")   # line 30: not UTF-8
    body = b"\r\n".join(lines)
    body = body[: body.rindex(b"\r\n") - 40]                         # cut mid-row, as a broken download is
    bad = tmp_path / "2023-03-city-of-london-street.csv"
    bad.write_bytes(body)

    lake = Lake(tmp_path / "lake")
    fr = ingest_paths([bad], lake=lake).files[0]
    last = n_rows + 1
    assert fr.rows_read == n_rows and fr.rows_rejected == 4 and fr.rows_loaded == n_rows - 4
    assert q(lake, "SELECT line, \"column\" FROM rejects ORDER BY line") == [
        (10, "Longitude"), (20, "Last outcome category"), (30, "Location"), (last, "Context")]

    # A truncated gzip of a real Met file fails whole and leaves the lake untouched.
    met = (SHARED_DATA / "police_uk/archive/2023-03/2023-03-metropolitan-stop-and-search.csv.gz").read_bytes()
    cut = tmp_path / "cut" / "2023-03-metropolitan-stop-and-search.csv.gz"
    cut.parent.mkdir()
    cut.write_bytes(met[: len(met) // 2])
    report = ingest_paths([cut], lake=lake)
    assert not report.ok and "truncated gzip" in report.files[0].error
    assert not lake.partition_path(Partition("stop_searches", "metropolitan", "2023-03")).exists()
