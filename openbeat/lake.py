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
import functools
import hashlib
import json
import os
import re
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from openbeat.datasets import POLICE_DATASETS, empty_select

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

#: The manifest's columns, (name, DuckDB type); :func:`manifest_schema` is the Arrow schema.
MANIFEST_COLUMNS = (
    ("source_path", "VARCHAR"),  # the path given, or "<zip>!<member>"
    ("source_name", "VARCHAR"),  # the file name police.uk gave it
    ("dataset", "VARCHAR"),
    ("force", "VARCHAR"),
    ("month", "DATE"),
    ("sha256", "VARCHAR"),  # of the bytes as read (compressed if .gz)
    ("bytes", "BIGINT"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_rejected", "BIGINT"),
    ("duplicates", "BIGINT"),  # rows whose Crime ID repeats an earlier row's (stop and search: identical rows)
    ("month_mismatches", "BIGINT"),  # stop-search rows dated outside the file month
    ("partition_sha256", "VARCHAR"),  # of the partition file written (tamper check)
    ("unknown_crime_types", "BIGINT"),  # rows loaded with a crime type police.uk does not use
    ("ingested_at", "TIMESTAMPTZ"),
    ("openbeat_version", "VARCHAR"),
)

#: The columns of every rejects file, (name, DuckDB type); :func:`rejects_schema` is the Arrow schema.
REJECTS_COLUMNS = (
    ("dataset", "VARCHAR"),
    ("force", "VARCHAR"),
    ("month", "DATE"),
    ("source_name", "VARCHAR"),
    ("line", "BIGINT"),
    ("column", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("raw", "VARCHAR"),
)

_PARTITIONS_COLUMNS = (("dataset", "VARCHAR"), ("force", "VARCHAR"), ("month", "DATE"))


def _arrow_schema(columns: tuple[tuple[str, str], ...]) -> pa.Schema:
    """The Arrow schema of (name, DuckDB type) columns.

    pyarrow is imported here, not at the top: commands that only query the lake through
    DuckDB (``openbeat locate``, a ward's profile) never load it.
    """
    import pyarrow as pa

    arrow = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DATE": pa.date32(),
             "TIMESTAMPTZ": pa.timestamp("us", tz="UTC")}
    return pa.schema([(name, arrow[t]) for name, t in columns])


@functools.cache
def manifest_schema() -> pa.Schema:
    """The Arrow schema of :meth:`Lake.read_manifest`'s table."""
    return _arrow_schema(MANIFEST_COLUMNS)


@functools.cache
def rejects_schema() -> pa.Schema:
    """The schema every rejects file is written with."""
    return _arrow_schema(REJECTS_COLUMNS)


_TMP_PREFIX = ".tmp-"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_REFERENCE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED = (*POLICE_DATASETS, "rejects", "manifest", "lake_partitions", "derived")


def default_root() -> Path:
    """``$OPENBEAT_LAKE`` if set, else a folder under the user's data directory."""
    env = os.environ.get("OPENBEAT_LAKE")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("openbeat")) / "lake"


#: The share of the machine's memory that the analytics stores of one host may hold together
#: (DuckDB's own default is 80 % for *each* connection: five web workers could ask for four
#: times the machine). A fifth leaves room beside them for Python, the app database and the
#: page cache; what does not fit is spilled to disk (:func:`store_spill_dir`).
STORE_MEMORY_SHARE = 0.2
#: Never less than this per store, however many processes share the machine.
STORE_MEMORY_FLOOR = 256 * 2**20


def store_memory(processes: int = 1) -> str:
    """DuckDB's ``memory_limit`` for a connection that builds or holds an analytics store:
    ``$OPENBEAT_STORE_MEMORY`` (a DuckDB size, e.g. ``1.5GB``) when set, else
    :data:`STORE_MEMORY_SHARE` of the machine's memory divided among the ``processes`` that
    each hold one (``openbeat serve`` sets the variable for its workers)."""
    env = os.environ.get("OPENBEAT_STORE_MEMORY", "").strip()
    if env:
        return env
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(total * STORE_MEMORY_SHARE / max(processes, 1), STORE_MEMORY_FLOOR) / 2**20:.0f}MiB"


def store_spill_dir() -> Path:
    """Where a store's DuckDB spills what exceeds its memory limit: ``$OPENBEAT_STORE_TEMP``,
    else a folder in the system's temporary directory (never the lake, which may be read-only)."""
    import tempfile

    return Path(os.environ.get("OPENBEAT_STORE_TEMP") or Path(tempfile.gettempdir()) / "openbeat-duckdb")


@functools.cache
def _made(folder: Path) -> Path:
    """``folder``, created once per process (not on every connection that spills to it)."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
        if not _REFERENCE_NAME.match(name) or name in _RESERVED:
            raise ValueError(f"{name!r} is not a valid reference dataset name")
        return self.root / name / "part.parquet"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest" / "manifest.jsonl"

    def partitions(self, dataset: str) -> list[Partition]:
        """The partitions of ``dataset`` whose folders follow the layout (others are :meth:`strays`)."""
        return [p for p, _ in self._partition_files(dataset)]

    def _partition_files(self, dataset: str) -> list[tuple[Partition, Path]]:
        out = []
        for f in sorted((self.root / dataset).glob("force=*/month=*/part.parquet")):
            try:
                out.append((Partition(dataset, f.parent.parent.name[6:], f.parent.name[6:]), f))
            except ValueError:  # e.g. month=2024-13 or a force folder with spaces: not ours
                continue
        return out

    def reference_names(self) -> list[str]:
        """Reference datasets present: folders named as :meth:`table_path` would name them."""
        if not self.root.is_dir():
            return []
        return sorted(f.parent.name for f in self.root.glob("*/part.parquet")
                      if _REFERENCE_NAME.match(f.parent.name) and f.parent.name not in _RESERVED)

    def strays(self) -> list[Path]:
        """Parquet files in the lake that no dataset owns (never read; ``status`` warns about them).

        A copy left beside the datasets (``old-copy/part.parquet``) or a folder whose name
        is not a month would otherwise become a view or a partition of the wrong name.
        """
        if not self.root.is_dir():
            return []
        known = {self.table_path(n) for n in self.reference_names()}
        for dataset in POLICE_DATASETS:
            known.update(f for _, f in self._partition_files(dataset))
        owned = (*POLICE_DATASETS, "rejects", "derived")
        out = []
        for f in sorted(self.root.rglob("*.parquet")):
            rel = f.relative_to(self.root).parts
            if f in known or rel[0] in ("rejects", "derived") or f.name.startswith(_TMP_PREFIX):
                continue
            if len(rel) == 2 or rel[0] in owned:
                out.append(f)
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
    def commit(tmp: Path, final: Path, *, synced: bool = False, sync_dir: bool = True) -> None:
        """Make ``tmp`` durable, then atomically put it where ``final`` is.

        ``synced``: the caller has already fsynced ``tmp`` (many at once, see
        :func:`fsync_all`). ``sync_dir=False``: the caller fsyncs the folder later; the
        rename is atomic either way, only its durability waits.
        """
        if not synced:
            fsync_all([tmp])
        os.replace(tmp, final)
        if sync_dir:
            fsync_all([final.parent])

    def write_table(self, final: Path, table: pa.Table) -> None:
        import pyarrow.parquet as pq

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
        its partition has been committed. A line cut short (or never written) by a crash is
        ignored: the partition it describes is then re-ingested by the next run, which writes
        the line, not misreported (:meth:`is_loaded` asks the partition's newest line).
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
        import pyarrow as pa

        return pa.Table.from_pylist(self.manifest_rows(), schema=manifest_schema())

    def append_manifest(self, rows: list[dict], *, sync: bool = True) -> None:
        """Add entries; caller must hold :meth:`lock`.

        ``sync=False`` leaves the fsync to the caller (:func:`fsync_all` on
        :attr:`manifest_path` once a batch is committed): the line is in the file for any
        reader or a killed process at once; a power cut before the fsync can lose it, and
        then the partition is re-ingested, as for any missing line (:meth:`is_loaded`).
        """
        if not rows:
            return
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps({k: _jsonable(r.get(k)) for k, _ in MANIFEST_COLUMNS}) + "\n" for r in rows)
        with open(self.manifest_path, "a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())

    def current_sha256(self, p: Partition) -> str | None:
        """sha256 of the source the partition was built from, read from the partition itself."""
        meta = self.partition_metadata(p)
        return meta.get("source_sha256") if meta else None

    def is_loaded(self, p: Partition, source_sha256: str) -> bool:
        """True when the partition holds, untouched, what ``source_sha256``'s file loaded.

        The hash inside the partition says which source it came from, but a file rewritten
        in place can carry that metadata along; so the partition's own bytes must also
        hash to what the manifest recorded when it was committed (older entries, written
        before that hash was kept, are checked by row count). Anything else is re-ingested.
        """
        meta = self.partition_metadata(p)
        if not meta or meta.get("source_sha256") != source_sha256:
            return False
        # The newest line for the partition, not any line with this hash: a run killed after
        # the rename and before its line leaves an older line of another source newest, and
        # an older line of this one (from an earlier load) would hide that; re-ingesting
        # then writes the missing line.
        entry = next((r for r in reversed(self.manifest_rows()) if r["dataset"] == p.dataset
                      and r["force"] == p.force and f"{r['month']:%Y-%m}" == p.month), None)
        if entry is None or entry["sha256"] != source_sha256:
            return False
        if entry.get("partition_sha256"):
            return file_sha256(self.partition_path(p)) == entry["partition_sha256"]
        return int(meta["num_rows"]) == entry["rows_loaded"]

    def partition_metadata(self, p: Partition) -> dict[str, str] | None:
        """The key-value metadata written with the partition, plus its row count."""
        import pyarrow.parquet as pq

        path = self.partition_path(p)
        try:
            md = pq.read_metadata(path)
        except FileNotFoundError:
            return None
        out = {k.decode(): v.decode() for k, v in (md.metadata or {}).items() if not k.startswith(b"ARROW")}
        out["num_rows"] = str(md.num_rows)
        return out

    # ---- reading ------------------------------------------------------------

    def connect(self, *, threads: int | None = None, sealed: bool = False,
                only: Collection[str] | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with one view per dataset over the lake.

        The lake is only read: files are replaced by rename, so queries see whole
        old or whole new partitions while an ingest runs. Only datasets the lake's own
        layout names become views (quoted identifiers over an explicit list of files).

        ``sealed``: a connection for SQL written by someone else (``openbeat query``).
        DuckDB itself then cannot touch a file or the network: the lake is handed to it
        as Arrow datasets (read-only by construction), ``enable_external_access`` is off
        with no allowed directories, extensions are neither installed nor loaded, and
        the configuration is locked so no statement can undo any of it. DuckDB's
        ``allowed_directories`` is not used because it permits writes inside them too.

        ``only``: just these datasets, views and tables (e.g. ``{"areas", "postcodes"}``),
        for a one-shot reader that would otherwise list and open every partition.

        ``memory_limit``: DuckDB's, e.g. :func:`store_memory` (the analytics store); what
        exceeds it is spilled to :func:`store_spill_dir`.
        """
        config = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false",
                  "allow_community_extensions": "false"} if sealed else {}
        import duckdb  # here, not at the top: `openbeat status` reads Parquet footers only

        con = duckdb.connect(":memory:", config=config)
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            spill = _made(store_spill_dir())
            con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
            con.execute(f"SET temp_directory = {_sql_str(str(spill))}")
        con.execute("SET TimeZone = 'UTC'")

        def parquet_view(name: str, files: list[Path], union: bool) -> None:
            if sealed:
                import pyarrow as pa
                import pyarrow.dataset as pads  # loads pandas: only for `openbeat query`
                import pyarrow.parquet as pq

                schemas = [pq.read_schema(f) for f in files]
                schema = pa.unify_schemas(schemas, promote_options="permissive") if union else schemas[0]
                con.register(name, pads.dataset([str(f) for f in files], schema=schema, format="parquet"))
            else:
                con.execute(f"CREATE VIEW {_ident(name)} AS SELECT * FROM {read_parquet_sql(files, union=union)}")

        def wanted(name: str) -> bool:
            return only is None or name in only

        listed = []  # (dataset, force, month) of every partition the views read
        for dataset in filter(wanted, POLICE_DATASETS):
            parts = self._partition_files(dataset)
            listed += [(p.dataset, p.force, p.month) for p, _ in parts]
            files = [f for _, f in parts]
            if files:
                parquet_view(dataset, files, union=True)
            else:
                con.execute(f"CREATE VIEW {dataset} AS {empty_select(dataset)}")
        rejects = [f for f in sorted((self.root / "rejects").glob("force=*/month=*/*.parquet"))
                   if f.stem in POLICE_DATASETS and not f.name.startswith(_TMP_PREFIX)] if wanted("rejects") else []
        if rejects:
            parquet_view("rejects", rejects, union=False)
        elif wanted("rejects"):
            _create_table(con, "rejects", REJECTS_COLUMNS, {n: [] for n, _ in REJECTS_COLUMNS})
        # Tables, not registered Arrow objects, so cursors of this connection see them too.
        if wanted("manifest"):
            rows = self.manifest_rows()
            _create_table(con, "manifest", MANIFEST_COLUMNS,
                          {n: [_utc(r.get(n)) for r in rows] for n, _ in MANIFEST_COLUMNS})
        # The partitions these views read, so figures that ask "which months were published?"
        # answer for this connection's state of the lake, not for whatever is on disk now.
        if wanted("lake_partitions"):
            _create_table(con, "lake_partitions", _PARTITIONS_COLUMNS, {
                "dataset": [d for d, _, _ in listed], "force": [f for _, f, _ in listed],
                "month": [date.fromisoformat(m + "-01") for _, _, m in listed]})
        for name in filter(wanted, self.reference_names()):
            parquet_view(name, [self.table_path(name)], union=False)
        if sealed:
            con.execute("SET python_enable_replacements = false")  # no Python variables as tables
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        return con


def _create_table(con: duckdb.DuckDBPyConnection, name: str, schema: tuple[tuple[str, str], ...],
                  columns: dict[str, list]) -> None:
    """A table of ``schema``'s (name, DuckDB type) columns from Python lists, handed to DuckDB as list parameters.

    Not through an Arrow table: building one from Python objects makes pyarrow import
    pandas (~0.4 s), which every one-shot command would then pay.
    """
    select = ", ".join(f"unnest(?::{t}[]) AS {_ident(n)}" for n, t in schema)
    con.execute(f"CREATE TABLE {name} AS SELECT {select}", [columns[n] for n, _ in schema])


def _utc(v):
    """Naive datetimes in the manifest are UTC (as Arrow read them); DuckDB is told so."""
    return v.replace(tzinfo=timezone.utc) if isinstance(v, datetime) and v.tzinfo is None else v


def fsync_all(paths: list[Path]) -> None:
    """fsync files or folders, several at once: the file system then commits its journal
    for many of them together (one by one, each fsync waits a few ms for its own)."""
    def one(path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    if len(paths) <= 1:
        for p in paths:
            one(p)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, len(paths))) as pool:
        list(pool.map(one, paths))


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _jsonable(v):
    return v.isoformat() if isinstance(v, (date, datetime)) else v


def read_parquet_sql(files: list[Path] | list[str], *, union: bool = True) -> str:
    """``read_parquet`` of exactly these files, as the lake's views read them (no hive
    columns; ``union``: columns matched by name across files), for a FROM clause."""
    listed = ", ".join(_sql_str(str(f)) for f in files)
    return f"read_parquet([{listed}], hive_partitioning=false, union_by_name={str(union).lower()})"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ReadOnlyError(ValueError):
    """SQL tried to reach a file, the network or the configuration where only reading the lake is allowed."""


def query(lake: Lake, sql: str) -> tuple[list[str], list[tuple]]:
    """Run SQL over the lake's views on a sealed connection; returns (column names, rows).

    The boundary is DuckDB's own (see :meth:`Lake.connect` with ``sealed=True``), not a
    check of the SQL text: any statement may run, but none can write or read a file,
    fetch anything or change a setting, and the lake reaches DuckDB only as data.
    Statements that build things (``CREATE TABLE``) touch only the in-memory database,
    which is gone when the query ends.
    """
    import duckdb

    statements = duckdb.extract_statements(sql)
    if not statements:
        raise ReadOnlyError("no SQL statement given")
    con = lake.connect(sealed=True)
    try:
        cur = None
        for st in statements:
            try:
                cur = con.execute(st)
            except duckdb.PermissionException as e:
                raise ReadOnlyError(
                    "openbeat query only reads the lake's views; files, the network and extensions are "
                    f"out of reach ({str(e).strip().splitlines()[0]})") from e
            except duckdb.InvalidInputException as e:
                if "configuration has been locked" not in str(e):
                    raise
                raise ReadOnlyError("openbeat query cannot change DuckDB's settings") from e
        if cur.description is None:
            return [], []
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
    unknown_crime_types: int = 0  # rows of a crime type police.uk does not use (loaded, counted)


def status(lake: Lake) -> tuple[list[PartitionStatus], dict[tuple[str, str], list[str]]]:
    """Each partition as it stands (read from its own files) and the months missing per (force, dataset).

    A month is missing when it lies between a force's first and last month of that
    dataset but has no partition (police.uk forces do skip months).
    """
    import pyarrow.parquet as pq

    parts = []
    for dataset in POLICE_DATASETS:
        for p in lake.partitions(dataset):
            meta = lake.partition_metadata(p) or {}
            rejects = lake.rejects_path(p)
            parts.append(PartitionStatus(
                p.force, p.dataset, p.month, int(meta.get("num_rows", -1)),
                pq.read_metadata(rejects).num_rows if rejects.exists() else 0,
                meta.get("source_name", "?"), int(meta.get("unknown_crime_types", 0)),
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
