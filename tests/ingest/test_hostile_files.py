"""Hostile sources: compression bombs, wrong headers on huge members, monstrous header lines.
Each is stopped early with a clear error, and the lake is left as it was."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from openbeat.ingest import ingest_paths, ingest_sources
from openbeat.ingest.police_csv import Source
from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS, tree_digest, write

ROW = STREET_ROWS[0].replace("2023-03", "2024-03")


def bomb_bytes(megabytes: int, header: str = STREET_HEADER) -> bytes:
    """A valid-looking street file of identical rows: deflates about a thousand times."""
    body = (ROW + "\n").encode() * (megabytes * (1 << 20) // (len(ROW) + 1))
    return (header + "\n").encode() + body


class Counting(io.RawIOBase):
    """A stream that remembers how many bytes were read from it."""

    def __init__(self, data: bytes, seen: list[int]):
        self._inner, self._seen = io.BytesIO(data), seen

    def readable(self):
        return True

    def readinto(self, b):
        n = self._inner.readinto(b)
        self._seen[0] += n
        return n


@pytest.fixture
def loaded_lake(tmp_path, lake):
    f = write(tmp_path / "seed" / "2024-02-test-street.csv", STREET_HEADER,
              [r.replace("2023-03", "2024-02") for r in STREET_ROWS])
    assert ingest_paths([f], lake=lake).ok
    return lake


def test_a_zip_bomb_is_stopped_at_the_expansion_ratio(tmp_path, loaded_lake, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    archive = tmp_path / "2024-03.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2024-03/2024-03-test-street.csv", bomb_bytes(64))
    stored = zipfile.ZipFile(archive).infolist()[0].compress_size
    before = tree_digest(loaded_lake.root)
    report = ingest_paths([archive], lake=loaded_lake)
    fr = report.files[0]
    assert fr.status == "failed"
    assert fr.error.startswith(f"{archive}!2024-03/2024-03-test-street.csv: expands more than 100 times its "
                               f"stored size of {stored:,} bytes (a compression bomb?); stopped after ")
    assert tree_digest(loaded_lake.root) == before
    assert list((tmp_path / "tmp").iterdir()) == []  # the partial copy is gone


def test_a_gzip_bomb_is_stopped_while_duckdb_parses_it(tmp_path, loaded_lake):
    f = tmp_path / "2024-03-test-street.csv.gz"
    f.write_bytes(gzip.compress(bomb_bytes(64), mtime=0))
    before = tree_digest(loaded_lake.root)
    fr = ingest_paths([f], lake=loaded_lake).files[0]
    assert fr.status == "failed" and "expands more than 100 times its stored size" in fr.error, fr.error
    assert tree_digest(loaded_lake.root) == before


def test_the_size_limit_is_configurable(tmp_path, lake, monkeypatch):
    monkeypatch.setenv("OPENBEAT_INGEST_MAX_BYTES", "100000")
    archive = tmp_path / "2024-03.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("2024-03/2024-03-test-street.csv", bomb_bytes(1))
    fr = ingest_paths([archive], lake=lake).files[0]
    assert fr.error == (f"{archive}!2024-03/2024-03-test-street.csv: expands to more than 100,000 bytes; stopped "
                        "there (no police.uk file is that large; raise OPENBEAT_INGEST_MAX_BYTES if it is genuine)")
    monkeypatch.setenv("OPENBEAT_INGEST_MAX_BYTES", str(10 << 20))
    assert ingest_paths([archive], lake=lake).files[0].status == "loaded"


def test_a_huge_member_with_a_wrong_header_is_refused_from_its_first_bytes(lake):
    data = bomb_bytes(32, header=STREET_HEADER.replace("Month", "Mon"))
    seen = [0]
    src = Source("big.zip!2024-03-test-street.csv", "2024-03-test-street.csv",
                 lambda: io.BufferedReader(Counting(data, seen)), compressed_size=len(data) // 500)
    fr = ingest_sources([src], lake=lake).files[0]
    assert fr.error == ("big.zip!2024-03-test-street.csv, line 1, column 'Month': wrong header: column 2 should be "
                        "'Month', found 'Mon' (a police.uk street file has 12 columns: Crime ID, Month, Reported by, "
                        "Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime type, "
                        "Last outcome category, Context)")
    assert seen[0] <= 2 << 20, f"read {seen[0]:,} of {len(data):,} bytes before refusing"


@pytest.mark.parametrize("as_zip", [False, True])
def test_a_monstrous_header_is_quoted_back_in_a_few_words(tmp_path, lake, as_zip):
    header = "Crime ID,Mon" + "x" * 200_000 + ",Reported by"
    f = write(tmp_path / "2024-03-test-street.csv", header, [ROW])
    if as_zip:
        archive = tmp_path / "a.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.write(f, "2024-03-test-street.csv")
        f = archive
    fr = ingest_paths([f], lake=lake).files[0]
    assert fr.status == "failed" and len(fr.error) - len(fr.source) < 400, fr.error
    assert "the first line is longer than 65,536 bytes, so it is no police.uk header; it starts 'Crime ID,Monxxx" \
        in fr.error
    assert "… (200,023 characters)" not in fr.error  # said in bytes, not pasted whole


def test_a_long_wrong_column_name_is_cut(tmp_path, lake):
    header = "Crime ID,Mon" + "x" * 5_000 + "," + ",".join(STREET_HEADER.split(",")[2:])
    fr = ingest_paths([write(tmp_path / "2024-03-test-street.csv", header, [ROW])], lake=lake).files[0]
    assert "found 'Mon" + "x" * 77 + "… (5,003 characters)'" in fr.error
    assert len(fr.error) - len(fr.source) < 400


def test_a_rejected_line_too_long_to_keep_says_its_raw_text_was_cut(tmp_path, lake):
    huge = ROW.replace("On or near ,", "On or near " + "y" * (10 << 20) + ",extra,")
    fr = ingest_paths([write(tmp_path / "2024-03-test-street.csv", STREET_HEADER, [huge, ROW])], lake=lake).files[0]
    assert (fr.status, fr.rows_loaded, fr.rows_rejected) == ("loaded", 1, 1)
    con = lake.connect()
    (line, reason, raw), = con.execute("SELECT line, reason, raw FROM rejects").fetchall()
    assert line == 2 and len(raw) == 10_000 and raw.startswith(ROW[:40])
    assert reason.endswith("(the raw line is cut to its first 10,000 characters)")
