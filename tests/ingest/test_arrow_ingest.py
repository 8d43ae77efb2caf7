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
