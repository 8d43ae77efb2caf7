"""Ingest throughput and peak memory against two references on the same files.

    .venv/bin/python benchmarks/ingest.py [--data ../shared/data] [--repeat 3]

Workloads:
  (a) every police.uk CSV in ../shared/data (street, outcomes, stop-and-search; plain
      and .gz; 162 files of City of London, BTP and the Met);
  (b) a Met-scale month: one street file of ~240,000 rows made by concatenating every
      real street row in ../shared/data (Met burglary 2022-02..2025-02, City of London
      2021-09..2025-09, BTP) and relabelling Month to 2024-01. Real rows, real field
      shapes; larger than a real Met month (~90,000 street rows).

  (c) many small files, the common case (a police.uk monthly archive is ~130 files, most
      of them small): 16 real Met street months (2023-01..2024-04, .csv.gz as stored
      here) copied under 12 force names: 192 files.

Contenders, each in a fresh subprocess so its peak RSS is its own:
  openbeat  — `openbeat.ingest.ingest_paths` into an empty lake (validation, rejects,
              row keys, manifest, atomic partitions);
  duckdb    — `COPY (SELECT * FROM read_csv(f)) TO 'f.parquet'`, no validation: the
              practical ceiling file by file;
  duckdb-one — DuckDB's own partitioned write of the same rows: one
              `COPY (SELECT … FROM read_csv([every file of a kind])) TO … (PARTITION_BY (force, month))`
              per file kind, no validation: the ceiling for many files;
  pandas    — `pandas.read_csv(f).to_parquet(...)`.
  pyarrow   — the floor of openbeat's Arrow path (one large file): its own parse (pyarrow's
              CSV reader, the kind's column types, jemalloc's pool) and its own write
              (pyarrow's Parquet writer, zstd 1, 122,880-row groups), file by file, with no
              checks, row keys, hashes, commit or manifest;
  polars    — `polars.read_csv(f).write_parquet(...)` (zstd 1): a CSV reader and a Parquet
              writer that both use every core. Not a dependency: run it only where polars
              is installed (`--contenders polars`); not among the defaults.
Figures are the best of --repeat runs (wall time after imports), rows/s, and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openbeat.datasets import parse_file_name  # noqa: E402

CONTENDERS = ("openbeat", "duckdb", "duckdb-one", "pandas", "pyarrow", "polars")
#: Run unless --contenders says otherwise (polars is not installed with openbeat).
DEFAULT_CONTENDERS = ("openbeat", "duckdb", "duckdb-one", "pandas")
#: Forces whose names workload (c) copies one force's street files under (police.uk slugs).
COPY_FORCES = ("avon-and-somerset", "bedfordshire", "cambridgeshire", "cheshire", "cleveland", "cumbria",
               "derbyshire", "devon-and-cornwall", "dorset", "durham", "dyfed-powys", "essex")


def police_files(data: Path) -> list[Path]:
    roots = [data / "police_uk" / "archive", data / "police_uk_subsets"]
    return sorted(p for r in roots for p in r.rglob("*") if p.is_file() and parse_file_name(p.name))


def build_met_scale_month(data: Path, out: Path) -> tuple[Path, int]:
    path = out / "2024-01-metropolitan-street.csv"
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = None
        for f in police_files(data):
            if parse_file_name(f.name).kind.file_kind != "street":
                continue
            raw = gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()
            reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
            header = next(reader)
            if writer is None:
                writer = csv.writer(fh, lineterminator="\r\n")
                writer.writerow(header)
            for row in reader:
                row[1] = "2024-01"
                writer.writerow(row)
                n += 1
    return path, n


def build_many_forces(data: Path, out: Path) -> tuple[list[Path], int]:
    """Workload (c): 16 real Met street months (2023-01..2024-04, as published: .csv.gz) under 12 force names."""
    root = data / "police_uk_subsets" / "metropolitan_burglary_only"
    months = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)][:16]
    files, n = [], 0
    for month in months:
        src = root / month / f"{month}-metropolitan-street.csv.gz"
        rows = gzip.decompress(src.read_bytes()).count(b"\n") - 1
        for force in COPY_FORCES:
            dest = out / force / f"{month}-{force}-street.csv.gz"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            files.append(dest)
            n += rows
    return files, n


def _one_statement(con, files: list[str], work: str) -> int:
    """DuckDB's own partitioned write: one COPY per file kind, every file of the kind in one read_csv."""
    by_kind: dict[str, list[str]] = {}
    for f in files:
        by_kind.setdefault(parse_file_name(Path(f).name).kind.file_kind, []).append(f)
    rows = 0
    for kind, group in by_kind.items():
        listed = "[" + ", ".join(f"'{f}'" for f in group) + "]"
        name = r"'(\d{4}-\d{2})-([a-z0-9-]+?)-(street|outcomes|stop-and-search)\.csv'"
        out = Path(work) / kind
        con.execute(
            f"COPY (SELECT * EXCLUDE (filename), regexp_extract(filename, {name}, 2) AS force, "
            f"regexp_extract(filename, {name}, 1) AS month FROM read_csv({listed}, filename = true, "
            f"union_by_name = true)) TO '{out}' (FORMAT parquet, PARTITION_BY (force, month))")
        rows += con.execute(f"SELECT count(*) FROM read_parquet('{out}/*/*/*.parquet')").fetchone()[0]
    return rows


def run_one(contender: str, files: list[str], work: str) -> None:
    """Runs inside the child process. Imports happen before the clock starts."""
    if contender == "openbeat":
        from openbeat.ingest import ingest_paths
        from openbeat.lake import Lake
    elif contender in ("duckdb", "duckdb-one"):
        import duckdb
    elif contender == "pyarrow":
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        from openbeat.ingest.police_csv import _ARROW_TYPES, _ROW_GROUP, _arrow_pool
    elif contender == "polars":
        import polars as pl
    else:
        import pandas as pd
    start, cpu = time.perf_counter(), time.process_time()
    if contender == "openbeat":
        report = ingest_paths(files, lake=Lake(Path(work) / "lake"))
        assert report.ok, [f.error for f in report.failed]
        rows = report.totals()["rows_loaded"]
    elif contender == "duckdb":
        con = duckdb.connect()
        rows = 0
        for i, f in enumerate(files):
            out = Path(work) / f"{i}.parquet"
            con.execute(f"COPY (SELECT * FROM read_csv('{f}')) TO '{out}' (FORMAT parquet)")
            rows += con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
    elif contender == "duckdb-one":
        rows = _one_statement(duckdb.connect(), files, work)
    elif contender == "pyarrow":
        rows, pool = 0, _arrow_pool()
        for i, f in enumerate(files):
            kind = parse_file_name(Path(f).name).kind
            types = {c.header: _ARROW_TYPES.get(c.sql_type, pa.string()) for c in kind.columns}
            table = pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=True), memory_pool=pool)
            pq.write_table(table, Path(work) / f"{i}.parquet", compression="zstd", compression_level=1,
                           row_group_size=_ROW_GROUP, memory_pool=pool)
            rows += table.num_rows
    elif contender == "polars":
        rows = 0
        for i, f in enumerate(files):
            kind = parse_file_name(Path(f).name).kind
            frame = pl.read_csv(f, schema_overrides={c.header: pl.Float64 if c.sql_type == "DOUBLE" else pl.String
                                                     for c in kind.columns if c.sql_type in ("DOUBLE", "VARCHAR")})
            frame.write_parquet(Path(work) / f"{i}.parquet", compression="zstd", compression_level=1,
                                row_group_size=122_880)
            rows += frame.height
    else:
        rows = 0
        for i, f in enumerate(files):
            df = pd.read_csv(f, low_memory=False)
            df.to_parquet(Path(work) / f"{i}.parquet")
            rows += len(df)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_mb, "cpu_seconds": time.process_time() - cpu}))


def measure(contender: str, files: list[Path], repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="openbeat-bench-") as work:
            out = subprocess.run(
                [sys.executable, __file__, "--child", contender, "--work", work, *map(str, files)],
                capture_output=True, text=True, check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def report(title: str, results: dict[str, dict]) -> None:
    refs = [r for r in ("duckdb", "duckdb-one", "pandas", "pyarrow") if r in results]
    print(f"\n{title}")
    print(f"{'contender':<11} {'rows':>9} {'seconds':>8} {'CPU s':>6} {'rows/s':>10} {'peak MB':>8} "
          + " ".join(f"{'× ' + r:>12}" for r in refs))
    for name, r in results.items():
        print(f"{name:<11} {r['rows']:>9,} {r['seconds']:>8.2f} {r.get('cpu_seconds', 0):>6.2f} "
              f"{r['rows'] / r['seconds']:>10,.0f} "
              f"{r['peak_mb']:>8.0f} " + " ".join(f"{results[ref]['seconds'] / r['seconds']:>12.2f}" for ref in refs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workloads", default="abc", help="which of a, b, c to run (default: all)")
    ap.add_argument("--contenders", default=",".join(DEFAULT_CONTENDERS),
                    help=f"comma-separated subset of {', '.join(CONTENDERS)} (default: {', '.join(DEFAULT_CONTENDERS)})")
    ap.add_argument("--child", choices=CONTENDERS)
    ap.add_argument("--work")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.child:
        run_one(args.child, args.files, args.work)
        return
    if not (args.data / "MANIFEST.csv").exists():
        sys.exit(f"no real data at {args.data}: this benchmark needs ../shared/data")
    contenders = [c for c in args.contenders.split(",") if c]
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; best of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.1f}")

    def run(title: str, files: list[Path]) -> None:
        report(title, {c: measure(c, files, args.repeat) for c in contenders})

    if "a" in args.workloads:
        files = police_files(args.data)
        run(f"(a) every police.uk CSV in {args.data} ({len(files)} files)", files)
    tmp = Path(tempfile.mkdtemp(prefix="openbeat-bench-data-"))
    try:
        if "b" in args.workloads:
            big, n = build_met_scale_month(args.data, tmp)
            run(f"(b) a Met-scale street month: {n:,} real rows in one file ({big.stat().st_size / 1e6:.0f} MB)",
                [big])
        if "c" in args.workloads:
            many, n = build_many_forces(args.data, tmp / "many")
            run(f"(c) many small files: {len(many)} real street files, one force's 16 months under "
                f"{len(COPY_FORCES)} force names, {n:,} rows", many)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
