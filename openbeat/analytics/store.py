"""The analytical store: one read-only DuckDB connection per process over the lake.

It adds the geography roll-up views (``crimes_geo``, ``outcomes_geo``,
``stop_searches_geo``) and small in-memory aggregates that every figure is built from:

``crime_counts``
    crimes per (force, month, crime type, LSOA 2021, ward, borough, outcome group);
``stop_search_counts``
    searches per (force, month, LSOA 2021, ward, borough, self-defined ethnicity, officer
    ethnicity, legislation, object, outcome, outcome linked);
``crime_forces``
    each force with crimes, and its name as its files give it (``falls_within``);
``stop_search_people``
    searches, arrests and searches with an outcome per (force, month, LSOA 2021, ward,
    borough, age range, gender);
``crime_points``
    located crimes per (force, month, borough, ward, crime type, map point): the hot spot
    maps' points. Kept on disk only (:data:`ON_DISK`), never loaded into memory.

A figure that needs the rows themselves (a ward's hot spot map needs each crime's
coordinates) reads only the partitions of the forces and months it asks about
(:meth:`Store.partitions_sql`), so its cost follows the area, not the size of the lake.

Aggregating once turns a ward profile over millions of crimes into a filter over a few
hundred thousand sorted rows. The aggregates are rebuilt when the lake changes (its
manifest or a reference dataset is rewritten); the check is a handful of ``stat`` calls.
They are also kept on disk, ``<lake>/derived/<name>-<fingerprint>.parquet``, built by the
first process that needs them (under a lock) and read by every other — web workers start
in a fraction of a second even on a Met-sized lake. Queries use :meth:`Store.cursor`, so
threads (web workers) each get their own cursor.

A process that asks one question (``openbeat analyse profile --area ...``) makes its store
with ``resident=False``: the aggregates are then views over those files, so a query reads
only the row groups of its area (the files are sorted by borough and ward) instead of the
whole aggregate being loaded into memory first. The numbers are the same rows either way.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from openbeat.analytics.outcomes import latest_outcome_key_sql, outcome_group_sql
from openbeat.geo.levels import COUNTED_LEVELS
from openbeat.geo.rollup import crimes_with_areas
from openbeat.lake import Lake, Partition, read_parquet_sql, store_memory

#: Column holding an area's code at each level.
LEVEL_COLUMN = {"lsoa21": "lsoa21_code", "ward": "ward_code", "borough": "borough_code", "force": "force"}

#: The aggregates every figure is built from (see the module docstring).
AGGREGATES = {
    "crime_counts": f"""
            WITH last_outcome AS (
                SELECT crime_id, arg_max(outcome_type, {latest_outcome_key_sql('outcome_type', 'month')}) AS outcome_type
                FROM outcomes GROUP BY crime_id
            )
            SELECT c.force, c.month, c.crime_type, c.lsoa21_code, c.ward_code, c.borough_code,
                   c.geo_status, {outcome_group_sql('coalesce(o.outcome_type, c.last_outcome_category)')} AS outcome_group,
                   o.outcome_type IS NOT NULL AS outcome_from_outcomes,
                   count(*)::INTEGER AS n
            FROM crimes_geo c LEFT JOIN last_outcome o ON c.crime_id = o.crime_id
            GROUP BY ALL
            ORDER BY c.borough_code, c.ward_code, c.month""",
    "stop_search_counts": """
            SELECT force, month, lsoa21_code, ward_code, borough_code, geo_status,
                   self_defined_ethnicity, officer_defined_ethnicity, legislation, object_of_search,
                   outcome, outcome_linked_to_object_of_search AS linked, count(*)::INTEGER AS n
            FROM stop_searches_geo
            GROUP BY ALL
            ORDER BY borough_code, ward_code, month""",
    # each force's name as its own files give it (read by every process once per state: one pass over
    # every crime of the lake, so done once, by the process that builds the aggregates)
    "crime_forces": """
            SELECT force, any_value(falls_within) AS name FROM crimes GROUP BY 1 ORDER BY 1""",
    # the age and gender columns stop_search_counts leaves out (the stop-search figure's people tables)
    "stop_search_people": """
            SELECT force, month, lsoa21_code, ward_code, borough_code,
                   coalesce(nullif(trim(age_range), ''), '(blank)') AS age_range,
                   coalesce(nullif(trim(gender), ''), '(blank)') AS gender,
                   count(*)::INTEGER AS n, count(*) FILTER (WHERE trim(outcome) = 'Arrest')::INTEGER AS arrests,
                   count(*) FILTER (WHERE nullif(trim(outcome), '') IS NOT NULL)::INTEGER AS with_outcome
            FROM stop_searches_geo
            GROUP BY ALL
            ORDER BY borough_code, ward_code, month""",
    # each located crime's map point, with how many crimes share it (a ward's or borough's hot
    # spot map: a few row groups of this file instead of its forces' partitions of the period)
    "crime_points": """
            SELECT force, month, borough_code, ward_code, crime_type, longitude, latitude, count(*)::INTEGER AS n
            FROM crimes_geo
            WHERE (ward_code IS NOT NULL OR borough_code IS NOT NULL)
              AND longitude IS NOT NULL AND latitude IS NOT NULL
            GROUP BY ALL
            ORDER BY borough_code, ward_code, month""",
}

#: Aggregates too large to hold in every process (crime_points: 11 M rows for England and
#: Wales): always views over their files, read by row groups (each is sorted by area).
ON_DISK = frozenset({"crime_points"})


#: Aggregates built on first use (under a lock, kept in ``<lake>/derived`` as the others),
#: so a lake change costs no more than the aggregates every page needs.
LAZY_AGGREGATES = {
    # police.uk "Violence and sexual offences" by latest outcome (the VAWG figure's outcomes):
    # the same rule as crime_counts, but the outcome itself rather than its group
    "vso_outcome_counts": f"""
            WITH last_outcome AS (
                SELECT crime_id, arg_max(outcome_type, {latest_outcome_key_sql('outcome_type', 'month')}) AS outcome_type
                FROM outcomes GROUP BY crime_id
            )
            SELECT c.force, c.month, c.ward_code, c.borough_code,
                   coalesce(o.outcome_type, nullif(c.last_outcome_category, '')) AS outcome,
                   o.outcome_type IS NOT NULL AS linked, count(*)::BIGINT AS n
            FROM crimes_geo c LEFT JOIN last_outcome o ON c.crime_id = o.crime_id
            WHERE c.crime_type = 'Violence and sexual offences'
            GROUP BY ALL
            ORDER BY c.borough_code, c.ward_code, c.month""",
}


class UnknownArea(LookupError):
    """No area with that code is loaded."""


class BadPeriod(ValueError):
    """A month that is not YYYY-MM, or a period that ends before it starts."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # lsoa21, ward, borough or force
    ward_code: str | None = None
    borough_code: str | None = None
    approximate: bool = False

    @property
    def column(self) -> str:
        return LEVEL_COLUMN[self.level]


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # first day of the last month

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def label(self) -> str:
        return f"{self.first:%Y-%m} to {self.last:%Y-%m}"

    def shift(self, months: int) -> Period:
        return Period(_add_months(self.first, months), _add_months(self.last, months))


def parse_month(value: str) -> date:
    try:
        y, m = value.split("-")
        if len(y) != 4 or len(m) != 2:
            raise ValueError
        return date(int(y), int(m), 1)
    except (ValueError, AttributeError):
        raise BadPeriod(f"{value!r} is not a month; write it as YYYY-MM, e.g. 2024-03") from None


def _plain(text: str) -> str:
    """'City of London Police' and 'city-of-london-police' alike: letters and digits, lower case."""
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def _add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


class Store:
    """Figures from one lake. Create one per process and share it."""

    def __init__(self, lake: Lake, *, resident: bool = True, memory_limit: str | None = None,
                 threads: int | None = None):
        self.lake = lake
        #: DuckDB's threads for this store (None: DuckDB's default, one per core). See :meth:`use_threads`.
        self.threads = threads
        #: DuckDB's memory limit for this store's connection (default: :func:`openbeat.lake.store_memory`).
        self.memory_limit = memory_limit or store_memory()
        #: Aggregates loaded into memory (many questions: the web app) or read from their
        #: files by each query (one question: the CLI). See the module docstring.
        self.resident = resident
        self._lock = threading.Lock()
        self._lazy_lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._fingerprint: tuple | None = None
        self._checked = 0.0
        self._relations: set[str] = set()
        self._memo: dict = {}

    #: Seconds between checks that the lake has changed (a few stat calls each).
    freshness = 1.0

    # ---- connection -----------------------------------------------------------

    def _stamp(self) -> tuple:
        root = self.lake.root
        paths = [self.lake.manifest_path, *sorted(root.glob("*/part.parquet"))] if root.exists() else []
        out = []
        for p in paths:
            try:
                st = os.stat(p)
                out.append((str(p), st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                pass
        return tuple(out)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the current state of the lake (rebuilt when it changed)."""
        with self._lock:
            now = time.monotonic()
            if self._con is None or now - self._checked > self.freshness:
                stamp = self._stamp()
                self._checked = now
                if self._con is None or stamp != self._fingerprint:
                    old = self._con
                    self._con = self._build()
                    self._fingerprint = stamp
                    self._relations = {r[0] for r in self._con.execute(
                        "SELECT table_name FROM information_schema.tables").fetchall()}
                    self._memo = {}
                    if old is not None:
                        old.close()
            return self._con.cursor()

    def use_threads(self, threads: int | None) -> None:
        """From now on, queries of this store run on ``threads`` of DuckDB's (None: its default).

        One thread runs each query in the thread that asks it, so that thread's CPU priority
        applies: background work (the web's warm-up) builds and fills a store at a low
        priority, then hands it to visitors with every core."""
        with self._lock:
            self.threads = threads
            if self._con is not None:
                self._con.execute(f"SET threads = {int(threads)}" if threads else "RESET threads")

    def prepare(self) -> None:
        """Read now what every figure reads once per state of the lake (the areas, the forces and
        their names, the months), so that the first question after a change does not."""
        self._index()
        self.months()

    def memo(self, key, compute: Callable):
        """``compute()`` once per state of the lake (for pure lookups like populations)."""
        self.cursor()
        memo = self._memo
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def _build(self) -> duckdb.DuckDBPyConnection:
        con = self.lake.connect(memory_limit=self.memory_limit, threads=self.threads)
        # Read-only: stop searches ingested since the last `reference load` are located in
        # memory here but not written back (that is `openbeat reference load`'s job).
        crimes_with_areas(con)
        stamp = repr(self._stamp())
        for name, sql in AGGREGATES.items():
            # The fingerprint covers the lake's state and the SQL, so new code never reads old files.
            fingerprint = hashlib.sha256((stamp + sql).encode()).hexdigest()[:16]
            try:
                path = self._derived(con, name, sql, fingerprint)
            except OSError:  # a read-only lake: build in memory instead
                con.execute(f"CREATE TABLE {name} AS {sql}")
                continue
            kind = "TABLE" if self.resident and name not in ON_DISK else "VIEW"
            con.execute(f"CREATE {kind} {name} AS SELECT * FROM read_parquet('{path}')")
        return con

    def _derived(self, con: duckdb.DuckDBPyConnection, name: str, sql: str, fingerprint: str) -> Path:
        folder = self.lake.root / "derived"
        path = folder / f"{name}-{fingerprint}.parquet"
        if path.exists():
            return path
        folder.mkdir(exist_ok=True)  # never re-create a lake folder that has gone
        with open(folder / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one process builds; the others wait, then read
            try:
                if not path.exists():
                    tmp = self.lake.temp_path(path)
                    try:
                        con.execute(f"COPY ({sql}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
                        self.lake.commit(tmp, path)
                    finally:
                        tmp.unlink(missing_ok=True)
                    for old in folder.glob(f"{name}-*.parquet"):
                        if old != path:
                            old.unlink(missing_ok=True)  # readers that opened it keep their inode
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return path

    def has(self, relation: str) -> bool:
        self.cursor()
        if relation in LAZY_AGGREGATES:
            return self._lazy(relation)
        return relation in self._relations

    def _lazy(self, name: str) -> bool:
        """Build a :data:`LAZY_AGGREGATES` table once per state of the lake; False when the
        relations it reads are not loaded."""
        memo = self._memo
        if ("lazy", name) in memo:
            return memo[("lazy", name)]
        with self._lazy_lock:
            if ("lazy", name) not in memo:
                ok = {"crimes_geo", "outcomes"} <= self._relations
                if ok:
                    cur = self.cursor()
                    sql = LAZY_AGGREGATES[name]
                    fingerprint = hashlib.sha256((repr(self._stamp()) + sql).encode()).hexdigest()[:16]
                    try:
                        path = self._derived(cur, name, sql, fingerprint)
                    except OSError:  # a read-only lake: build in memory instead
                        cur.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")
                    else:
                        cur.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
                memo[("lazy", name)] = ok
        return memo[("lazy", name)]

    # ---- areas and periods ------------------------------------------------------

    def _index(self) -> dict:
        """Every area by code and by level, read once per state of the lake (no geometry)."""
        def build():
            cur = self.cursor()
            by_code: dict[str, Area] = {}
            by_level: dict[str, list[Area]] = {level: [] for level in COUNTED_LEVELS}
            if self.has("areas"):
                rows = cur.execute(
                    "SELECT code, name, level, ward_code, borough_code, coalesce(approximate, false) FROM areas "
                    "WHERE level IN ('lsoa21', 'ward', 'borough') ORDER BY name").fetchall()
                # A code names one area; prefer the ward, then the borough, if a level repeats one.
                order = {"ward": 0, "borough": 1, "lsoa21": 2}
                for row in sorted(rows, key=lambda r: order[r[2]], reverse=True):
                    by_code[row[0]] = Area(*row)
                for row in rows:
                    by_level[row[2]].append(Area(*row))
            # Every force the lake holds, whatever months it published (names from its own files).
            for force, name in self.force_names():
                area = Area(force, name, "force")
                by_code.setdefault(force, area)
                by_level["force"].append(area)
            return {"code": by_code, "level": by_level}
        return self.memo("area-index", build)

    def force_names(self) -> list[tuple[str, str]]:
        """(slug, name) of every force with crimes or stop searches in the lake, by slug."""
        def compute():
            cur = self.cursor()
            # crime_forces has a row for each force of crime_counts (both count every crime row)
            names = dict(cur.execute("SELECT force, name FROM crime_forces").fetchall())
            searched = {f for (f,) in cur.execute("SELECT DISTINCT force FROM stop_search_counts").fetchall()}
            return [(f, names.get(f) or f) for f in sorted(searched | set(names))]
        return self.memo("force-names", compute)

    def area(self, code: str) -> Area:
        """The area with this code (LSOA 2021, ward, borough), or a force by slug or name."""
        index = self._index()["code"]
        found = index.get(code)
        if found is None:
            wanted = _plain(code)
            found = next((a for a in self._index()["level"]["force"]
                          if wanted in (_plain(a.code), _plain(a.name))), None)
        if found is None:
            raise UnknownArea(f"no area with code {code!r} is loaded")
        return found

    def areas(self, level: str, *, within: str | None = None) -> list[Area]:
        """Areas of ``level``, by name; ``within`` a ward, borough or force."""
        if level not in COUNTED_LEVELS:
            raise ValueError(f"level must be one of {', '.join(COUNTED_LEVELS)}")
        found = self._index()["level"][level]
        if not within:
            return list(found)
        parent = self.area(within)
        if parent.level != "force":
            return [a for a in found if getattr(a, parent.column, None) == parent.code
                    or (level == parent.level and a.code == parent.code)]

        def force_boroughs():  # the boroughs where the force places crimes
            return {b for (b,) in self.cursor().execute(
                "SELECT DISTINCT borough_code FROM crime_counts WHERE force = ? AND geo_status = 'ok'",
                [parent.code]).fetchall()}
        boroughs = self.memo(("force-boroughs", parent.code), force_boroughs)
        return [a for a in found if (a.code if level == "borough" else a.borough_code) in boroughs]

    def police_sources(self, dataset: str, forces: list[str] | None = None) -> list[str]:
        """One line per force naming the police.uk files behind a figure, from the manifest."""
        label = {"crimes": "street-level crime", "outcomes": "outcomes", "stop_searches": "stop and search"}[dataset]

        def compute():
            rows = self.cursor().execute(
                "SELECT force, min(month), max(month), count(*) FROM manifest WHERE dataset = ? GROUP BY 1 ORDER BY 1",
                [dataset]).fetchall()
            return [(force, f"police.uk {label}, {force}, {first:%Y-%m} to {last:%Y-%m} ({files} files)")
                    for force, first, last, files in rows]
        return [line for force, line in self.memo(("police-sources", dataset), compute)
                if forces is None or force in forces]

    def partitions_sql(self, dataset: str, forces: list[str], first: date, last: date) -> str | None:
        """``read_parquet`` of this state's partitions of ``dataset`` by ``forces`` for the months
        ``first``..``last`` (SQL for a FROM clause: the dataset's view, cut to those files), or
        None when there are none. A query of one ward's rows then opens its forces' files of
        those months, not every file of the lake."""
        def compute():
            out: dict[tuple[str, str], list[date]] = {}
            for d, force, month in self.cursor().execute(
                    "SELECT dataset, force, month FROM lake_partitions ORDER BY ALL").fetchall():
                out.setdefault((d, force), []).append(month)
            return out
        held = self.memo("partitions", compute) if self.has("lake_partitions") else {}
        files = [self.lake.partition_path(Partition(dataset, force, f"{month:%Y-%m}"))
                 for force in sorted(set(forces)) for month in held.get((dataset, force), ())
                 if first <= month <= last]
        if not files:
            return None
        return read_parquet_sql(files)

    def months(self) -> list[date]:
        def compute():
            return tuple(r[0] for r in self.cursor().execute(
                "SELECT DISTINCT month FROM crime_counts ORDER BY 1").fetchall())
        return list(self.memo("months", compute))  # once per state of the lake

    def period(self, first: str | None = None, last: str | None = None, *, default_months: int = 12) -> Period:
        """The period asked for, defaulting to the latest ``default_months`` months in the lake."""
        months = self.months()
        end = parse_month(last) if last else (months[-1] if months else None)
        if end is None:
            raise BadPeriod("the lake holds no crimes yet, so there is no period to show")
        start = parse_month(first) if first else _add_months(end, -(default_months - 1))
        if start > end:
            raise BadPeriod(f"the period starts ({start:%Y-%m}) after it ends ({end:%Y-%m})")
        return Period(start, end)

    @property
    def root(self) -> Path:
        return self.lake.root
