"""The Parquet lake: layout, atomic writes, the manifest and read-only DuckDB views.

Layout (one file per partition, so replacing a partition is one ``os.replace``)::

    <root>/crimes/force=<slug>/month=<YYYY-MM>/part.parquet
    <root>/outcomes/force=<slug>/month=<YYYY-MM>/part.parquet
    <root>/stop_searches/force=<slug>/month=<YYYY-MM>/part.parquet
    <root>/rejects/force=<slug>/month=<YYYY-MM>/<dataset>.parquet
    <root>/manifest/manifest.jsonl                   (append-only, one JSON object a line)
    <root>/<reference dataset>/part.parquet          (areas, lookups, population …)

Every write goes to a temporary file in the destination folder and is then renamed
over the old file. POSIX rename is atomic, so a reader (or a crash) only ever sees
the whole old file or the whole new one. ``force`` and ``month`` are stored inside
each file too, and views read with ``hive_partitioning=false`` so a folder name can
never disagree with the data.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from platformdirs import user_data_dir

#: Partitioned police.uk datasets, each with one view of the same name.
POLICE_DATASETS = ("crimes", "outcomes", "stop_searches")

MANIFEST_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),  # the path given, or "<zip>!<member>"
        ("source_name", pa.string()),  # the file name police.uk gave it
        ("dataset", pa.string()),
        ("force", pa.string()),
        ("month", pa.date32()),
        ("sha256", pa.string()),  # of the bytes as read (compressed if .gz)
        ("bytes", pa.int64()),
        ("rows_read", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_rejected", pa.int64()),
        ("duplicates", pa.int64()),  # rows whose Crime ID repeats an earlier row's (stop and search: identical rows)
        ("month_mismatches", pa.int64()),  # stop-search rows dated outside the file month
        ("ingested_at", pa.timestamp("us", tz="UTC")),
        ("openbeat_version", pa.string()),
    ]
)

REJECTS_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("force", pa.string()),
        ("month", pa.date32()),
        ("source_name", pa.string()),
        ("line", pa.int64()),
        ("column", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)

_TMP_PREFIX = ".tmp-"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def default_root() -> Path:
    """``$OPENBEAT_LAKE`` if set, else a folder under the user's data directory."""
    env = os.environ.get("OPENBEAT_LAKE")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("openbeat")) / "lake"


@dataclass(frozen=True)
class Partition:
    dataset: str
    force: str
    month: str  # YYYY-MM

    def __post_init__(self) -> None:
        if self.dataset not in POLICE_DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}")
        if not _SLUG.match(self.force):
            raise ValueError(f"force slug {self.force!r} must be lower-case letters, digits and hyphens")
        if not _MONTH.match(self.month):
            raise ValueError(f"month {self.month!r} must be YYYY-MM")


class Lake:
    """One lake on disk. The only place that knows paths or opens DuckDB on the lake."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root).expanduser() if root else default_root()

    def __repr__(self) -> str:
        return f"Lake({str(self.root)!r})"

    # ---- layout -------------------------------------------------------------

    def partition_path(self, p: Partition) -> Path:
        return self.root / p.dataset / f"force={p.force}" / f"month={p.month}" / "part.parquet"

    def rejects_path(self, p: Partition) -> Path:
        return self.root / "rejects" / f"force={p.force}" / f"month={p.month}" / f"{p.dataset}.parquet"

    def table_path(self, name: str) -> Path:
        """A whole, unpartitioned reference dataset (areas, lookups, population …)."""
        if not re.match(r"^[a-z][a-z0-9_]*$", name) or name in (*POLICE_DATASETS, "rejects", "manifest"):
            raise ValueError(f"{name!r} is not a valid reference dataset name")
        return self.root / name / "part.parquet"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest" / "manifest.jsonl"

    def partitions(self, dataset: str) -> list[Partition]:
        out = []
        for f in sorted((self.root / dataset).glob("force=*/month=*/part.parquet")):
            out.append(Partition(dataset, f.parent.parent.name[6:], f.parent.name[6:]))
        return out

    # ---- atomic writes ------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Serialise writers (manifest read-modify-write); readers never take it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def temp_path(self, final: Path) -> Path:
        """A temporary file beside ``final``; carries our pid so stale ones can be swept."""
        final.parent.mkdir(parents=True, exist_ok=True)
        return final.parent / f"{_TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-{final.name}"

    @staticmethod
    def commit(tmp: Path, final: Path) -> None:
        """Make ``tmp`` durable, then atomically put it where ``final`` is."""
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def write_table(self, final: Path, table: pa.Table) -> None:
        tmp = self.temp_path(final)
        try:
            pq.write_table(table, tmp, compression="zstd")
            self.commit(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)

    def write_reference(self, name: str, table: pa.Table) -> Path:
        """Replace a reference dataset (e.g. ``lsoa_boundaries``) atomically."""
        path = self.table_path(name)
        self.write_table(path, table)
        return path

    def sweep_temp_files(self) -> int:
        """Remove temporary files left by writers that died (their pid is gone)."""
        removed = 0
        if not self.root.exists():
            return 0
        for tmp in self.root.rglob(f"{_TMP_PREFIX}*"):
            try:
                pid = int(tmp.name[len(_TMP_PREFIX) :].split("-", 1)[0])
            except ValueError:
                continue
            if pid != os.getpid() and not _pid_alive(pid):
                tmp.unlink(missing_ok=True)
                removed += 1
        return removed

    # ---- manifest -----------------------------------------------------------

    def manifest_rows(self) -> list[dict]:
        """Every manifest entry, oldest first, with dates and times as Python objects.

        The manifest is append-only JSON lines; an entry is appended (and fsynced) after
        its partition has been committed. A line cut short by a crash is ignored: the
        partition it describes is then re-ingested by the next run, not misreported.
        """
        if not self.manifest_path.exists():
            return []
        rows = []
        with open(self.manifest_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                row["month"] = date.fromisoformat(row["month"])
                row["ingested_at"] = datetime.fromisoformat(row["ingested_at"])
                rows.append(row)
        return rows

    def read_manifest(self) -> pa.Table:
        return pa.Table.from_pylist(self.manifest_rows(), schema=MANIFEST_SCHEMA)

    def append_manifest(self, rows: list[dict]) -> None:
        """Add entries; caller must hold :meth:`lock`."""
        if not rows:
            return
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps({k: _jsonable(r[k]) for k in MANIFEST_SCHEMA.names}) + "\n" for r in rows)
        with open(self.manifest_path, "a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())

    def current_sha256(self, p: Partition) -> str | None:
        """sha256 of the source the partition was built from, read from the partition itself."""
        meta = self.partition_metadata(p)
        return meta.get("source_sha256") if meta else None

    def partition_metadata(self, p: Partition) -> dict[str, str] | None:
        """The key-value metadata written with the partition, plus its row count."""
        path = self.partition_path(p)
        try:
            md = pq.read_metadata(path)
        except FileNotFoundError:
            return None
        out = {k.decode(): v.decode() for k, v in (md.metadata or {}).items() if not k.startswith(b"ARROW")}
        out["num_rows"] = str(md.num_rows)
        return out

    # ---- reading ------------------------------------------------------------

    def connect(self, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with one view per dataset over the lake.

        The lake is only read: files are replaced by rename, so queries see whole
        old or whole new partitions while an ingest runs.
        """
        con = duckdb.connect(":memory:")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET TimeZone = 'UTC'")
        from openbeat.ingest.kinds import empty_select  # schema of each police dataset

        for dataset in POLICE_DATASETS:
            files = self.root / dataset
            if any(files.glob("force=*/month=*/part.parquet")):
                src = _sql_str(str(files / "force=*" / "month=*" / "part.parquet"))
                con.execute(
                    f"CREATE VIEW {dataset} AS SELECT * FROM read_parquet({src}, "
                    "hive_partitioning=false, union_by_name=true)"
                )
            else:
                con.execute(f"CREATE VIEW {dataset} AS {empty_select(dataset)}")
        rejects = self.root / "rejects"
        if any(rejects.glob("force=*/month=*/*.parquet")):
            src = _sql_str(str(rejects / "force=*" / "month=*" / "*.parquet"))
            con.execute(f"CREATE VIEW rejects AS SELECT * FROM read_parquet({src}, hive_partitioning=false)")
        else:
            _create_table(con, "rejects", REJECTS_SCHEMA.empty_table())
        # Tables, not registered Arrow objects, so cursors of this connection see them too.
        _create_table(con, "manifest", self.read_manifest())
        for ref in sorted(self.root.glob("*/part.parquet")):
            name = ref.parent.name
            if name not in POLICE_DATASETS:
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_sql_str(str(ref))})")
        return con


def _create_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register("_arrow_in", table)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM _arrow_in")
    con.unregister("_arrow_in")


def _jsonable(v):
    return v.isoformat() if isinstance(v, (date, datetime)) else v


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ReadOnlyError(ValueError):
    """SQL that would change something was given where only reading is allowed."""


_READ_ONLY = {"SELECT", "EXPLAIN"}


def query(lake: Lake, sql: str) -> tuple[list[str], list[tuple]]:
    """Run read-only SQL over the lake's views; returns (column names, rows).

    Only SELECT (including WITH, DESCRIBE, SUMMARIZE) and EXPLAIN statements are run,
    so COPY, ATTACH, INSTALL and the like are refused before anything executes.
    """
    statements = duckdb.extract_statements(sql)
    if not statements:
        raise ReadOnlyError("no SQL statement given")
    for st in statements:
        if st.type.name not in _READ_ONLY:
            raise ReadOnlyError(f"only SELECT queries are allowed, not {st.type.name}")
    con = lake.connect()
    try:
        cur = None
        for st in statements:
            cur = con.execute(st)
        return [d[0] for d in cur.description], cur.fetchall()
    finally:
        con.close()


@dataclass(frozen=True)
class PartitionStatus:
    force: str
    dataset: str
    month: str
    rows: int
    rejected: int
    source: str


def status(lake: Lake) -> tuple[list[PartitionStatus], dict[tuple[str, str], list[str]]]:
    """Each partition as it stands (read from its own files) and the months missing per (force, dataset).

    A month is missing when it lies between a force's first and last month of that
    dataset but has no partition (police.uk forces do skip months).
    """
    parts = []
    for dataset in POLICE_DATASETS:
        for p in lake.partitions(dataset):
            meta = lake.partition_metadata(p) or {}
            rejects = lake.rejects_path(p)
            parts.append(PartitionStatus(
                p.force, p.dataset, p.month, int(meta.get("num_rows", -1)),
                pq.read_metadata(rejects).num_rows if rejects.exists() else 0,
                meta.get("source_name", "?"),
            ))
    parts.sort(key=lambda s: (s.force, s.dataset, s.month))
    missing: dict[tuple[str, str], list[str]] = {}
    by_key: dict[tuple[str, str], set[str]] = {}
    for s in parts:
        by_key.setdefault((s.force, s.dataset), set()).add(s.month)
    for key, months in by_key.items():
        gaps = [m for m in month_range(min(months), max(months)) if m not in months]
        if gaps:
            missing[key] = gaps
    return parts, missing


def month_range(first: str, last: str) -> list[str]:
    """Inclusive list of YYYY-MM strings."""
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
