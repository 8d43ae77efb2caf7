"""Fetching police.uk archives from a local server: range reads, resume, fallback, retries, cache.

The archive is built here from the real police.uk files in ../shared/data: City of London
street, Met stop-and-search and BTP members for 2023-01 … 2024-04, named as police.uk names
them (``YYYY-MM/YYYY-MM-<force>-<kind>.csv``). The Met's 2024-04 stop-and-search is left
out of the archive and served by the fake ``stops-force`` API instead, as police.uk does
when a force's upload comes late.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from openbeat.cli.fetch_commands import fetch as fetch_command
from openbeat.ingest import ingest_paths
from openbeat.ingest.fetch import (
    fetch_months,
    plan_archives,
    published_months,
    split_months,
    write_stop_search_csv,
)
from openbeat.ingest.http import RetryPolicy
from openbeat.lake import Lake, month_range

from .fakeserver import Drop, FakeServer, Mutate, Respond

SHARED = Path(os.environ.get("OPENBEAT_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
ARCHIVE = "/data/archive/2024-04.zip"
MONTHS = month_range("2023-01", "2024-04")
API_STOPS = "2024-04-metropolitan-stop-and-search.csv"  # served by stops-force, not the archive


@dataclass
class Archive:
    data: bytes
    members: dict[str, bytes]  # member name → the CSV bytes
    spans: dict[str, tuple[int, int]]  # member name → (its local header, the next member's)
    start_dir: int
    api_stops: bytes  # the real 2024-04 Met stop-and-search CSV


def _raw(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


@pytest.fixture(scope="module")
def archive() -> Archive:
    if not (SHARED / "MANIFEST.csv").exists():
        pytest.skip(f"real police.uk files not found at {SHARED} (../shared/data is absent)")
    members, api_stops = {}, b""
    for month in MONTHS:
        for f in sorted((SHARED / "police_uk" / "archive" / month).iterdir()):
            name = f.name.removesuffix(".gz")
            if name == API_STOPS:
                api_stops = _raw(f)
            else:
                members[f"{month}/{name}"] = _raw(f)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, body in members.items():
            z.writestr(name, body)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = sorted(z.infolist(), key=lambda i: i.header_offset)
        start_dir = z.start_dir
    spans = {i.filename: (i.header_offset, (infos[k + 1].header_offset if k + 1 < len(infos) else start_dir))
             for k, i in enumerate(infos)}
    return Archive(data, members, spans, start_dir, api_stops)


def _csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def _api_record(row: dict) -> dict:
    """A police.uk CSV row in the shape ``stops-force`` returns (see the real single-object sample)."""
    def flag(v):
        return {"True": True, "False": False, "": None}[v]

    location = None
    if row["Latitude"]:
        location = {"latitude": row["Latitude"], "street": {"id": 1, "name": "On or near Shopping Area"},
                    "longitude": row["Longitude"]}
    return {
        "age_range": row["Age range"] or None, "outcome": row["Outcome"] or None, "involved_person": True,
        "self_defined_ethnicity": row["Self-defined ethnicity"] or None, "gender": row["Gender"] or None,
        "legislation": row["Legislation"] or None,
        "outcome_linked_to_object_of_search": flag(row["Outcome linked to object of search"]),
        "datetime": row["Date"],
        "removal_of_more_than_outer_clothing": flag(row["Removal of more than just outer clothing"]),
        "outcome_object": {"id": "bu-x", "name": row["Outcome"]}, "location": location,
        "operation": flag(row["Part of a policing operation"]),
        "officer_defined_ethnicity": row["Officer-defined ethnicity"] or None, "type": row["Type"],
        "operation_name": row["Policing operation"] or None, "object_of_search": row["Object of search"] or None,
    }


def _serve(srv: FakeServer, archive: Archive, *, body: bytes | None = None, **kw) -> None:
    srv.add(ARCHIVE, archive.data if body is None else body, **kw)
    dates = [{"date": m, "stop-and-search": ["btp", "city-of-london", "metropolitan"]}
             for m in reversed(month_range("2021-05", "2024-04"))]
    srv.add_json("/api/crimes-street-dates", dates)
    records = [_api_record(r) for r in _csv_rows(archive.api_stops)]
    srv.add_json("/api/stops-force?force=metropolitan&date=2024-04", records)


def _fetch(srv, lake, cache, *, sleeps=None, **kw):
    retry = RetryPolicy(sleep=(sleeps.append if sleeps is not None else (lambda s: None)))
    return fetch_months(lake, base_url=srv.url + "/", cache_dir=cache, retry=retry, **kw)


def _in_member(archive: Archive, name: str):
    """A request predicate: a ranged GET (not the probe) that starts inside member ``name``."""
    a, z = archive.spans[name]
    return lambda r: "if-match" in r.headers and a <= r.range_start < z


def _rows(lake: Lake, sql: str) -> list[tuple]:
    con = lake.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _street_counts(archive: Archive, force: str, months: list[str]) -> dict[tuple[str, str], int]:
    out = Counter()
    for m in months:
        for row in _csv_rows(archive.members[f"{m}/{m}-{force}-street.csv"]):
            out[(m, row["Crime type"])] += 1
    return dict(out)


def _lake_street_counts(lake: Lake, force: str) -> dict[tuple[str, str], int]:
    rows = _rows(lake, f"SELECT strftime(month, '%Y-%m'), crime_type, count(*) FROM crimes "
                       f"WHERE force = '{force}' GROUP BY ALL")
    return {(m, t): n for m, t, n in rows}


# ---- planning (pure) ------------------------------------------------------------------------


def test_plan_archives_uses_the_fewest_archives_and_the_newest_for_recent_months():
    plan = plan_archives(month_range("2015-01", "2024-04"), latest="2024-04")
    assert {a: (ms[0], ms[-1], len(ms)) for a, ms in plan.items()} == {
        "2017-12": ("2015-01", "2017-12", 36),
        "2020-12": ("2018-01", "2020-12", 36),
        "2023-12": ("2021-01", "2023-12", 36),
        "2024-04": ("2024-01", "2024-04", 4),
    }
    assert plan_archives(["2024-01", "2023-06"], latest="2024-04") == {"2024-04": ["2023-06", "2024-01"]}


def test_months_are_judged_against_the_real_crimes_street_dates(shared_data):
    payload = json.loads((shared_data / "police_uk_api" / "crimes-street-dates_2019-01_to_2021-12.json").read_text())
    published = published_months(payload)
    assert len(published) == 36 and max(published) == "2021-12" and min(published) == "2019-01"
    # The newest months fill in as forces upload late (README quirk).
    assert "avon-and-somerset" not in published["2021-12"] and "avon-and-somerset" in published["2021-11"]
    assert "metropolitan" in published["2021-12"]
    fetch, missing = split_months(published, month_range("2018-11", "2022-02"))
    assert missing == ["2022-01", "2022-02"]  # after the newest published month
    assert fetch[:3] == ["2018-11", "2018-12", "2019-01"]  # older than the API's list: tried, not judged
    assert plan_archives(fetch, latest="2021-12") == {
        "2021-10": month_range("2018-11", "2021-10"),
        "2021-12": ["2021-11", "2021-12"],
    }


def test_stops_force_json_becomes_a_police_uk_csv_exactly(shared_data, tmp_path):
    sample = json.loads((shared_data / "police_uk_api" / "single_objects_police-data-kit" /
                         "stop-and-search.json").read_text())
    no_location = {**sample, "location": None, "operation": False, "outcome": False,
                   "outcome_linked_to_object_of_search": True, "operation_name": "Line\nbreak"}
    out = tmp_path / "2018-06-leicestershire-stop-and-search.csv"
    assert write_stop_search_csv([sample, no_location], out) == 2
    assert out.read_text(encoding="utf-8") == (
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
        "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
        "Outcome linked to object of search,Removal of more than just outer clothing\n"
        "Person search,2018-06-08T13:40:00+00:00,,,52.63625,-1.133691,Male,over 34,"
        "White - English/Welsh/Scottish/Northern Irish/British,White,"
        "Police and Criminal Evidence Act 1984 (section 1),Offensive weapons,A no further action disposal,,\n"
        "Person search,2018-06-08T13:40:00+00:00,False,Line break,,,Male,over 34,"
        "White - English/Welsh/Scottish/Northern Irish/British,White,"
        "Police and Criminal Evidence Act 1984 (section 1),Offensive weapons,A no further action disposal,True,\n"
    )


# ---- end to end against the local server -------------------------------------------------------


def test_fetch_reads_only_the_wanted_members(archive, tmp_path):
    lake = Lake(tmp_path / "lake")
    months = ["2024-01", "2024-02", "2024-03"]
    with FakeServer() as srv:
        _serve(srv, archive)
        report = _fetch(srv, lake, tmp_path / "cache", force="city-of-london", first="2024-01",
                        last="2024-03", kinds=["street"])
        sent = srv.bytes_sent[ARCHIVE]
    assert report.ok, report.errors
    assert report.archives == {srv.url + ARCHIVE: months}
    assert report.not_published == [] and report.absent == [] and report.whole_downloads == []
    assert [f.status for f in report.ingest.files] == ["loaded"] * 3
    assert _lake_street_counts(lake, "city-of-london") == _street_counts(archive, "city-of-london", months)
    assert _rows(lake, "SELECT count(*) FROM crimes WHERE force <> 'city-of-london'") == [(0,)]
    wanted = sum(archive.spans[f"{m}/{m}-city-of-london-street.csv"][1]
                 - archive.spans[f"{m}/{m}-city-of-london-street.csv"][0] for m in months)
    # The wanted members, the central directory and block rounding: a few % of the archive.
    assert wanted < sent < 0.06 * len(archive.data), (wanted, sent, len(archive.data))
    assert report.bytes_transferred == sent


def test_met_stop_and_search_month_missing_from_the_archive_comes_from_the_api(archive, tmp_path):
    lake = Lake(tmp_path / "lake")
    with FakeServer() as srv:
        _serve(srv, archive)
        report = _fetch(srv, lake, tmp_path / "cache", force="metropolitan", first="2024-02",
                        last="2024-04", kinds=["stop-and-search"])
        stops_requests = srv.requests_to("/api/stops-force")
    assert report.ok, report.errors
    assert report.from_api == ["2024-04"] and report.absent == []
    assert [(r.query["force"], r.query["date"]) for r in stops_requests] == [("metropolitan", "2024-04")]
    expected = {"2024-02": len(_csv_rows(archive.members["2024-02/2024-02-metropolitan-stop-and-search.csv"])),
                "2024-03": len(_csv_rows(archive.members["2024-03/2024-03-metropolitan-stop-and-search.csv"])),
                "2024-04": len(_csv_rows(archive.api_stops))}
    got = dict(_rows(lake, "SELECT strftime(month, '%Y-%m'), count(*) FROM stop_searches GROUP BY 1"))
    rejected = dict(_rows(lake, "SELECT strftime(month, '%Y-%m'), count(*) FROM rejects GROUP BY 1"))
    assert {m: got.get(m, 0) + rejected.get(m, 0) for m in expected} == expected
    # The month rebuilt from JSON loads exactly as the published CSV does.
    direct = Lake(tmp_path / "direct")
    csv_path = tmp_path / API_STOPS
    csv_path.write_bytes(archive.api_stops)
    assert ingest_paths([csv_path], lake=direct).ok
    sql = "SELECT * EXCLUDE (force) FROM stop_searches WHERE month = DATE '2024-04-01' ORDER BY row_key"
    assert _rows(lake, sql) == _rows(direct, sql)


def test_a_dropped_connection_resumes_from_the_byte_reached(archive, tmp_path):
    member = "2024-02/2024-02-metropolitan-stop-and-search.csv"
    clean, resumed = Lake(tmp_path / "clean"), Lake(tmp_path / "resumed")
    kw = dict(force="metropolitan", first="2024-02", last="2024-03", kinds=["stop-and-search"])
    with FakeServer() as srv:
        _serve(srv, archive)
        assert _fetch(srv, clean, None, **kw).ok
    with FakeServer() as srv:
        _serve(srv, archive)
        srv.script(ARCHIVE, Drop(after=100_000, when=_in_member(archive, member)))
        report = _fetch(srv, resumed, None, **kw)
        ranged = [r for r in srv.requests_to(ARCHIVE) if "if-match" in r.headers]
    assert report.ok, report.errors
    dropped = next(i for i, r in enumerate(ranged) if r.sent == 100_000 and r.status == 206)
    assert ranged[dropped + 1].range_start == ranged[dropped].range_start + 100_000  # not from zero
    sql = "SELECT * FROM stop_searches ORDER BY month, row_key"
    assert _rows(resumed, sql) == _rows(clean, sql)
    sha = "SELECT source_name, sha256 FROM manifest ORDER BY 1"
    assert _rows(resumed, sha) == _rows(clean, sha)


def test_a_server_without_range_support_gets_one_whole_download(archive, tmp_path):
    lake = Lake(tmp_path / "lake")
    months = ["2024-01", "2024-02"]
    with FakeServer() as srv:
        _serve(srv, archive, ranges=False)
        srv.script(ARCHIVE, Drop(after=1_000_000))  # and it drops once: no resume, so from zero
        report = _fetch(srv, lake, tmp_path / "cache", force="city-of-london", first="2024-01",
                        last="2024-02", kinds=["street"])
        again = _fetch(srv, lake, tmp_path / "cache", force="city-of-london", first="2024-01",
                       last="2024-02", kinds=["street"])
        log = [(r.status, r.sent) for r in srv.requests_to(ARCHIVE)]
    assert report.ok and again.ok, report.errors + again.errors
    assert report.whole_downloads == [srv.url + ARCHIVE]
    # Dropped, then from zero (Range ignored); the repeat is answered from the cache (304).
    assert log == [(200, 1_000_000), (200, len(archive.data)), (304, 0)]
    assert [f.status for f in again.ingest.files] == ["unchanged"] * 2
    assert _lake_street_counts(lake, "city-of-london") == _street_counts(archive, "city-of-london", months)


def test_a_whole_download_resumes_with_range_when_the_server_allows_it(archive, tmp_path):
    lake = Lake(tmp_path / "lake")

    def allow_ranges(srv):
        srv.resources[ARCHIVE].ranges = True

    with FakeServer() as srv:
        _serve(srv, archive, ranges=False)
        srv.script(ARCHIVE, Drop(after=700_000), Mutate(allow_ranges, when=lambda r: r.range is not None
                                                        and r.range_start > 0))
        report = _fetch(srv, lake, None, force="city-of-london", first="2024-03", last="2024-03",
                        kinds=["street"])
        log = [(r.status, r.range_start, r.sent) for r in srv.requests_to(ARCHIVE)]
    assert report.ok, report.errors
    assert log == [(200, 0, 700_000), (206, 700_000, len(archive.data) - 700_000)]
    assert _lake_street_counts(lake, "city-of-london") == _street_counts(archive, "city-of-london", ["2024-03"])


def test_429_with_retry_after_and_503_are_retried(archive, tmp_path):
    lake = Lake(tmp_path / "lake")
    sleeps: list[float] = []
    with FakeServer() as srv:
        _serve(srv, archive)
        srv.script("/api/crimes-street-dates", Respond(429, {"Retry-After": "7"}))
        srv.script(ARCHIVE, Respond(503), Respond(503))
        report = _fetch(srv, lake, None, sleeps=sleeps, force="city-of-london", first="2024-04",
                        last="2024-04", kinds=["street"])
        statuses = [r.status for r in srv.requests_to("/api/crimes-street-dates")] + \
                   [r.status for r in srv.requests_to(ARCHIVE)][:3]
    assert report.ok, report.errors
    assert statuses == [429, 200, 503, 503, 206]
    assert sleeps[0] == 7.0  # Retry-After honoured
    assert 0.25 <= sleeps[1] <= 0.5 and 0.5 <= sleeps[2] <= 1.0  # backoff with jitter, doubling
    assert _lake_street_counts(lake, "city-of-london") == _street_counts(archive, "city-of-london", ["2024-04"])


def test_a_second_fetch_of_an_unchanged_archive_transfers_nothing(archive, tmp_path):
    lake, cache = Lake(tmp_path / "lake"), tmp_path / "cache"
    kw = dict(force="city-of-london", first="2023-10", last="2024-03", kinds=["street"])
    with FakeServer() as srv:
        _serve(srv, archive)
        first = _fetch(srv, lake, cache, **kw)
        before = srv.bytes_sent[ARCHIVE]
        n = len(srv.requests_to(ARCHIVE))
        second = _fetch(srv, lake, cache, **kw)
        again = srv.requests_to(ARCHIVE)[n:]
        assert srv.bytes_sent[ARCHIVE] == before  # not one byte of the archive
        etag = srv.resources[ARCHIVE].etag
        # A new version (same bytes, new ETag) is noticed and read again.
        srv.replace(ARCHIVE, archive.data, etag='"v2"')
        third = _fetch(srv, lake, cache, **kw)
        assert srv.bytes_sent[ARCHIVE] > before
    assert first.ok and second.ok and third.ok
    assert [(r.status, r.headers.get("if-none-match")) for r in again] == [(304, etag)]
    assert [f.status for f in first.ingest.files] == ["loaded"] * 6  # 2023-10 … 2024-03
    assert [f.status for f in second.ingest.files] == ["unchanged"] * 6
    assert [f.status for f in third.ingest.files] == ["unchanged"] * 6
    assert second.bytes_transferred == 0


@pytest.mark.parametrize("honours_if_match", [True, False])
def test_an_etag_change_mid_download_is_an_error(archive, tmp_path, honours_if_match):
    lake = Lake(tmp_path / "lake")
    member = "2024-02/2024-02-city-of-london-street.csv"
    other = archive.data[:100] + bytes([archive.data[100] ^ 1]) + archive.data[101:]  # another version

    with FakeServer() as srv:
        _serve(srv, archive, conditional=honours_if_match)
        srv.script(ARCHIVE, Mutate(lambda s: s.replace(ARCHIVE, other), when=_in_member(archive, member)))
        report = _fetch(srv, lake, tmp_path / "cache", force="city-of-london", first="2024-01",
                        last="2024-03", kinds=["street"])
    assert not report.ok
    assert len(report.errors) == 1 and "changed on the server during the download" in report.errors[0]
    # 2024-01 was read whole from the old version before the change; nothing was mixed.
    assert [(f.month, f.status) for f in report.ingest.files] == [("2024-01", "loaded")]
    assert _lake_street_counts(lake, "city-of-london") == _street_counts(archive, "city-of-london", ["2024-01"])


def test_months_police_uk_has_not_published_are_reported(archive, tmp_path):
    lake = Lake(tmp_path / "lake")
    with FakeServer() as srv:
        _serve(srv, archive)
        dates = [{"date": m, "stop-and-search": ["city-of-london"]}
                 for m in reversed(month_range("2021-05", "2024-04")) if m != "2024-03"]
        srv.add_json("/api/crimes-street-dates", dates)
        report = _fetch(srv, lake, None, force="city-of-london", first="2024-02", last="2024-06",
                        kinds=["street", "outcomes"])
    assert report.not_published == ["2024-03", "2024-05", "2024-06"]
    assert report.absent == ["2024-02 outcomes", "2024-04 outcomes"]
    assert [(f.month, f.dataset) for f in report.ingest.files] == [("2024-02", "crimes"), ("2024-04", "crimes")]


def test_cli_truncated_archive_fails_clearly_and_leaves_the_lake_as_it_was(archive, tmp_path):
    lake_dir, cache = tmp_path / "lake", tmp_path / "cache"
    args = ["--force", "city-of-london", "--from", "2024-01", "--to", "2024-01", "--kinds", "street",
            "--lake", str(lake_dir), "--cache", str(cache)]
    runner = CliRunner()
    with FakeServer() as srv:
        _serve(srv, archive)
        ok = runner.invoke(fetch_command, [*args, "--base-url", srv.url + "/"])
        assert ok.exit_code == 0, ok.output
        rows = len(_csv_rows(archive.members["2024-01/2024-01-city-of-london-street.csv"]))
        assert ok.stdout.startswith("city-of-london 2024-01 to 2024-01: 1 files: 1 loaded, 0 unchanged, 0 failed; "
                                    f"rows loaded {rows:,}, rejected 0; ")
        snapshot = {p: p.read_bytes() for p in sorted(lake_dir.rglob("*.parquet"))}
        srv.replace(ARCHIVE, archive.data[: len(archive.data) * 2 // 3])
        bad = runner.invoke(fetch_command, [*args, "--base-url", srv.url + "/"])
    assert bad.exit_code == 1
    assert f"{srv.url}{ARCHIVE}: not a readable zip archive" in bad.stderr
    assert "the archive may be truncated" in bad.stderr
    assert {p: p.read_bytes() for p in sorted(lake_dir.rglob("*.parquet"))} == snapshot


def test_cli_requires_force_and_from():
    result = CliRunner().invoke(fetch_command, ["--from", "2024-01"])
    assert result.exit_code == 2
    assert "--force and --from are required" in result.output
