"""The web's one door to the lake: cached read-only DuckDB connections and the lake's state.

Views and API operations never open DuckDB; selectors call :func:`rows` / :func:`relations`
here, which reuse one connection per process and thread:

* **gunicorn workers.** A connection is made lazily in the process that uses it and is
  tied to that process id, so one inherited across a fork is never used.
* **threads.** A DuckDB connection must not be used by two threads at once, and a cursor
  would not see the connection's registered tables (the manifest), so each thread gets its
  own connection from ``Lake.connect()``.
* **ingest while serving.** Partitions are replaced by atomic rename, so a query sees a
  whole old or a whole new file. New datasets (a first ``areas`` load, a new force) only
  appear as views on a new connection, so the connection is rebuilt whenever
  :func:`lake_state` — a stat of every file the views read, at most every
  ``OPENBEAT_LAKE_CHECK_SECONDS`` — has changed. A query that still fails with an I/O
  error (a dataset removed under it) is retried once on a fresh connection.

:func:`lake_state` also gives the API its ETag and Last-Modified.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from django.conf import settings

from openbeat.lake import POLICE_DATASETS, Lake

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LakeState:
    """What the lake holds right now, as far as the web can tell from file metadata."""

    root: Path
    signature: str  # changes whenever any file the views read is added, replaced or removed
    last_modified: datetime | None  # newest file's mtime (UTC), None for an empty lake
    datasets: frozenset[str]  # reference datasets and police datasets with data

    @property
    def empty(self) -> bool:
        return not self.datasets


def get_lake() -> Lake:
    return Lake(settings.OPENBEAT_LAKE)


def _scan(root: Path) -> LakeState:
    entries: list[tuple[str, int, int, int]] = []
    datasets: set[str] = set()

    def add(path: str) -> bool:
        try:
            st = os.stat(path)
        except OSError:  # replaced or removed between listing and stat
            return False
        entries.append((path, st.st_mtime_ns, st.st_size, st.st_ino))
        return True

    try:
        tops = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        tops = []
    for top in tops:
        if not top.is_dir() or top.name.startswith("."):
            continue
        if top.name in (*POLICE_DATASETS, "rejects"):
            for part in sorted(Path(top.path).glob("force=*/month=*/*.parquet")):
                if not part.name.startswith(".") and add(str(part)) and top.name != "rejects":
                    datasets.add(top.name)
        elif top.name == "manifest":
            add(os.path.join(top.path, "manifest.jsonl"))
        elif add(os.path.join(top.path, "part.parquet")):
            datasets.add(top.name)
    digest = hashlib.sha256(repr((str(root), entries)).encode()).hexdigest()[:32]
    newest = max((e[1] for e in entries), default=None)
    last = datetime.fromtimestamp(newest / 1e9, tz=UTC).replace(microsecond=0) if newest else None
    return LakeState(root, digest, last, frozenset(datasets))


_state_lock = threading.Lock()
_state_cache: dict[Path, tuple[float, LakeState]] = {}


def lake_state(lake: Lake | None = None) -> LakeState:
    """The lake's current state, re-read from disk at most every OPENBEAT_LAKE_CHECK_SECONDS."""
    root = (lake or get_lake()).root
    now = time.monotonic()
    ttl = float(settings.OPENBEAT_LAKE_CHECK_SECONDS)
    with _state_lock:
        cached = _state_cache.get(root)
        if cached and ttl > 0 and now - cached[0] < ttl:
            return cached[1]
    state = _scan(root)
    with _state_lock:
        _state_cache[root] = (now, state)
    return state


class _Local(threading.local):
    pid: int | None = None
    root: Path | None = None
    signature: str | None = None
    con: duckdb.DuckDBPyConnection | None = None
    meta: dict | None = None  # catalogue facts about this connection (relations, columns)


_local = _Local()


def _open(lake: Lake) -> duckdb.DuckDBPyConnection:
    threads = int(settings.OPENBEAT_DUCKDB_THREADS) or None
    con = lake.connect(threads=threads)
    try:
        from openbeat.geo.rollup import crimes_with_areas  # crimes_geo etc.: crimes by ward and borough
    except ImportError:
        return con
    try:
        crimes_with_areas(con)  # read-only: no lake given, so nothing is written back
    except Exception:  # a half-loaded reference dataset must not take the site down
        log.exception("could not add the area views (crimes_geo …) over %s", lake.root)
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """This thread's connection, (re)opened when the process, lake folder or lake changed."""
    lake = get_lake()
    state = lake_state(lake)
    pid = os.getpid()
    if _local.con is None or _local.pid != pid or _local.root != lake.root or _local.signature != state.signature:
        if _local.con is not None and _local.pid == pid:
            try:
                _local.con.close()
            except duckdb.Error:
                pass
        _local.con = _open(lake)
        _local.pid, _local.root, _local.signature, _local.meta = pid, lake.root, state.signature, {}
    return _local.con


def reset() -> None:
    """Forget this thread's connection and the state cache (tests; after moving the lake)."""
    if _local.con is not None and _local.pid == os.getpid():
        try:
            _local.con.close()
        except duckdb.Error:
            pass
    _local.con = _local.pid = _local.root = _local.signature = _local.meta = None
    with _state_lock:
        _state_cache.clear()


def relations() -> set[str]:
    """Names of the views and tables queries can use on this connection."""
    con = connection()
    if "relations" not in _local.meta:
        _local.meta["relations"] = frozenset(
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    return set(_local.meta["relations"])


def columns(relation: str) -> list[str]:
    """Column names of a view or table ([] when it does not exist), cached per connection."""
    con = connection()
    key = ("columns", relation)
    if key not in _local.meta:
        _local.meta[key] = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [relation]).fetchall()]
    return list(_local.meta[key])


def memo(key: str, compute):
    """``compute()``'s value, kept until the lake changes (per connection, so per thread)."""
    connection()
    full = ("memo", key)
    if full not in _local.meta:
        _local.meta[full] = compute()
    return _local.meta[full]


def rows(sql: str, params: list | tuple | None = None) -> list[dict]:
    """Run a read-only query; each row as a dict of column name → value."""
    for attempt in (1, 2):
        con = connection()
        try:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        except duckdb.IOException:
            if attempt == 2:
                raise
            # a file listed when the view was made is gone: look at the lake again
            reset()
    raise AssertionError("unreachable")
