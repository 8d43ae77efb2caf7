"""A large file alone in its batch is loaded in Arrow: exactly what the one-file path loads.

``ingest_batch`` hands a batch of one plain street or outcomes file to ``_load_arrow``
(pyarrow parses, checks and writes it); anything unusual sends it back to the one-file
path, which names the line and column. Real files, and copies made unusual in each way
the Arrow path must not take, are ingested both ways and compared: reports, rows,
schema, metadata, rejects and manifest.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import openbeat.ingest.police_csv as police_csv
from openbeat.ingest import ingest_paths
from openbeat.ingest.police_csv import Source, connect, ingest_source
from openbeat.lake import Lake
from tests.conftest import SHARED_DATA, needs_shared_data
from tests.ingest.test_batched_ingest import comparable

pytestmark = [needs_shared_data]

ARCHIVE = SHARED_DATA / "police_uk" / "archive"
MET = SHARED_DATA / "police_uk_subsets" / "metropolitan_burglary_only"


def _plain(src: Path, dest: Path) -> Path:
    dest.write_bytes(gzip.decompress(src.read_bytes()) if src.name.endswith(".gz") else src.read_bytes())
    return dest


def _edit_line(path: Path, line: int, edit) -> None:
    lines = path.read_bytes().split(b"\r\n")
    lines[line - 1] = edit(lines[line - 1])
    path.write_bytes(b"\r\n".join(lines))


def _field(i: int, value: bytes):
    def edit(raw: bytes) -> bytes:
        fields = raw.split(b",")
        fields[i] = value
        return b",".join(fields)
    return edit


CASES = {
    # name: (source, how to change the copy, taken by the Arrow path)
    "city street": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", None, True),
    "btp street, quoted names": (ARCHIVE / "2023-03" / "2023-03-btp-street.csv", None, True),
    "met street": (MET / "2022-02" / "2022-02-metropolitan-street.csv.gz", None, True),
    "met outcomes": (MET / "2022-03" / "2022-03-metropolitan-outcomes.csv.gz", None, True),
    "city outcomes": (ARCHIVE / "2023-03" / "2023-03-city-of-london-outcomes.csv", None, True),
    "repeated rows": (ARCHIVE / "2021-10" / "2021-10-city-of-london-street.csv", "repeat", True),
    "bad latitude": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (8, _field(5, b"fifty-one")), False),
    "nan latitude": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (9, _field(5, b"nan")), False),
    "latitude 91": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (9, _field(5, b"91.5")), False),
    "half a coordinate": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (9, _field(4, b"")), False),
    "other month": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (10, _field(1, b"2021-08")), False),
    "month 13": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (10, _field(1, b"2021-13")), False),
    "month in words": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (10, _field(1, b"Sept 2021")),
                       False),
    "no crime type": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (10, _field(9, b"")), False),
    "unknown crime type": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (10, _field(9, b"Piracy")), True),
    "quote inside a field": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv",
                             (11, _field(6, b'On or near "The" Street')), False),
    "text after a quote": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv",
                           (11, _field(6, b'"On or near"x')), False),
    "quoted field": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv",
                     (11, _field(6, b'"On or near ""The"" Street"')), True),
    "quoted line break": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv",
                          (11, _field(6, b'"On or near\r\nThe Street"')), False),
    "CR inside quotes": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv",
                         (11, _field(6, b'"On or near\rThe Street"')), False),
    "no final line break": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", "no final line break", True),
    "blank line": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (12, lambda raw: b""), False),
    "short row": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (12, lambda raw: raw.rsplit(b",", 2)[0]),
                  False),
    "stray CR": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (12, lambda raw: raw.replace(b",", b"\r,", 1)),
                 False),
    "not UTF-8": (ARCHIVE / "2021-09" / "2021-09-city-of-london-street.csv", (13, _field(6, b"On or near \xff")), False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_file_alone_loads_as_the_one_file_path_loads_it(tmp_path, monkeypatch, case):
    source, change, arrow = CASES[case]
    name = source.name.removesuffix(".gz")
    path = _plain(source, tmp_path / name)
    if change == "repeat":  # whole rows again: row keys are numbered by occurrence
        lines = path.read_bytes().split(b"\r\n")
        path.write_bytes(b"\r\n".join([*lines[:-1], *lines[5:40], lines[-1]]))
    elif change == "no final line break":
        path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    elif change is not None:
        _edit_line(path, *change)

    taken = []
    real = police_csv._load_arrow

    def recording(*args):
        report = real(*args)
        taken.append(report is not None)
        return report

    monkeypatch.setattr(police_csv, "_load_arrow", recording)
    batched = ingest_paths([path], lake=Lake(tmp_path / "batched"))
    assert taken == [arrow]

    one = Lake(tmp_path / "one")
    with connect() as con:
        try:
            reports = [ingest_source(one, Source.from_path(path), con=con)]
        except police_csv.IngestError as e:
            reports = [police_csv.FileReport(str(path), "failed", error=str(e))]
    assert batched.files == reports
    assert comparable(Lake(tmp_path / "batched")) == comparable(one)
    if arrow:
        assert reports[0].rows_loaded == reports[0].rows_read > 0 and reports[0].rows_rejected == 0
    if change == "repeat":  # 35 rows twice: repeated Crime IDs counted, every row key still unique
        assert reports[0].duplicates > 0
        keys = [r["row_key"] for rows in comparable(one)["partitions"].values() for r in rows[1]]
        assert len(set(keys)) == len(keys) and sum(k.endswith("-2") for k in keys) >= 35


def test_a_bad_month_is_rejected_alike_on_both_paths(tmp_path, monkeypatch):
    """Month 2021-13, a month in words and another month: the Arrow path declines the file,
    and the batch and the one-file path reject the same lines, column and reason."""
    name = "2021-09-city-of-london-street.csv"
    path = _plain(ARCHIVE / "2021-09" / name, tmp_path / name)
    for line, month in ((10, b"2021-13"), (11, b"2021-08"), (12, b"Sept 2021")):
        _edit_line(path, line, _field(1, month))
    taken = []
    real = police_csv._load_arrow
    monkeypatch.setattr(police_csv, "_load_arrow", lambda *args: taken.append(real(*args)) or taken[-1])
    batched = ingest_paths([path], lake=Lake(tmp_path / "batched"))
    assert taken == [None]
    one = Lake(tmp_path / "one")
    with connect() as con:
        reports = [ingest_source(one, Source.from_path(path), con=con)]
    assert batched.files == reports and reports[0].rows_rejected == 3
    assert comparable(Lake(tmp_path / "batched")) == comparable(one)
    rejects = [(r["source_name"], r["line"], r["column"], r["reason"])
               for p in one.partitions("crimes") for r in pq.read_table(one.rejects_path(p)).to_pylist()]
    assert rejects == [
        (name, 10, "Month", "Month 2021-13 is not a month (YYYY-MM)"),
        (name, 11, "Month", "Month 2021-08 disagrees with the file name month 2021-09"),
        (name, 12, "Month", "Month Sept 2021 is not a month (YYYY-MM)"),
    ]


def test_the_arrow_path_leaves_out_only_checks_another_check_implies():
    """Each check marked implied fails only rows a check the Arrow path keeps also fails;
    every unmarked check is in the Arrow path's condition."""
    fname = police_csv.parse_file_name("2021-09-city-of-london-street.csv")
    checks = police_csv._row_checks(fname.kind, fname)
    implied = [c for c in checks if c.implied]
    assert [c.column for c in implied] == ["Month"]
    kept = " OR ".join(f"({c.sql})" for c in checks if not c.implied)
    months = ["2021-09", "2021-13", "2021-00", "2021-9", "21-09", "Sept 2021", "2021-09 ", " 2021-09", "2021-08",
              "", "2021-09-01"]
    with connect() as con:
        con.execute("CREATE TABLE t AS SELECT " + ", ".join(
            f"NULL::{c.sql_type} AS {police_csv._q(c.header)}" for c in fname.kind.columns
            if c.header not in ("Month", "Crime type")) + ", 'Burglary' AS \"Crime type\", unnest(?) AS \"Month\"",
            [months])
        for c in implied:
            failing = con.execute(f'SELECT "Month", ({kept}) IS TRUE FROM t WHERE ({c.sql}) IS TRUE').fetchall()
            assert sorted(failing) == sorted((m, True) for m in months if m not in ("2021-09", "2021-08"))
    seen = []

    class Recording:
        def register(self, name, table):
            pass

        def sql(self, query, params=None):
            seen.append(query)
            raise police_csv.duckdb.Error("stop")

        execute = sql

        def unregister(self, name):
            pass

    with pytest.raises(police_csv.duckdb.Error):
        police_csv._arrow_keys(Recording(), police_csv.pa.table({"x": [1]}), fname.kind, fname)
    assert all(c.sql in seen[0] for c in checks if not c.implied)
    assert not any(c.sql in seen[0] for c in implied)


@pytest.mark.parametrize("block", [1 << 14, 1 << 16])
@pytest.mark.parametrize("source", [MET / "2022-02" / "2022-02-metropolitan-street.csv.gz",
                                    MET / "2022-03" / "2022-03-metropolitan-outcomes.csv.gz"], ids=["street", "outcomes"])
def test_row_keys_stay_with_their_rows_when_arrow_reads_many_blocks(tmp_path, monkeypatch, block, source):
    """A Met-scale file is parsed in 4 MB blocks, one Arrow chunk each, and DuckDB scans the
    chunks on several threads. Small blocks make a real Met month many chunks: every row
    must still get the key the one-file path gives it (each row key is that row's)."""
    path = _plain(source, tmp_path / source.name.removesuffix(".gz"))
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([*lines[:-1], *lines[1:400], lines[-1]]))  # repeated rows too
    monkeypatch.setattr(police_csv, "_ARROW_BLOCK", block)
    taken = []
    real = police_csv._load_arrow
    monkeypatch.setattr(police_csv, "_load_arrow", lambda *args: taken.append(real(*args)) or taken[-1])
    ingest_paths([path], lake=Lake(tmp_path / "batched"))
    assert taken[0] is not None and taken[0].duplicates > 0
    one = Lake(tmp_path / "one")
    with connect() as con:
        ingest_source(one, Source.from_path(path), con=con)
    arrow, by_line = comparable(Lake(tmp_path / "batched")), comparable(one)
    assert arrow == by_line
    (rows,) = [rows for _, rows, _, _ in arrow["partitions"].values()]
    assert len(rows) > 800 and len({r["row_key"] for r in rows}) == len(rows)


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 22])
def test_the_plain_scan_counts_lines_and_finds_a_lone_cr_across_its_steps(monkeypatch, block):
    """The record count and the CR check are made a few MB at a time: a CRLF split across
    two steps is one line ending, a CR that ends the file or precedes anything but LF is not."""
    monkeypatch.setattr(police_csv, "_SCAN_BLOCK", block)
    scan = police_csv._plain_scan

    def lines(data: bytes) -> int | None:
        found = scan(data)
        return None if found is None else found.lines

    assert lines(b"a,b\r\n1,2\r\n3,4\r\n") == 2
    assert lines(b"a,b\n1,2\n3,4") == 2  # no final line break: the last line still counts
    assert lines(b"a,b\r\n1,2\r\n\r\n3,4\r\n") == 3  # a blank line is a record here, as for DuckDB
    assert lines(b"a,b\r\n1,\r2\r\n") is None
    assert lines(b"a,b\r\n1,2\r") is None
    assert lines(b"a,b\r\n1,2\r\r\n") is None
    assert lines(b'a,b\r\n"1\r\n",2\r\n') is None  # a line break inside quotes
    assert scan(b"a,b\r\n1,2\r\n").first_line == b"a,b\r"
