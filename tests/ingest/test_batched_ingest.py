"""Many files in one DuckDB read load exactly what the one-file path loads, row for row.

``ingest_paths`` gathers files of one kind into batches (``ingest_batch``); a file the
batch cannot take as it is goes the one-file way (``ingest_source``), which names the
file, line and column of what is wrong. Real police.uk files from ../shared/data, plus
copies with a bad row and a wrong header in the middle of a batch, are ingested both
ways and compared: reports, every partition's rows and metadata, rejects and manifest.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyarrow.parquet as pq

import openbeat.ingest
from openbeat.datasets import POLICE_DATASETS
from openbeat.ingest import ingest_paths
from openbeat.ingest.police_csv import Source, connect, ingest_source
from openbeat.lake import Lake
from tests.conftest import SHARED_DATA, needs_shared_data

pytestmark = [needs_shared_data]

ARCHIVE = SHARED_DATA / "police_uk" / "archive"
MET = SHARED_DATA / "police_uk_subsets" / "metropolitan_burglary_only"
REAL = [
    *(ARCHIVE / m / f"{m}-city-of-london-street.csv" for m in ("2021-09", "2021-10", "2021-11", "2021-12")),
    ARCHIVE / "2023-03" / "2023-03-btp-street.csv",
    *(MET / m / f"{m}-metropolitan-street.csv.gz" for m in ("2022-02", "2022-03")),
    *(MET / m / f"{m}-metropolitan-outcomes.csv.gz" for m in ("2022-02", "2022-03")),
    ARCHIVE / "2023-03" / "2023-03-city-of-london-outcomes.csv",
    ARCHIVE / "2022-12" / "2022-12-metropolitan-stop-and-search.csv.gz",
    ARCHIVE / "2023-03" / "2023-03-city-of-london-stop-and-search.csv",
    ARCHIVE / "2023-03" / "2023-03-btp-stop-and-search.csv",
]


def manifest_rows_of(path: Path) -> int:
    """Rows of a shared file as counted when it was collected (MANIFEST.csv)."""
    rel = str(path.relative_to(SHARED_DATA))
    with open(SHARED_DATA / "MANIFEST.csv", newline="") as fh:
        return next(int(r["rows"]) for r in csv.DictReader(fh) if r["file"] == rel)


def sources(tmp_path: Path) -> list[Path]:
    """The real files, with two broken copies among the City of London street files."""
    good = tmp_path / "2021-10-test-force-street.csv"
    shutil.copyfile(REAL[1], good)
    lines = REAL[0].read_bytes().split(b"\r\n")
    fields = lines[7].split(b",")
    fields[5] = b"fifty-one"  # Latitude of the 7th data row: line 8 of the file
    lines[7] = b",".join(fields)
    bad_row = tmp_path / "2021-09-test-force-street.csv"
    bad_row.write_bytes(b"\r\n".join(lines))
    bad_header = tmp_path / "2021-11-test-force-street.csv"
    bad_header.write_bytes(REAL[2].read_bytes().replace(b"Crime type", b"Crime kind", 1))
    return [*REAL[:2], good, bad_row, bad_header, *REAL[2:]]


def comparable(lake: Lake) -> dict:
    out = {}
    for dataset in POLICE_DATASETS:
        for p in lake.partitions(dataset):
            table = pq.read_table(lake.partition_path(p))
            rejects = lake.rejects_path(p)
            out[p] = (
                [(f.name, str(f.type)) for f in table.schema], table.to_pylist(), lake.partition_metadata(p),
                pq.read_table(rejects).to_pylist() if rejects.exists() else None,
            )
    manifest = sorted(({k: v for k, v in r.items() if k not in ("ingested_at", "partition_sha256")}
                       for r in lake.manifest_rows()), key=lambda r: (r["dataset"], r["force"], r["month"]))
    return {"partitions": out, "manifest": manifest}


def test_batches_load_what_the_one_file_path_loads(tmp_path, monkeypatch):
    files = sources(tmp_path)
    batches = []
    real_batch = openbeat.ingest.ingest_batch

    def recording(lake, srcs, *, con):
        done = real_batch(lake, srcs, con=con)
        batches.append([(Path(s.path).name, r is not None) for s, r in zip(srcs, done)])
        return done

    monkeypatch.setattr(openbeat.ingest, "ingest_batch", recording)
    batched = ingest_paths(files, lake=Lake(tmp_path / "batched"))

    one_by_one = Lake(tmp_path / "one-by-one")
    reports = []
    with connect() as con:
        for f in files:
            try:
                reports.append(ingest_source(one_by_one, Source.from_path(f), con=con))
            except openbeat.ingest.IngestError as e:
                reports.append(openbeat.ingest.FileReport(str(f), "failed", error=str(e)))

    assert batched.files == reports
    assert comparable(Lake(tmp_path / "batched")) == comparable(one_by_one)

    # Batches of many files were read at once, one kind per batch; the broken copies went on their own.
    assert max(len(b) for b in batches) >= 4
    taken = {name: took for b in batches for name, took in b}
    assert taken["2021-10-test-force-street.csv"] and taken["2022-02-metropolitan-street.csv.gz"]
    assert not taken["2021-09-test-force-street.csv"] and not taken["2021-11-test-force-street.csv"]

    by_name = {Path(f.source).name: f for f in batched.files}
    for f in REAL:  # every row of every real file, as counted when the samples were collected
        assert by_name[f.name].rows_read == by_name[f.name].rows_loaded == manifest_rows_of(f), f.name
    bad_row = by_name["2021-09-test-force-street.csv"]
    assert (bad_row.status, bad_row.rows_rejected) == ("loaded", 1)
    assert bad_row.reject_examples == [
        "line 8, column Latitude: Error when converting column \"Latitude\". Could not convert string \"fifty-one\" "
        "to 'DOUBLE'"]
    bad_header = by_name["2021-11-test-force-street.csv"]
    assert bad_header.status == "failed"
    assert "2021-11-test-force-street.csv, line 1, column 'Crime type': wrong header" in bad_header.error
