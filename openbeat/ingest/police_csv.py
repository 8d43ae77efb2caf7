"""Load one police.uk CSV (street, outcomes or stop-and-search) into its lake partition.

Two streaming passes over the source, run side by side where they can be:

* *scan*: the sha256 of the bytes as stored, their size and an independent count of
  records (lines after the header, less blank ones), decompressing ``.gz`` as it goes. Zip
  members are copied to a plain temporary CSV on the way. The count is independent of
  the parser, so ``rows read = loaded + rejected`` is checked, not assumed.
* *load*: DuckDB reads the CSV with the kind's types. Rows it cannot parse (wrong number
  of fields, a coordinate or date that is not one, bytes that are not UTF-8) come back
  with their line and column from DuckDB's rejects table; rows that parse but make no
  sense (no crime type, half a coordinate, a Month that disagrees with the file name)
  are found in SQL. Good rows and rejects go to temporary Parquet files that are renamed
  over the partition, so the partition is always wholly old or wholly new.

Line numbers count the header as line 1 and count blank lines, as DuckDB does; they are
physical line numbers because police.uk fields never contain line breaks.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from openbeat import __version__
from openbeat.ingest.errors import IngestError
from openbeat.ingest.kinds import KINDS, FileName, Kind, lake_columns, parse_file_name
from openbeat.ingest.pause_for_tests import partition_committed
from openbeat.lake import REJECTS_SCHEMA, Lake, Partition

_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"


@dataclass
class Source:
    """A CSV to ingest: a file on disk, or a member of a zip (opened as a stream)."""

    path: str  # shown to the user; "<zip>!<member>" for zip members
    name: str  # the police.uk file name, e.g. 2024-03-metropolitan-street.csv
    open: Callable[[], BinaryIO]  # the bytes as stored (gzip-compressed for .gz)
    local_path: Path | None = None  # set when DuckDB can read the file in place

    @classmethod
    def from_path(cls, path: Path) -> Source:
        return cls(str(path), path.name, lambda: open(path, "rb"), local_path=path)


@dataclass
class FileReport:
    """What happened to one source. ``status``: loaded, unchanged or failed."""

    source: str
    status: str
    dataset: str | None = None
    force: str | None = None
    month: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    duplicates: int = 0
    month_mismatches: int = 0
    error: str | None = None
    reject_examples: list[str] = field(default_factory=list)


@dataclass
class _Scan:
    sha256: str
    nbytes: int
    first_line: bytes
    lines: int  # lines after the header, blank ones included


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for ingesting; reuse it across files (connecting costs tens of ms)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    return con


def ingest_source(lake: Lake, src: Source, *, expect_force: str | None = None,
                  con: duckdb.DuckDBPyConnection | None = None) -> FileReport:
    """Ingest one police.uk CSV into its (dataset, force, month) partition.

    Raises :class:`IngestError` if the file cannot be loaded at all; the lake is then
    unchanged. Pass ``con`` (from :func:`connect`) when ingesting many files.
    """
    if con is None:
        with connect() as own:
            return ingest_source(lake, src, expect_force=expect_force, con=own)
    fname = parse_file_name(src.name)
    if fname is None:
        raise IngestError(
            src.path, "not a police.uk file name",
            hint="expected YYYY-MM-<force>-street.csv, -outcomes.csv or -stop-and-search.csv, optionally .gz",
        )
    if expect_force and fname.force != expect_force:
        raise IngestError(src.path, f"file is for force {fname.force!r}, not {expect_force!r}")
    part = Partition(fname.kind.dataset, fname.force, fname.month)
    gz = src.name.endswith(".gz")

    if src.local_path is None:
        # A stream (zip member): decompress it to a plain temporary CSV for DuckDB.
        fd, tmp_name = tempfile.mkstemp(prefix="openbeat-", suffix=".csv")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                scan = _scan(src, gz, copy_to=out)
            _check_header(src, fname.kind, scan.first_line)
            if lake.current_sha256(part) == scan.sha256:
                return FileReport(src.path, "unchanged", part.dataset, part.force, part.month)
            return _load(con, lake, src, fname, part, tmp, lambda: scan)
        finally:
            tmp.unlink(missing_ok=True)

    _check_header(src, fname.kind, _read_first_line(src, gz))
    if lake.partition_path(part).exists():
        scan = _scan(src, gz)  # hash first: the file may already be loaded
        if lake.current_sha256(part) == scan.sha256:
            return FileReport(src.path, "unchanged", part.dataset, part.force, part.month)
        return _load(con, lake, src, fname, part, src.local_path, lambda: scan)
    # A new partition: DuckDB parses the file (even .gz) in place while this thread's
    # twin hashes and counts it, which hides most of the hashing time.
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_scan, src, gz)
        try:
            return _load(con, lake, src, fname, part, src.local_path, future.result)
        finally:
            future.cancel()


def spool(src: Source) -> Source:
    """Copy a stream (a zip member) to a plain temporary CSV: a source DuckDB can read in place.

    The caller deletes ``local_path`` when done. A ``.gz`` member is decompressed on the way.
    """
    fname = parse_file_name(src.name)
    gz = src.name.endswith(".gz")
    fd, tmp_name = tempfile.mkstemp(prefix="openbeat-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out, src.open() as raw:
            stream = gzip.open(raw) if gz else raw
            while True:
                try:
                    chunk = stream.read(_CHUNK)
                except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:  # e.g. a bad CRC
                    raise IngestError(src.path, f"cannot read the file: {e}",
                                      hint="the download may be truncated; fetch it again") from e
                if not chunk:
                    break
                out.write(chunk)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    name = src.name[:-3] if gz and fname else src.name
    return Source(src.path, name, lambda: open(tmp_name, "rb"), local_path=Path(tmp_name))


# ---- pass 1: hash, decompress, count -------------------------------------------


def _read_first_line(src: Source, gz: bool) -> bytes:
    try:
        with src.open() as raw:
            fh = gzip.open(raw) if gz else raw
            return fh.readline(1 << 16).rstrip(b"\n")
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
        raise IngestError(src.path, f"cannot read the file: {e}") from e


def _scan(src: Source, gz: bool, copy_to: BinaryIO | None = None) -> _Scan:
    """sha256 of the bytes as stored, their size, the first line and the record count."""
    sha = hashlib.sha256()
    nbytes = 0
    counter = _RecordCounter()
    with src.open() as raw:
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
        while True:
            try:
                chunk = raw.read(_CHUNK)
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:  # e.g. a zip member's CRC error
                raise IngestError(src.path, f"cannot read the file: {e}",
                                  hint="the download may be truncated; fetch it again") from e
            if not chunk:
                break
            sha.update(chunk)
            nbytes += len(chunk)
            if decomp is not None:
                try:
                    chunk = decomp.decompress(chunk)
                    while decomp.eof and decomp.unused_data:  # concatenated gzip members
                        rest = decomp.unused_data
                        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        chunk += decomp.decompress(rest)
                except zlib.error as e:
                    raise IngestError(src.path, f"not a valid gzip file: {e}") from e
            counter.feed(chunk)
            if copy_to is not None:
                copy_to.write(chunk)
        if decomp is not None and not decomp.eof:
            raise IngestError(src.path, "truncated gzip: the compressed stream ends early",
                              hint="the download may be incomplete; fetch it again")
    counter.close()
    return _Scan(sha.hexdigest(), nbytes, counter.first_line, counter.lines)


class _RecordCounter:
    """Counts lines after the header, across chunk boundaries.

    ``lines`` includes blank lines: counting only newlines runs at memory speed, while
    finding blank lines (a two-byte search) costs several times more. Blank lines are
    rare, so they are counted (:func:`_blank_lines`) only when the totals disagree.
    """

    def __init__(self) -> None:
        self.first_line = b""
        self._in_header = True
        self._newlines = 0  # after the header
        self._tail = False  # a non-blank last line without a final newline
        self.lines = 0

    def feed(self, chunk: bytes) -> None:
        if self._in_header:
            i = chunk.find(b"\n")
            if i < 0:
                self.first_line += chunk
                return
            self.first_line += chunk[:i]
            self._in_header = False
            chunk = chunk[i + 1 :]
        if not chunk:
            return
        self._newlines += chunk.count(b"\n")
        last_nl = chunk.rfind(b"\n")
        tail = chunk[last_nl + 1 :]
        if last_nl >= 0:
            self._tail = bool(tail.strip(b"\r"))
        elif tail.strip(b"\r"):
            self._tail = True

    def close(self) -> None:
        self.lines = self._newlines + (1 if self._tail else 0)


def _blank_lines(path: Path) -> int:
    """Blank lines after the header (the slow count, only needed when totals disagree)."""
    blank = 0
    with (gzip.open(path) if path.name.endswith(".gz") else open(path, "rb")) as fh:
        next(fh, None)
        for line in fh:
            if not line.strip(b"\r\n"):
                blank += 1
    return blank


def _check_header(src: Source, kind: Kind, first_line: bytes) -> list[str]:
    line = first_line.removeprefix(_BOM).rstrip(b"\r")
    if not line:
        raise IngestError(src.path, "the file is empty", line=1,
                          hint=f"expected the header of a police.uk {kind.file_kind} file")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IngestError(src.path, "the header is not UTF-8 text", line=1,
                          hint="police.uk files are UTF-8; is this the right file?") from e
    found = next(csv.reader([text]))
    if found == kind.header:
        return found
    for other in KINDS.values():
        if other is not kind and found == other.header:
            raise IngestError(
                src.path,
                f"the file name says {kind.file_kind} but the header is that of a {other.file_kind} file",
                line=1, hint="rename the file to match its content",
            )
    for i, expected in enumerate(kind.header):
        got = found[i] if i < len(found) else None
        if got != expected:
            what = f"found {got!r}" if got is not None else "the header ends early"
            raise IngestError(
                src.path, f"wrong header: column {i + 1} should be {expected!r}, {what}",
                line=1, column=expected,
                hint=f"a police.uk {kind.file_kind} file has {len(kind.header)} columns: {', '.join(kind.header)}",
            )
    raise IngestError(src.path, f"wrong header: {len(found)} columns where {len(kind.header)} are expected",
                      line=1, column=found[len(kind.header)])


# ---- pass 2: parse, check, write -----------------------------------------------


def _load(con: duckdb.DuckDBPyConnection, lake: Lake, src: Source, fname: FileName, part: Partition,
          csv_path: Path, get_scan: Callable[[], _Scan]) -> FileReport:
    kind = fname.kind
    try:
        columns = "{" + ", ".join(f"{_s(c.header)}: {_s(c.sql_type)}" for c in kind.columns) + "}"
        # The stable row key: a hash of what identifies the record (not what police.uk
        # later updates, such as outcomes) plus its occurrence among identical records,
        # so re-ingests and re-publications in another row order give the same keys.
        ident = "md5(" + " || chr(31) || ".join(
            f"coalesce(CAST({_q(c.header)} AS VARCHAR), '')" for c in kind.columns if c.name in kind.identity
        ) + ")"
        if kind.dataset == "crimes":
            # A Crime ID is already a 64-hex hash of the crime: no need to hash it again. Rows
            # sharing one are told apart by the occurrence number below.
            ident = f'CASE WHEN "Crime ID" IS NULL THEN {ident} ELSE "Crime ID" END'
        try:
            # rowid of this table is the row's position among the rows DuckDB parsed.
            con.execute(
                f"""CREATE TEMP TABLE t AS SELECT *, {ident} AS _h, CAST(NULL AS BIGINT) AS _n
                    FROM read_csv({_s(str(csv_path))},
                    header = true, columns = {columns}, auto_detect = false,
                    delim = ',', quote = '"', escape = '"', strict_mode = true,
                    null_padding = false, store_rejects = true,
                    rejects_table = 'parse_rejects', rejects_scan = 'parse_scans')"""
            )
        except duckdb.Error as e:
            get_scan()  # a truncated or corrupt download says so more plainly than DuckDB
            raise IngestError(src.path, f"cannot parse the file: {_first_line(e)}") from e
        scan = get_scan()

        checks = _row_checks(kind, fname)
        reason_sql = "CASE " + " ".join(f"WHEN {cond} THEN {reason}" for cond, _, reason in checks) + " END"
        column_sql = "CASE " + " ".join(f"WHEN {cond} THEN {_s(col)}" for cond, col, _ in checks) + " END"
        bad = con.execute(f"SELECT * FROM (SELECT rowid AS ordinal, {reason_sql} AS reason, {column_sql} AS col "
                          "FROM t) WHERE reason IS NOT NULL ORDER BY ordinal").fetchall()
        total, wrong_month = con.execute(
            "SELECT count(*), " + (f"count(*) FILTER (WHERE \"Month\" <> {_s(fname.month)})" if "Month" in kind.header else "0")
            + " FROM t"
        ).fetchone()
        # A file whose every row is dated another month is misnamed, not full of bad rows.
        if wrong_month and wrong_month == total:
            raise IngestError(
                src.path, f"the Month column never says {fname.month}, the month in the file name",
                hint="rename the file to the month it holds",
            )
        if bad:  # few: deleting them keeps t a plain scan in file order for the COPY
            con.execute("DELETE FROM t WHERE rowid IN (SELECT unnest(?))", [[b[0] for b in bad]])
        loaded, duplicates, mismatches, repeated = _summarise(con, kind, fname)
        if repeated:
            # Among rows identical in identity, number them by their other fields before file
            # order, so a re-publication in another order pairs them up the same way.
            ordered = sorted(kind.columns, key=lambda c: c.name not in kind.identity)  # identity first
            others = ", ".join(f"{_q(c.header)} NULLS FIRST" for c in ordered)
            con.execute(
                f"UPDATE t SET _n = d.n FROM (SELECT rowid AS r, row_number() OVER (PARTITION BY _h ORDER BY {others}, "
                "rowid) AS n FROM t WHERE _h IN (SELECT _h FROM t GROUP BY _h HAVING count(*) > 1)) d WHERE t.rowid = d.r"
            )

        parse_rejects = con.execute(
            """SELECT line, any_value(column_name), string_agg(error_message, '; '), any_value(csv_line)
               FROM parse_rejects GROUP BY line ORDER BY line"""
        ).fetchall()
        rejects = [(line, col, msg, (raw or "").lstrip("\r\n")) for line, col, msg, raw in parse_rejects]
        if bad:
            lines = _lines_of_ordinals(csv_path, [b[0] for b in bad], {r[0] for r in rejects})
            rejects += [(lines[o][0], col, reason, lines[o][1]) for o, reason, col in bad]
        rejects.sort(key=lambda r: r[0] or 0)

        rows_read = loaded + len(rejects)
        records = scan.lines if rows_read == scan.lines else scan.lines - _blank_lines(csv_path)
        if rows_read != records:
            # A count from the parser disagreeing with the count of lines means a quoted
            # line break or a parser fault: refuse rather than lose or invent rows.
            raise IngestError(
                src.path,
                f"the file has {records} data lines but {rows_read} rows were read "
                f"({loaded} loaded, {len(rejects)} rejected)",
                hint="a field may contain a line break; police.uk files never do",
            )

        data_tmp = lake.temp_path(lake.partition_path(part))
        rej_tmp = lake.temp_path(lake.rejects_path(part))
        try:
            # The partition carries the sha256 of its source, committed with the data in one
            # rename, so "already loaded?" never depends on the manifest log having caught up.
            con.execute(f"COPY ({_select_good(kind, fname)}) TO {_s(str(data_tmp))} "
                        "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, "
                        f"KV_METADATA {{source_sha256: {_s(scan.sha256)}, source_name: {_s(src.name)}}})")
            if rejects:
                pq.write_table(_rejects_table(part, src.name, rejects), rej_tmp, compression="zstd")
            with lake.lock():
                lake.commit(data_tmp, lake.partition_path(part))
                if rejects:
                    lake.commit(rej_tmp, lake.rejects_path(part))
                else:
                    lake.rejects_path(part).unlink(missing_ok=True)
                partition_committed(lake.partition_path(part))  # test-only pause point; see its module
                lake.append_manifest([{
                    "source_path": src.path, "source_name": src.name, "dataset": part.dataset,
                    "force": part.force, "month": date.fromisoformat(part.month + "-01"),
                    "sha256": scan.sha256, "bytes": scan.nbytes, "rows_read": rows_read,
                    "rows_loaded": loaded, "rows_rejected": len(rejects), "duplicates": duplicates,
                    "month_mismatches": mismatches, "ingested_at": datetime.now(timezone.utc),
                    "openbeat_version": __version__,
                }])
        finally:
            data_tmp.unlink(missing_ok=True)
            rej_tmp.unlink(missing_ok=True)
        return FileReport(
            src.path, "loaded", part.dataset, part.force, part.month, rows_read, loaded,
            len(rejects), duplicates, mismatches,
            reject_examples=[f"line {ln}: {reason}" for ln, _, reason, _ in rejects[:5]],
        )
    finally:
        con.execute("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS parse_rejects; DROP TABLE IF EXISTS parse_scans")


def _row_checks(kind: Kind, fname: FileName) -> list[tuple[str, str, str]]:
    """(SQL condition, column, SQL reason) for rows that parse but cannot be used."""
    checks = []
    for c in kind.columns:
        if c.required:
            checks.append((f"{_q(c.header)} IS NULL", c.header, _s(f"{c.header} is empty")))
    if "Month" in kind.header:
        checks.append((
            "NOT regexp_full_match(\"Month\", '\\d{4}-(0[1-9]|1[0-2])')", "Month",
            "'Month ' || \"Month\" || ' is not a month (YYYY-MM)'",
        ))
        checks.append((
            f"\"Month\" <> {_s(fname.month)}", "Month",
            f"'Month ' || \"Month\" || ' disagrees with the file name month {fname.month}'",
        ))
    checks += [
        ("(\"Latitude\" IS NULL) <> (\"Longitude\" IS NULL)", "Latitude",
         "'only one of Latitude and Longitude is given'"),
        ("NOT \"Latitude\" BETWEEN -90 AND 90", "Latitude",
         "'Latitude ' || \"Latitude\" || ' is outside -90..90'"),
        ("NOT \"Longitude\" BETWEEN -180 AND 180", "Longitude",
         "'Longitude ' || \"Longitude\" || ' is outside -180..180'"),
        ("isnan(\"Latitude\") OR isnan(\"Longitude\") OR isinf(\"Latitude\") OR isinf(\"Longitude\")",
         "Latitude", "'coordinates are not finite numbers'"),
    ]
    return checks


def _summarise(con: duckdb.DuckDBPyConnection, kind: Kind, fname: FileName) -> tuple[int, int, int, int]:
    """(rows loaded, duplicates, stop-search rows dated outside the file month, rows repeating an identity)."""
    if "Crime ID" in kind.header:
        # Repeated Crime IDs are real (City of London publishes some); count, keep them.
        loaded, duplicates, distinct = con.execute(
            'SELECT count(*), count("Crime ID") - count(DISTINCT "Crime ID"), count(DISTINCT _h) FROM t'
        ).fetchone()
        return loaded, duplicates, 0, loaded - distinct
    # Stop-search rows have no ID: count rows identical to an earlier row. Searches are
    # dated in UTC; the file month is the local (Europe/London) month, so a search at
    # 00:30 BST on the 1st, dated 23:30 UTC the day before, is in the right file.
    loaded, distinct, mismatches = con.execute(
        "SELECT count(*), count(DISTINCT _h), count(*) FILTER (WHERE strftime(timezone('Europe/London', \"Date\"), "
        f"'%Y-%m') <> {_s(fname.month)}) FROM t"
    ).fetchone()
    return loaded, loaded - distinct, mismatches, loaded - distinct


def _select_good(kind: Kind, fname: FileName) -> str:
    cols = []
    for name, _ in lake_columns(kind):
        if name == "row_key":
            cols.append("substr(_h, 1, 16) || '-' || coalesce(_n, 1) AS row_key")
        elif name == "force":
            cols.append(f"{_s(fname.force)} AS force")
        elif name == "month":
            cols.append(f"DATE {_s(fname.month + '-01')} AS month")
        else:
            header = next(c.header for c in kind.columns if c.name == name)
            cols.append(f"{_q(header)} AS {name}")
    return f"SELECT {', '.join(cols)} FROM t"


def _lines_of_ordinals(path: Path, ordinals: list[int], parse_rejected: set[int]) -> dict[int, tuple[int, str]]:
    """Map the i-th parsed row to (line number, raw line), skipping blank and rejected lines."""
    wanted = set(ordinals)
    out: dict[int, tuple[int, str]] = {}
    ordinal = -1
    with (gzip.open(path) if path.name.endswith(".gz") else open(path, "rb")) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1:
                continue
            body = raw.rstrip(b"\r\n")
            if not body or lineno in parse_rejected:
                continue
            ordinal += 1
            if ordinal in wanted:
                out[ordinal] = (lineno, body.decode("utf-8", errors="replace"))
                if len(out) == len(wanted):
                    break
    return out


def _rejects_table(part: Partition, source_name: str, rejects: list[tuple]) -> pa.Table:
    month = date.fromisoformat(part.month + "-01")
    return pa.Table.from_pylist(
        [
            {"dataset": part.dataset, "force": part.force, "month": month, "source_name": source_name,
             "line": line, "column": col, "reason": reason, "raw": raw}
            for line, col, reason, raw in rejects
        ],
        schema=REJECTS_SCHEMA,
    )


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0]


def _s(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'
