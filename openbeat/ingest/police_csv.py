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

Many small files of one kind are loaded together by :func:`ingest_batch` (one DuckDB read
for the batch, the same checks per file); a file with anything to report goes the one-file
way, :func:`ingest_source`.

Line numbers count the header as line 1 and count blank lines, as DuckDB does; they are
physical line numbers: a record holding a quoted line break is numbered by its first line.
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
from typing import BinaryIO, NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from openbeat import __version__
from openbeat.datasets import CRIME_TYPES, KINDS, FileName, Kind, lake_columns, parse_file_name
from openbeat.ingest.errors import IngestError
from openbeat.ingest.pause_for_tests import partition_committed
from openbeat.lake import Lake, Partition, file_sha256, fsync_all, rejects_schema

_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"
#: A header longer than this is no police.uk header (theirs are under 400 bytes).
_MAX_HEADER = 1 << 16


@dataclass(frozen=True)
class Limits:
    """How far a compressed source (zip member, ``.gz``) may expand before it is refused.

    The largest real police.uk members (the Met's street files) are a few tens of MB and
    deflate about 5 to 22 times; the defaults leave ample room above both, and stop a
    "zip bomb" (2 MB expanding to 2 GB) after at most ``max_ratio`` times its stored size.
    Set ``OPENBEAT_INGEST_MAX_BYTES`` and ``OPENBEAT_INGEST_MAX_RATIO`` to change them.
    """

    max_bytes: int = 1 << 30
    max_ratio: float = 100.0
    #: Below this many bytes the ratio is not checked (a tiny file can compress oddly well).
    ratio_floor: int = 1 << 20

    @classmethod
    def from_env(cls) -> Limits:
        return cls(int(os.environ.get("OPENBEAT_INGEST_MAX_BYTES", cls.max_bytes)),
                   float(os.environ.get("OPENBEAT_INGEST_MAX_RATIO", cls.max_ratio)))


class _Expansion:
    """Counts decompressed bytes and stops the read as soon as a limit is passed."""

    def __init__(self, src: Source, stored: int | None, limits: Limits | None = None):
        self.src, self.stored, self.limits = src, stored, limits or Limits.from_env()
        self.total = 0

    def add(self, n: int) -> None:
        self.total += n
        lim = self.limits
        if self.total > lim.max_bytes:
            raise IngestError(self.src.path, f"expands to more than {lim.max_bytes:,} bytes; stopped there",
                              hint="no police.uk file is that large; raise OPENBEAT_INGEST_MAX_BYTES if it is genuine")
        if self.stored and self.total > max(lim.ratio_floor, lim.max_ratio * self.stored):
            raise IngestError(
                self.src.path, f"expands more than {lim.max_ratio:g} times its stored size of {self.stored:,} bytes "
                f"(a compression bomb?); stopped after {self.total:,} bytes",
                hint="police.uk files expand about 5 to 22 times; raise OPENBEAT_INGEST_MAX_RATIO if it is genuine")


@dataclass
class Source:
    """A CSV to ingest: a file on disk, or a member of a zip (opened as a stream)."""

    path: str  # shown to the user; "<zip>!<member>" for zip members
    name: str  # the police.uk file name, e.g. 2024-03-metropolitan-street.csv
    open: Callable[[], BinaryIO]  # the bytes as stored (gzip-compressed for .gz)
    local_path: Path | None = None  # set when DuckDB can read the file in place
    compressed_size: int | None = None  # bytes as stored in an archive, for the expansion limit

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
    unknown_crime_types: int = 0  # rows loaded whose Crime type police.uk does not use
    error: str | None = None
    reject_examples: list[str] = field(default_factory=list)


@dataclass
class _Scan:
    sha256: str
    nbytes: int
    first_line: bytes
    lines: int  # records after the header, blank lines included
    stray_cr: bool = False  # a carriage return outside quotes that ends no line
    quoted_breaks: int = 0  # line breaks inside quoted fields (DuckDB then numbers records, not lines)


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for ingesting; reuse it across files (connecting costs tens of ms)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")  # its bar landed in the output of long ingests
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
    cr_only = _cr_only_as_crlf(src, src.name.endswith(".gz"))
    if cr_only is not None:
        try:
            return ingest_source(lake, cr_only, expect_force=expect_force, con=con)
        finally:
            cr_only.local_path.unlink(missing_ok=True)
    gz = src.name.endswith(".gz")

    if src.local_path is None:
        # A stream (zip member): decompress it to a plain temporary CSV for DuckDB.
        fd, tmp_name = tempfile.mkstemp(prefix="openbeat-", suffix=".csv")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                scan = _scan(src, gz, copy_to=out)
            _check_header(src, fname.kind, scan.first_line)
            if lake.is_loaded(part, scan.sha256):
                return FileReport(src.path, "unchanged", part.dataset, part.force, part.month)
            return _load(con, lake, src, fname, part, tmp, lambda: scan)
        finally:
            tmp.unlink(missing_ok=True)

    _check_header(src, fname.kind, _read_first_line(src, gz))
    if lake.partition_path(part).exists():
        scan = _scan(src, gz)  # hash first: the file may already be loaded
        if lake.is_loaded(part, scan.sha256):
            return FileReport(src.path, "unchanged", part.dataset, part.force, part.month)
        return _load(con, lake, src, fname, part, src.local_path, lambda: scan)
    # A new partition: DuckDB parses the file (even .gz) in place while this thread's
    # twin hashes and counts it, which hides most of the hashing time.
    def scan_or_stop_parsing() -> _Scan:
        try:
            return _scan(src, gz)
        except IngestError:
            con.interrupt()  # e.g. a .gz bomb: DuckDB is parsing the same bytes; stop it too
            raise

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(scan_or_stop_parsing)
        try:
            return _load(con, lake, src, fname, part, src.local_path, future.result)
        finally:
            future.cancel()


def ingest_batch(lake: Lake, sources: list[Source], *, con: duckdb.DuckDBPyConnection) -> list[FileReport | None]:
    """Load many plain, well-formed files of one kind into new partitions with one DuckDB read.

    A police.uk archive is mostly small files, and per file the fixed costs (a dozen
    statements, a thread, three fsyncs) outweigh the rows. Here every file of the batch
    is parsed by one ``read_csv`` over the list, with ``_f`` saying which file a row came
    from; the checks, counts and row keys are computed for all of them in a few
    statements, each partition is written to its temporary file, and then the partitions
    are committed one by one (rename, then its manifest line) as :func:`ingest_source`
    does. Every check is the same; a file that is anything but clean (a reject of any
    kind, a count that disagrees, an odd line ending, a partition already in the lake,
    a header that is wrong) gets ``None``: the caller loads it on its own with
    :func:`ingest_source`, which says what is wrong with it, line and column.
    """
    reports: list[FileReport | None] = [None] * len(sources)
    batch: list[tuple[int, Source, FileName, Partition]] = []
    for i, src in enumerate(sources):
        fname = parse_file_name(src.name)
        if fname is None or src.local_path is None:
            continue
        part = Partition(fname.kind.dataset, fname.force, fname.month)
        if lake.partition_path(part).exists() or not _plain_header(src, fname.kind):
            continue
        batch.append((i, src, fname, part))
    kinds = {fname.kind for _, _, fname, _ in batch}
    if not batch or len(kinds) != 1:
        return reports
    kind = kinds.pop()
    if len(batch) == 1 and _arrow_kind(kind) and not batch[0][1].name.endswith(".gz"):
        # One large file (a Met month): parsed, checked and written in Arrow, or else
        # loaded by the one-file path, which says what is wrong with it.
        i, src, fname, part = batch[0]
        reports[i] = _load_arrow(con, lake, src, fname, part)
        return reports
    # Hash and count each file first; a .gz is decompressed once, here, to a plain copy
    # that DuckDB then reads (in parallel, and without inflating it a second time). The
    # two workers overlap one's scanning with the other's DuckDB work.
    scanned, scans, copies = [], [], []
    try:
        for entry in batch:
            src = entry[1]
            gz = src.name.endswith(".gz")
            try:
                if gz:
                    fd, tmp_name = tempfile.mkstemp(prefix="openbeat-", suffix=".csv")
                    copies.append(Path(tmp_name))
                    with os.fdopen(fd, "wb") as out:
                        scans.append((_scan(src, gz, copy_to=out), Path(tmp_name)))
                else:
                    scans.append((_scan(src, gz), src.local_path))
            except IngestError:
                continue  # on its own, where the error is reported
            scanned.append(entry)
        if not scanned:
            return reports
        try:
            con.execute(_create_t(kind, [path for _, path in scans]))
        except duckdb.Error:
            return reports  # each file on its own says what is wrong
        return _load_batch(con, lake, kind, scanned, [scan for scan, _ in scans], reports)
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)
        con.execute("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS reps; DROP TABLE IF EXISTS parse_rejects; "
                    "DROP TABLE IF EXISTS parse_scans")


#: The Arrow path reads files up to this size into memory (police.uk's largest are tens of MB).
ARROW_MAX_BYTES = 512 << 20
_ARROW_TYPES = {"VARCHAR": pa.string(), "DOUBLE": pa.float64()}
#: Bytes of CSV per block the Arrow reader parses (one thread each; the table gets a chunk each).
_ARROW_BLOCK = 4 << 20


def _arrow_kind(kind: Kind) -> bool:
    """Street and outcome files: text and numbers only, which Arrow and DuckDB read alike."""
    return all(c.sql_type in _ARROW_TYPES for c in kind.columns)


def _load_arrow(con: duckdb.DuckDBPyConnection, lake: Lake, src: Source, fname: FileName,
                part: Partition) -> FileReport | None:
    """Load one clean file with pyarrow's CSV reader and Parquet writer; None if it is not clean.

    The same checks as :func:`_load_batch`, so the same rows, keys, counts and manifest
    line. The bytes are read once and Arrow parses them with the kind's types. One
    DuckDB pass over the Arrow table (no copy) gives each row its identity hash and
    whether it fails a row check or has a Crime type police.uk does not use; the rows
    repeating an identity are numbered as :func:`_number_repeats` numbers them
    (:func:`_arrow_keys`). pyarrow then writes the partition in memory while the other
    core hashes the source and counts its records without the parser
    (:func:`_plain_scan`); the partition is hashed in memory and written out once.
    Anything unusual (a parse or type error, a row that fails a check, a quote that is
    not a whole field's, a count that disagrees, an odd line ending) gives None:
    :func:`ingest_source` then loads the file and says what is wrong, line and column.
    """
    import numpy as np
    import pyarrow.csv as pacsv  # not pyarrow.compute: its import costs more than it saves here

    kind = fname.kind
    pool = _arrow_pool()
    try:
        if src.local_path.stat().st_size > ARROW_MAX_BYTES:
            return None
        data = src.local_path.read_bytes()
    except OSError:
        return None
    try:
        a = pacsv.read_csv(pa.BufferReader(data), read_options=pacsv.ReadOptions(
            column_names=kind.header, skip_rows=1, block_size=_ARROW_BLOCK), parse_options=pacsv.ParseOptions(
            delimiter=",", quote_char='"', double_quote=True, escape_char=False, newlines_in_values=False,
            ignore_empty_lines=True), convert_options=pacsv.ConvertOptions(
            column_types={c.header: _ARROW_TYPES[c.sql_type] for c in kind.columns}, null_values=[""],
            strings_can_be_null=True, quoted_strings_can_be_null=True, check_utf8=True), memory_pool=pool)
    except (pa.ArrowException, ValueError):
        return None  # the one-file path says what is wrong
    loaded = a.num_rows
    try:
        keyed = _arrow_keys(con, a, kind, fname)
    except duckdb.Error:
        return None
    if keyed is None:
        return None  # a row failing a check: the one-file path rejects it
    key, duplicates, unknown = keyed
    by_header = {c.name: c.header for c in kind.columns}
    columns = {}
    for name, _ in lake_columns(kind):
        if name == "row_key":
            columns[name] = key
        elif name == "force":
            value = fname.force.encode()
            columns[name] = pa.Array.from_buffers(pa.string(), loaded, [
                None, pa.py_buffer(np.arange(loaded + 1, dtype=np.int32) * len(value)),
                pa.py_buffer(value * loaded)])
        elif name == "month":
            day = (date.fromisoformat(fname.month + "-01") - date(1970, 1, 1)).days
            columns[name] = pa.Array.from_buffers(pa.date32(), loaded, [
                None, pa.py_buffer(np.full(loaded, day, dtype=np.int32))])
        else:
            columns[name] = a[by_header[name]]
    out = pa.Table.from_arrays(list(columns.values()), names=list(columns))
    del a, columns
    # The partition is written in memory (and hashed there, not read back) while the other
    # core hashes the source and counts its records; the source's sha256 goes into the
    # footer. zstd level 1 as DuckDB's COPY writes the other partitions, with statistics
    # (readers skip row groups by them); no dictionary for keys and IDs, which never repeat.
    sink = pa.BufferOutputStream(memory_pool=pool)
    with ThreadPoolExecutor(max_workers=1) as side:
        scanned = side.submit(_plain_scan, data)
        with pq.ParquetWriter(sink, out.schema, compression="zstd", compression_level=1, memory_pool=pool,
                              use_dictionary=[n for n in out.column_names if n not in ("row_key", "crime_id")]
                              ) as writer:
            writer.write_table(out, row_group_size=_ROW_GROUP)
            scan = scanned.result()
            if scan is not None:
                writer.add_key_value_metadata({"source_sha256": scan.sha256, "source_name": src.name,
                                               "unknown_crime_types": str(unknown)})
    del data, out
    if scan is None or not scan.lines or loaded != scan.lines:
        return None  # a blank line, an odd line ending, a quote that is not a field's, a disagreement …
    written = sink.getvalue()
    partition_sha256 = hashlib.sha256(written).hexdigest()
    data_tmp = lake.temp_path(lake.partition_path(part))
    try:
        with open(data_tmp, "wb") as fh:
            fh.write(written)
        del written
        with lake.lock():
            lake.commit(data_tmp, lake.partition_path(part))
            lake.rejects_path(part).unlink(missing_ok=True)
            partition_committed(lake.partition_path(part))  # test-only pause point; see its module
            lake.append_manifest([_manifest_row(src, part, scan, loaded, 0, duplicates, 0, partition_sha256,
                                                unknown)])
    finally:
        data_tmp.unlink(missing_ok=True)
    return FileReport(src.path, "loaded", part.dataset, part.force, part.month, loaded, loaded, 0, duplicates, 0,
                      unknown)


def _arrow_pool() -> pa.MemoryPool:
    """jemalloc's pool (else malloc's) for the Arrow path's buffers, not pyarrow's default.

    pyarrow's default, mimalloc, gives each thread's heap fresh transparent huge pages,
    and the kernel zeroes every one: a Met-scale file spent about 0.3 s of system time
    there, as much as the parse.
    """
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.system_memory_pool()


def _arrow_keys(con: duckdb.DuckDBPyConnection, a: pa.Table, kind: Kind,
                fname: FileName) -> tuple[pa.ChunkedArray, int, int] | None:
    """(row keys, duplicates, rows of a Crime type police.uk does not use) of the rows in ``a``.

    None when a row fails one of the row checks of the other paths (the one-file path
    then rejects it, line and column). Rows repeating an identity are grouped as
    :func:`_load_batch` groups them and numbered as :func:`_number_repeats` numbers them
    (file order = ``_i``), so keys are the ones ``_select_good`` gives.

    Every row carries its index ``_i`` through DuckDB and the keys come back ordered by
    it: DuckDB scans the table's chunks on several threads, and its output need not keep
    their order (a ``NOT IN`` list, planned as a join, reordered rows and gave rows other
    rows' keys).
    """
    import numpy as np

    # Only whether a row is bad: the checks another check implies (the Month pattern, the
    # dearest) only choose the reason the one-file path gives.
    checks = " OR ".join(f"({c.sql})" for c in _row_checks(kind, fname) if not c.implied)
    unknown = (f'count(*) FILTER (WHERE "Crime type" NOT IN ({", ".join(_s(t) for t in CRIME_TYPES)}))'
               if "Crime type" in kind.header else "0")
    # Outcomes: a duplicate is a repeated Crime ID; crimes: counted from the repeats below.
    id_repeats = 'count("Crime ID") - count(DISTINCT "Crime ID")' if kind.dataset != "crimes" else "0"
    try:
        con.register("arrow_rows", a.append_column("_i", _ints(np.arange(a.num_rows))))
        bad, unknown, duplicates = con.execute(
            f"SELECT count(*) FILTER (WHERE ({checks}) IS TRUE), {unknown}, {id_repeats} FROM arrow_rows"
        ).fetchall()[0]
        if bad:
            return None
        con.execute(f'CREATE OR REPLACE TEMP TABLE arrow_ids AS SELECT _i, {_identity_sql(kind)} AS _h, '
                    '"Crime ID" IS NOT NULL AS _id FROM arrow_rows')
        con.execute("CREATE OR REPLACE TEMP TABLE arrow_reps AS SELECT _h, count(*) AS n, bool_or(_id) AS has_id "
                    "FROM arrow_ids GROUP BY _h HAVING count(*) > 1")
        if kind.dataset == "crimes":
            # Rows sharing a Crime ID share _h (the ID itself), so its repeats are theirs.
            duplicates = con.execute("SELECT coalesce(sum(n - 1) FILTER (WHERE has_id), 0) FROM arrow_reps"
                                     ).fetchall()[0][0]
        ordered = sorted(kind.columns, key=lambda c: c.name not in kind.identity)
        others = ", ".join(f"{_q(c.header)} NULLS FIRST" for c in ordered)
        con.execute(f"CREATE OR REPLACE TEMP TABLE arrow_numbers AS SELECT _i, row_number() OVER (PARTITION BY _h "
                    f"ORDER BY {others}, _i) AS _n FROM (SELECT _i, _h FROM arrow_ids SEMI JOIN arrow_reps USING (_h)) "
                    "JOIN arrow_rows USING (_i)")
        # substr(_h, 1, 16) || '-' || _n, as _select_good has it
        key = con.sql("SELECT substr(_h, 1, 16) || '-' || coalesce(_n, 1) FROM arrow_ids "
                      "LEFT JOIN arrow_numbers USING (_i) ORDER BY _i").to_arrow_table().column(0)
        return key, int(duplicates), unknown
    finally:
        con.unregister("arrow_rows")
        con.execute("DROP TABLE IF EXISTS arrow_ids; DROP TABLE IF EXISTS arrow_reps; "
                    "DROP TABLE IF EXISTS arrow_numbers")


def _ints(values) -> pa.Array:
    """An int64 Arrow array of a numpy array, without ``pa.array`` (whose first call imports pandas)."""
    import numpy as np

    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


#: Rows per Parquet row group, as DuckDB's COPY writes them.
_ROW_GROUP = 122_880


def _plain_scan(data: bytes) -> _Scan | None:
    """The :class:`_Scan` of a plain CSV held in memory, or None if it is not plain.

    Plain: every line ends with LF or CRLF (no other carriage return), every quote
    opens or closes a whole field (or is a doubled one inside it) and no quoted field
    holds a line break. Then the records are the lines after the header, counted here
    without the parser, as :class:`_RecordCounter` counts them (blank lines included).
    Anything else: None, and the one-file path scans and loads the file.
    """
    sha256 = hashlib.sha256(data).hexdigest()  # lets go of the GIL
    end = data.find(b"\n")
    if end < 0 or end > _MAX_HEADER:
        return None
    lines = _line_breaks(data, end + 1)
    if lines is None:
        return None
    fields = _quoted_fields(data)
    if fields is None or any(data.find(b"\n", start, stop) >= 0 for start, stop in fields):
        return None
    tail = data[data.rfind(b"\n") + 1 :].strip(b"\r")
    return _Scan(sha256, len(data), data[:end], lines + (1 if tail else 0))


def _line_breaks(data: bytes, start: int) -> int | None:
    """The LFs in ``data[start:]``; None if a CR there is not the first half of a CRLF.

    numpy, a few MB at a time into one reused mask: about a quarter of the CPU of
    ``bytes.count`` (which compares byte by byte, and slower still for two bytes), and
    no mask the size of the file for the kernel to find pages for.
    """
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    mask = np.empty(min(len(raw), _SCAN_BLOCK), dtype=bool)
    lines = 0
    for at in range(start, len(raw), _SCAN_BLOCK):
        block = raw[at : at + _SCAN_BLOCK]
        hits = mask[: len(block)]
        cr = np.flatnonzero(np.equal(block, 0x0D, out=hits)) + at + 1
        if len(cr) and (cr[-1] >= len(raw) or (raw[cr] != 0x0A).any()):
            return None
        lines += int(np.count_nonzero(np.equal(block, 0x0A, out=hits)))
    return lines


#: Bytes per step of :func:`_line_breaks`.
_SCAN_BLOCK = 1 << 22


def _quoted_fields(data: bytes) -> list[tuple[int, int]] | None:
    """(opening, closing quote) of each quoted field in ``data``; None if a quote is not a whole field's.

    A quote must open or close a whole field, or be a doubled one inside it: then
    DuckDB's strict reader and Arrow's read the quoted fields alike (a quote in the
    middle of an unquoted field, or text after a closing quote, they do not).
    """
    at, p = [], data.find(b'"')
    while p >= 0:
        at.append(p)
        p = data.find(b'"', p + 1)
    fields = []
    i, n = 0, len(at)
    while i < n:
        p = at[i]
        if p and data[p - 1] not in b",\n":
            return None
        j = i + 1
        while j < n and j + 1 < n and at[j + 1] == at[j] + 1:
            j += 2  # a doubled quote inside the field
        if j >= n:
            return None  # never closed
        q = at[j]
        if q + 1 < len(data) and data[q + 1] not in b",\r\n":
            return None
        fields.append((p, q))
        i = j + 1
    return fields


def _load_batch(con: duckdb.DuckDBPyConnection, lake: Lake, kind: Kind,
                batch: list[tuple[int, Source, FileName, Partition]], scans: list[_Scan],
                reports: list[FileReport | None]) -> list[FileReport | None]:
    months = "[" + ", ".join(_s(fname.month) for _, _, fname, _ in batch) + "]"
    # A row check, with the file month of the row's own file in place of a constant.
    checks = _row_checks(kind, batch[0][2])
    cond = " OR ".join(f"({c.sql})" for c in checks).replace(_s(batch[0][2].month), f"{months}[_f + 1]")
    every = ", ".join(_q(c.header) for c in kind.columns)
    # Rows repeating an identity within their file, grouped once: counted here, numbered below.
    has_id = 'bool_or("Crime ID" IS NOT NULL)' if "Crime ID" in kind.header else "false"
    con.execute(f"CREATE TEMP TABLE reps AS SELECT _f, _h, count(*) AS n, {has_id} AS has_id "
                "FROM t GROUP BY _f, _h HAVING count(*) > 1")
    repeated = {f: (r, d) for f, r, d in con.execute(
        "SELECT _f, sum(n - 1), coalesce(sum(n - 1) FILTER (WHERE has_id), 0) FROM reps GROUP BY _f").fetchall()}
    if kind.dataset == "outcomes":
        dup_sql = 'count("Crime ID") - count(DISTINCT "Crime ID")'
    else:
        dup_sql = "0"
    unknown_sql = ('count(*) FILTER (WHERE "Crime type" NOT IN (SELECT unnest(?)))' if "Crime type" in kind.header
                   else "0")
    mismatch_sql = ("count(*) FILTER (WHERE strftime(timezone('Europe/London', \"Date\"), '%Y-%m') "
                    f"<> {months}[_f + 1])" if kind.dataset == "stop_searches" else "0")
    params = [list(CRIME_TYPES)] if "Crime type" in kind.header else []
    summary = {f: rest for f, *rest in con.execute(
        f"SELECT _f, count(*), count(*) FILTER (WHERE {cond}), {dup_sql}, {unknown_sql}, "
        f"{mismatch_sql} FROM t GROUP BY _f", params).fetchall()}
    whole = {}
    if kind.dataset == "stop_searches":  # a duplicate search is a row identical in every column
        whole = dict(con.execute(f"SELECT _f, count(*) FROM (SELECT DISTINCT _f, {every} FROM t) GROUP BY _f").fetchall())
    rejected = {f for (f,) in con.execute("SELECT DISTINCT file_id FROM parse_rejects").fetchall()}

    clean = []  # (index in batch, loaded, duplicates, mismatches, unknown types)
    for f, ((i, src, fname, part), scan) in enumerate(zip(batch, scans)):
        loaded, bad, duplicates, unknown, mismatches = summary.get(f, (0, 0, 0, 0, 0))
        if bad or f in rejected or scan.stray_cr or scan.quoted_breaks or loaded != scan.lines:
            continue  # on its own, where what is wrong is found and said
        if kind.dataset == "stop_searches":
            duplicates = loaded - whole.get(f, 0)
        elif kind.dataset == "crimes":
            # Rows sharing a Crime ID share _h (the ID itself), so its repeats are theirs.
            duplicates = int(repeated.get(f, (0, 0))[1])
        clean.append((f, loaded, duplicates, mismatches, unknown))
    if not clean:
        return reports
    if repeated:
        _number_repeats(con, kind, "reps")

    written = []  # (batch entry, scan, counts, data tmp, its sha256)
    try:
        for f, loaded, duplicates, mismatches, unknown in clean:
            i, src, fname, part = batch[f]
            scan = scans[f]
            data_tmp = lake.temp_path(lake.partition_path(part))
            written.append((batch[f], scan, (loaded, duplicates, mismatches, unknown), data_tmp))
            con.execute(f"COPY ({_select_good(kind, fname)} WHERE _f = {f}) TO {_s(str(data_tmp))} "
                        "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, "
                        f"KV_METADATA {{source_sha256: {_s(scan.sha256)}, source_name: {_s(src.name)}, "
                        f"unknown_crime_types: '{unknown}'}})")
        # Durable before any is renamed, all at once; then each is renamed and gets its
        # manifest line in turn, and the folders and the manifest are synced at the end.
        fsync_all([data_tmp for *_, data_tmp in written])
        for (i, src, fname, part), scan, (loaded, duplicates, mismatches, unknown), data_tmp in written:
            partition_sha256 = file_sha256(data_tmp)
            with lake.lock():
                lake.commit(data_tmp, lake.partition_path(part), synced=True, sync_dir=False)
                lake.rejects_path(part).unlink(missing_ok=True)
                partition_committed(lake.partition_path(part))  # test-only pause point; see its module
                lake.append_manifest([_manifest_row(src, part, scan, loaded, 0, duplicates, mismatches,
                                                    partition_sha256, unknown)], sync=False)
            reports[i] = FileReport(src.path, "loaded", part.dataset, part.force, part.month, loaded, loaded,
                                    0, duplicates, mismatches, unknown)
        fsync_all([*{lake.partition_path(entry[3]).parent for entry, *_ in written}, lake.manifest_path])
    finally:
        for *_, data_tmp in written:
            data_tmp.unlink(missing_ok=True)
    return reports


def _manifest_row(src: Source, part: Partition, scan: _Scan, loaded: int, rejected: int, duplicates: int,
                  mismatches: int, partition_sha256: str, unknown_types: int) -> dict:
    return {
        "source_path": src.path, "source_name": src.name, "dataset": part.dataset,
        "force": part.force, "month": date.fromisoformat(part.month + "-01"),
        "sha256": scan.sha256, "bytes": scan.nbytes, "rows_read": loaded + rejected,
        "rows_loaded": loaded, "rows_rejected": rejected, "duplicates": duplicates,
        "month_mismatches": mismatches, "partition_sha256": partition_sha256,
        "unknown_crime_types": unknown_types,
        "ingested_at": datetime.now(timezone.utc),
        "openbeat_version": __version__,
    }


def _plain_header(src: Source, kind: Kind) -> bool:
    """True when the file starts with the kind's exact header on a line ended by LF or CRLF."""
    try:
        with src.open() as raw:
            head = (gzip.open(raw) if src.name.endswith(".gz") else raw).read(4096)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
        return False
    first = head.split(b"\n", 1)[0]
    return b"\n" in head and first.removeprefix(_BOM).rstrip(b"\r") == ",".join(kind.header).encode()


def spool(src: Source) -> Source:
    """Copy a stream (a zip member) to a plain temporary CSV: a source DuckDB can read in place.

    The caller deletes ``local_path`` when done. A ``.gz`` member is decompressed on the way.
    The header is checked as soon as its line has arrived, and the copy stops as soon as
    the member expands beyond :class:`Limits`, so a wrong or hostile member costs little.
    """
    fname = parse_file_name(src.name)
    gz = src.name.endswith(".gz")
    expansion = _Expansion(src, src.compressed_size)
    header = b""
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
                expansion.add(len(chunk))
                if header is not None and fname is not None:
                    header += chunk[: _MAX_HEADER + 1]
                    if b"\n" in header or len(header) > _MAX_HEADER:
                        _check_header(src, fname.kind, header.split(b"\n", 1)[0])
                        header = None
                out.write(chunk)
        if header and fname is not None:  # a file of one line, no newline
            _check_header(src, fname.kind, header)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    name = src.name[:-3] if gz and fname else src.name
    return Source(src.path, name, lambda: open(tmp_name, "rb"), local_path=Path(tmp_name))


def _cr_only_as_crlf(src: Source, gz: bool) -> Source | None:
    """A file whose lines end with CR alone (old Mac files) as a CRLF copy, else None.

    CSV readers take a lone CR as a record terminator, so such a file holds records as
    any other; DuckDB does not, so each CR outside quotes becomes CRLF (line numbers stay
    the same; a CR inside quotes stays part of its field). A CRLF or LF file is never
    rewritten: its stray CRs are rejected line by line. The sha256 that marks the file as
    loaded is the copy's, which is the same on every run.
    """
    try:
        with src.open() as raw:
            head = (gzip.open(raw) if gz else raw).read(_MAX_HEADER + 1)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
        return None  # the normal path says what is wrong with the file
    first = head.split(b"\n", 1)[0]
    if b"\n" in head or b"\r" not in first.removeprefix(_BOM) or b'"\r' in first:
        return None
    fd, tmp_name = tempfile.mkstemp(prefix="openbeat-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out, src.open() as raw:
            stream = gzip.open(raw) if gz else raw
            expansion = _Expansion(src, src.compressed_size)
            quoted = False
            while chunk := stream.read(_CHUNK):
                expansion.add(len(chunk))
                if b"\n" in chunk:  # not CR-only after all: leave it to the stray-CR rules
                    raise _NotCrOnly
                parts = chunk.split(b'"')
                for i, part in enumerate(parts):
                    if i:
                        quoted = not quoted
                        out.write(b'"')
                    out.write(part if quoted else part.replace(b"\r", b"\r\n"))
    except _NotCrOnly:
        Path(tmp_name).unlink(missing_ok=True)
        return None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    name = src.name[:-3] if gz else src.name
    return Source(src.path, name, lambda: open(tmp_name, "rb"), local_path=Path(tmp_name))


class _NotCrOnly(Exception):
    pass


# ---- pass 1: hash, decompress, count -------------------------------------------


def _read_first_line(src: Source, gz: bool) -> bytes:
    try:
        with src.open() as raw:
            fh = gzip.open(raw) if gz else raw
            return fh.readline(_MAX_HEADER + 1).rstrip(b"\n")
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
        raise IngestError(src.path, f"cannot read the file: {e}") from e


def _scan(src: Source, gz: bool, copy_to: BinaryIO | None = None) -> _Scan:
    """sha256 of the bytes as stored, their size, the first line and the record count."""
    sha = hashlib.sha256()
    nbytes = 0
    counter = _RecordCounter()
    stored = src.compressed_size
    if gz and stored is None and src.local_path is not None:
        stored = src.local_path.stat().st_size
    expansion = _Expansion(src, stored) if (gz or copy_to is not None) else None
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
            if expansion is not None:
                expansion.add(len(chunk))
            counter.feed(chunk)
            if copy_to is not None:
                copy_to.write(chunk)
        if decomp is not None and not decomp.eof:
            raise IngestError(src.path, "truncated gzip: the compressed stream ends early",
                              hint="the download may be incomplete; fetch it again")
    counter.close()
    return _Scan(sha.hexdigest(), nbytes, counter.first_line, counter.lines, counter.stray_cr,
                 counter.quoted_breaks)


class _RecordCounter:
    """Counts records after the header, across chunk boundaries, as CSV reads them.

    A line break inside quotes is part of its field (RFC 4180), so only breaks outside
    quotes end a record: quote characters are counted, and an escaped quote (``""``)
    toggles the state twice. ``lines`` includes blank lines: counting only newlines runs
    at memory speed, while finding blank lines (a two-byte search) costs several times
    more. Blank lines are rare, so they are counted (:func:`_blank_lines`) only when the
    totals disagree. ``stray_cr``: a carriage return outside quotes that ends no line.
    """

    def __init__(self) -> None:
        self.first_line = b""
        self._in_header = True
        self._quoted = False
        self._newlines = 0  # after the header
        self._tail = False  # a non-blank last line without a final newline
        self._cr_end = False  # the previous chunk ended with CR outside quotes
        self.stray_cr = False
        self.quoted_breaks = 0  # line breaks inside quoted fields
        self.lines = 0

    def feed(self, chunk: bytes) -> None:
        if self._in_header:
            i = chunk.find(b"\n")
            if i < 0:
                if len(self.first_line) <= _MAX_HEADER:  # enough to say what is wrong with it
                    self.first_line += chunk[: _MAX_HEADER + 1]
                return
            if len(self.first_line) <= _MAX_HEADER:
                self.first_line += chunk[: min(i, _MAX_HEADER + 1)]
            self._in_header = False
            chunk = chunk[i + 1 :]
        if not chunk:
            return
        if self._cr_end and not chunk.startswith(b"\n"):
            self.stray_cr = True
        self._cr_end = False
        if not self._quoted and b'"' not in chunk:
            self._outside(chunk, last=True)
            return
        parts = chunk.split(b'"')
        for i, part in enumerate(parts):
            if i:
                self._quoted = not self._quoted
                self._tail = True
            if not self._quoted:
                self._outside(part, last=i == len(parts) - 1)
            else:
                self.quoted_breaks += part.count(b"\n")

    def _outside(self, part: bytes, *, last: bool) -> None:
        if not part:
            return
        self._newlines += part.count(b"\n")
        if part.count(b"\r") != part.count(b"\r\n"):
            ends_cr = part.endswith(b"\r")
            if part.count(b"\r") - part.count(b"\r\n") > (1 if ends_cr else 0) or (ends_cr and not last):
                self.stray_cr = True
            elif ends_cr:
                self._cr_end = True
        last_nl = part.rfind(b"\n")
        tail = part[last_nl + 1 :]
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
    if b"\r" in line:
        raise IngestError(src.path, "the header holds a carriage return (CR) that ends no line: lines here end "
                          "with CR alone, or a stray CR is in the header", line=1,
                          column=_snippet(line.split(b"\r", 1)[0].decode("utf-8", "replace").rsplit(",", 1)[-1]),
                          hint="police.uk files end lines with CRLF; convert the line endings and ingest again")
    if not line:
        raise IngestError(src.path, "the file is empty", line=1,
                          hint=f"expected the header of a police.uk {kind.file_kind} file")
    if len(line) > _MAX_HEADER:
        raise IngestError(src.path, f"the first line is longer than {_MAX_HEADER:,} bytes, so it is no "
                          f"police.uk header; it starts {_snippet(line.decode('utf-8', 'replace'))!r}", line=1,
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
            what = f"found {_snippet(got)!r}" if got is not None else "the header ends early"
            raise IngestError(
                src.path, f"wrong header: column {i + 1} should be {expected!r}, {what}",
                line=1, column=expected,
                hint=f"a police.uk {kind.file_kind} file has {len(kind.header)} columns: {', '.join(kind.header)}",
            )
    raise IngestError(src.path, f"wrong header: {len(found)} columns where {len(kind.header)} are expected",
                      line=1, column=_snippet(found[len(kind.header)]))


def _snippet(text: str, limit: int = 80) -> str:
    """At most ``limit`` characters of a value quoted back in a message (a header may be megabytes)."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


# ---- pass 2: parse, check, write -----------------------------------------------


def _load(con: duckdb.DuckDBPyConnection, lake: Lake, src: Source, fname: FileName, part: Partition,
          csv_path: Path, get_scan: Callable[[], _Scan], cleaned: tuple[Path, list[tuple]] | None = None
          ) -> FileReport:
    kind = fname.kind
    original = csv_path
    if cleaned is not None:
        csv_path = cleaned[0]
    try:
        try:
            # rowid of this table is the row's position among the rows DuckDB parsed.
            con.execute(_create_t(kind, [csv_path]))
        except duckdb.Error as e:
            scan = get_scan()  # a truncated or corrupt download says so more plainly than DuckDB
            if not scan.stray_cr or cleaned is not None:
                raise IngestError(src.path, f"cannot parse the file: {_first_line(e)}") from e
            # DuckDB's strict parser stops at a CR inside an unquoted field; blank those
            # lines out (line numbers stay as they were) and reject them one by one
            without = _without_stray_cr(csv_path, kind, lake.temp_path(lake.partition_path(part)))
            con.execute("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS parse_rejects; DROP TABLE IF EXISTS parse_scans")
            return _load(con, lake, src, fname, part, csv_path, get_scan, cleaned=without)
        scan = get_scan()

        checks = _row_checks(kind, fname)
        reason_sql = "CASE " + " ".join(f"WHEN {c.sql} THEN {c.reason}" for c in checks) + " END"
        column_sql = "CASE " + " ".join(f"WHEN {c.sql} THEN {_s(c.column)}" for c in checks) + " END"
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
        unknown_types = 0
        if "Crime type" in kind.header:
            unknown_types = con.execute('SELECT count(*) FROM t WHERE "Crime type" NOT IN (SELECT unnest(?))',
                                        [list(CRIME_TYPES)]).fetchone()[0]
        if repeated:
            _number_repeats(con, kind)

        parse_rejects = con.execute(
            # DuckDB reports a short row once per missing column ("Expected … Found: 5", then
            # "Found: 6" …): keep the first, which names the first missing column
            """SELECT line, arg_min(column_name, column_idx),
                      string_agg(DISTINCT msg, '; ' ORDER BY msg), any_value(csv_line)
               FROM (SELECT *, CASE WHEN error_type = 'MISSING COLUMNS'
                                    THEN first_value(error_message) OVER (PARTITION BY line, error_type ORDER BY column_idx)
                                    ELSE error_message END AS msg FROM parse_rejects)
               GROUP BY line ORDER BY line"""
        ).fetchall()
        if scan.quoted_breaks and parse_rejects:
            physical = _physical_lines(csv_path, {r[0] for r in parse_rejects})
            parse_rejects = [(physical.get(line, line), *rest) for line, *rest in parse_rejects]
        rejects = [(line, col, msg, (raw or "").lstrip("\r\n")) for line, col, msg, raw in parse_rejects]
        if cleaned is not None:
            rejects += cleaned[1]
        if bad:
            lines = _lines_of_ordinals(csv_path, [b[0] for b in bad], {r[0] for r in rejects})
            rejects += [(lines[o][0], col, reason, lines[o][1]) for o, reason, col in bad]
        rejects.sort(key=lambda r: r[0] or 0)
        rejects = [_cut_raw(*r) for r in rejects]

        rows_read = loaded + len(rejects)
        records = scan.lines if rows_read == scan.lines else scan.lines - _blank_lines(original)
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
                        f"KV_METADATA {{source_sha256: {_s(scan.sha256)}, source_name: {_s(src.name)}, "
                        f"unknown_crime_types: '{unknown_types}'}})")
            partition_sha256 = file_sha256(data_tmp)
            if rejects:
                pq.write_table(_rejects_table(part, src.name, rejects), rej_tmp, compression="zstd")
            with lake.lock():
                lake.commit(data_tmp, lake.partition_path(part))
                if rejects:
                    lake.commit(rej_tmp, lake.rejects_path(part))
                else:
                    lake.rejects_path(part).unlink(missing_ok=True)
                partition_committed(lake.partition_path(part))  # test-only pause point; see its module
                lake.append_manifest([_manifest_row(src, part, scan, loaded, len(rejects), duplicates, mismatches,
                                                    partition_sha256, unknown_types)])
        finally:
            data_tmp.unlink(missing_ok=True)
            rej_tmp.unlink(missing_ok=True)
        return FileReport(
            src.path, "loaded", part.dataset, part.force, part.month, rows_read, loaded,
            len(rejects), duplicates, mismatches, unknown_types,
            reject_examples=[f"line {ln}" + (f", column {col}" if col else "") + f": {reason}"
                             for ln, col, reason, _ in rejects[:5]],
        )
    finally:
        con.execute("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS parse_rejects; DROP TABLE IF EXISTS parse_scans")
        if cleaned is not None:
            cleaned[0].unlink(missing_ok=True)


def _create_t(kind: Kind, paths: list[Path]) -> str:
    """SQL making temp table ``t`` of the rows DuckDB parses from ``paths`` (``_f``: which file).

    Unparsable rows go to ``parse_rejects`` with their file, line and column.
    """
    columns = "{" + ", ".join(f"{_s(c.header)}: {_s(c.sql_type)}" for c in kind.columns) + "}"
    ident = _identity_sql(kind)
    listed = "[" + ", ".join(_s(str(p)) for p in paths) + "]"
    return f"""CREATE TEMP TABLE t AS SELECT * EXCLUDE (file_index), CAST(file_index AS INTEGER) AS _f, {ident} AS _h,
                   CAST(NULL AS BIGINT) AS _n
               FROM (SELECT *, file_index FROM read_csv({listed},
                   header = true, columns = {columns}, auto_detect = false,
                   delim = ',', quote = '"', escape = '"', strict_mode = true,
                   null_padding = false, store_rejects = true,
                   rejects_table = 'parse_rejects', rejects_scan = 'parse_scans'))"""


def _identity_sql(kind: Kind) -> str:
    """SQL for ``_h``, the hash part of the row key.

    The stable row key: a hash of what identifies the record (not what police.uk later
    updates, such as outcomes) plus its occurrence among identical records, so re-ingests
    and re-publications in another row order give the same keys.
    """
    # One concat call, not a chain of ||: the same string, built once (a quarter less CPU).
    ident = "md5(concat(" + ", chr(31), ".join(
        f"coalesce(CAST({_q(c.header)} AS VARCHAR), '')" for c in kind.columns if c.name in kind.identity
    ) + "))"
    if kind.dataset == "crimes":
        # A Crime ID is already a 64-hex hash of the crime: no need to hash it again. Rows
        # sharing one are told apart by the occurrence number below.
        ident = f'CASE WHEN "Crime ID" IS NULL THEN {ident} ELSE "Crime ID" END'
    return ident


def _number_repeats(con: duckdb.DuckDBPyConnection, kind: Kind, groups: str | None = None) -> None:
    """Number rows identical in identity within their file, by their other fields before file order.

    So a re-publication in another row order pairs them up the same way. ``groups``: a
    table of the (_f, _h) that repeat, when already made.
    """
    ordered = sorted(kind.columns, key=lambda c: c.name not in kind.identity)  # identity first
    others = ", ".join(f"{_q(c.header)} NULLS FIRST" for c in ordered)
    groups = groups or "(SELECT _f, _h FROM t GROUP BY _f, _h HAVING count(*) > 1)"
    # The numbers first, then the update from them: one UPDATE with the window inside it
    # costs several times more (DuckDB plans the join back to t poorly).
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE numbered AS SELECT t.rowid AS r, row_number() OVER (PARTITION BY _f, _h "
        f"ORDER BY {others}, t.rowid) AS n FROM t SEMI JOIN {groups} g USING (_f, _h)"
    )
    con.execute("UPDATE t SET _n = numbered.n FROM numbered WHERE t.rowid = numbered.r; DROP TABLE numbered")


def _without_stray_cr(path: Path, kind: Kind, tmp: Path) -> tuple[Path, list[tuple]]:
    """A copy of ``path`` with each line holding a CR outside quotes made blank, and those lines as rejects."""
    data = (gzip.open(path) if path.name.endswith(".gz") else open(path, "rb")).read()
    out, rejects, quoted, lineno = [], [], False, 0
    for raw in data.split(b"\n"):
        lineno += 1
        body = raw[:-1] if raw.endswith(b"\r") else raw
        field, bad = 0, None
        for byte in body:
            if byte == 0x22:
                quoted = not quoted
            elif not quoted and byte == 0x2C:
                field += 1
            elif not quoted and byte == 0x0D and bad is None:
                bad = field
        if bad is not None and lineno > 1:
            column = kind.header[bad] if bad < len(kind.header) else None
            rejects.append((lineno, column, "a carriage return (CR) inside an unquoted field; police.uk lines "
                            "end with CRLF", body.decode("utf-8", "replace").replace("\r", "\\r")))
            out.append(b"\r" if raw.endswith(b"\r") else b"")  # a blank line, in the file's own line ending
        else:
            out.append(raw)
    tmp.write_bytes(b"\n".join(out))
    return tmp, rejects


class _RowCheck(NamedTuple):
    """A row that parses but cannot be used: its SQL condition, the column and SQL reason to give."""

    sql: str
    column: str
    reason: str
    #: Every row failing this check fails a later one too: this check only chooses the
    #: reason the one-file path gives, and a path that only asks "is any row bad?"
    #: (:func:`_arrow_keys`) may leave it out.
    implied: bool = False


def _row_checks(kind: Kind, fname: FileName) -> list[_RowCheck]:
    """The checks for rows that parse but cannot be used, the first failing one giving the reason."""
    checks = []
    for c in kind.columns:
        if c.required:
            checks.append(_RowCheck(f"{_q(c.header)} IS NULL", c.header, _s(f"{c.header} is empty")))
    if "Month" in kind.header:
        # A Month that is not YYYY-MM is not the file name's month (always YYYY-MM) either.
        checks.append(_RowCheck(
            "NOT regexp_full_match(\"Month\", '\\d{4}-(0[1-9]|1[0-2])')", "Month",
            "'Month ' || \"Month\" || ' is not a month (YYYY-MM)'", implied=True,
        ))
        checks.append(_RowCheck(
            f"\"Month\" <> {_s(fname.month)}", "Month",
            f"'Month ' || \"Month\" || ' disagrees with the file name month {fname.month}'",
        ))
    checks += [
        _RowCheck("(\"Latitude\" IS NULL) <> (\"Longitude\" IS NULL)", "Latitude",
                  "'only one of Latitude and Longitude is given'"),
        _RowCheck("NOT \"Latitude\" BETWEEN -90 AND 90", "Latitude",
                  "'Latitude ' || \"Latitude\" || ' is outside -90..90'"),
        _RowCheck("NOT \"Longitude\" BETWEEN -180 AND 180", "Longitude",
                  "'Longitude ' || \"Longitude\" || ' is outside -180..180'"),
        _RowCheck("isnan(\"Latitude\") OR isnan(\"Longitude\") OR isinf(\"Latitude\") OR isinf(\"Longitude\")",
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
    # Stop-search rows have no ID: a duplicate is a row identical in every column to an
    # earlier row of the file (rows sharing only the identity columns, e.g. differing in
    # whether clothing was removed, are different searches). Searches are dated in UTC;
    # the file month is the local (Europe/London) month, so a search at 00:30 BST on the
    # 1st, dated 23:30 UTC the day before, is in the right file.
    every = ", ".join(_q(c.header) for c in kind.columns)
    loaded, distinct, whole, mismatches = con.execute(
        f"SELECT count(*), count(DISTINCT _h), (SELECT count(*) FROM (SELECT DISTINCT {every} FROM t)), "
        "count(*) FILTER (WHERE strftime(timezone('Europe/London', \"Date\"), "
        f"'%Y-%m') <> {_s(fname.month)}) FROM t"
    ).fetchone()
    return loaded, loaded - whole, mismatches, loaded - distinct


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


def _physical_lines(path: Path, records: set[int]) -> dict[int, int]:
    """DuckDB's line numbers count records (header = 1); the first physical line of each."""
    out: dict[int, int] = {}
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        first, number = 1, 0
        for _ in reader:
            number += 1
            if number in records:
                out[number] = first
                if len(out) == len(records):
                    break
            first = reader.line_num + 1
    return out


def _lines_of_ordinals(path: Path, ordinals: list[int], parse_rejected: set[int]) -> dict[int, tuple[int, str]]:
    """Map the i-th parsed row to (line number, raw text), skipping blank and rejected lines.

    Records are read as CSV reads them, so a quoted line break stays inside its record,
    whose line number is that of its first line.
    """
    wanted = set(ordinals)
    out: dict[int, tuple[int, str]] = {}
    ordinal = -1
    consumed: list[str] = []

    def physical(fh):
        for line in fh:
            consumed.append(line)
            yield line

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(physical(fh))
        next(reader, None)
        consumed.clear()
        first = reader.line_num + 1
        for record in reader:
            lineno, first = first, reader.line_num + 1
            raw = "".join(consumed).rstrip("\r\n")
            consumed.clear()
            if not record or lineno in parse_rejected:
                continue
            ordinal += 1
            if ordinal in wanted:
                out[ordinal] = (lineno, raw)
                if len(out) == len(wanted):
                    break
    return out


#: Longest raw line kept with a reject (DuckDB keeps no more of a line it rejects).
RAW_LIMIT = 10_000


def _cut_raw(line: int, column: str | None, reason: str, raw: str) -> tuple:
    """A reject whose raw line is at most RAW_LIMIT characters, saying so when it was cut."""
    if len(raw) < RAW_LIMIT:
        return line, column, reason, raw
    return (line, column, f"{reason} (the raw line is cut to its first {RAW_LIMIT:,} characters)",
            raw[:RAW_LIMIT])


def _rejects_table(part: Partition, source_name: str, rejects: list[tuple]) -> pa.Table:
    month = date.fromisoformat(part.month + "-01")
    return pa.Table.from_pylist(
        [
            {"dataset": part.dataset, "force": part.force, "month": month, "source_name": source_name,
             "line": line, "column": col, "reason": reason, "raw": raw}
            for line, col, reason, raw in rejects
        ],
        schema=rejects_schema(),
    )


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0]


def _s(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'
