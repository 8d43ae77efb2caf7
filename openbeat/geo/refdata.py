"""Read and merge whole reference datasets (``<lake>/<name>/part.parquet``).

Reference loaders accumulate: loading a second file of the same kind replaces the rows
with the same key and keeps the others, so e.g. two boroughs' ward files can be loaded
one after the other. The write itself is ``Lake.write_reference`` (atomic rename).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from openbeat.lake import Lake


def read_reference(lake: Lake, name: str, columns: list[str] | None = None) -> pa.Table | None:
    """The dataset as stored, or None when it has not been loaded."""
    path = lake.table_path(name)
    if not path.exists():
        return None
    return pq.read_table(path, columns=columns)


def merge_reference(lake: Lake, name: str, new: pa.Table, key: list[str]) -> pa.Table:
    """Replace rows of ``name`` whose ``key`` appears in ``new``; write and return the result.

    If the stored dataset lacks a column of ``new`` (an older layout), it is replaced whole.
    """
    old = read_reference(lake, name)
    if old is not None and old.num_rows and set(new.schema.names) <= set(old.schema.names):
        con = duckdb.connect()
        try:
            con.register("old_rows", old)
            con.register("new_rows", new)
            cols = ", ".join(f'o."{c}"' for c in new.schema.names)
            match = " AND ".join(f'n."{k}" IS NOT DISTINCT FROM o."{k}"' for k in key)
            kept = con.sql(
                f"SELECT {cols} FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE {match})"
            ).to_arrow_table()
        finally:
            con.close()
        new = pa.concat_tables([kept.cast(new.schema), new])
    lake.write_reference(name, new)
    return new


# ---- reading published CSVs -------------------------------------------------------


def open_text(path, newline: str | None = ""):
    """Open a CSV (plain or .gz) as text; ``utf-8-sig`` drops the BOM ONS files carry."""
    import gzip
    from pathlib import Path

    path = Path(path)
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline=newline)
    return open(path, encoding="utf-8-sig", newline=newline)


def first_line(path) -> str:
    """The header line, without BOM or line ending ('' for an empty or binary file)."""
    try:
        with open_text(path, newline=None) as fh:
            return fh.readline().rstrip("\r\n")
    except (UnicodeDecodeError, OSError, EOFError):
        return ""


def read_csv_rows(path, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a small published CSV, all values as text."""
    import csv

    with open_text(path) as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader, [])
        rows = [r for r in reader if any(v.strip() for v in r)]
    return header, rows
