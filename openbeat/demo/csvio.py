"""Fast, exact CSV writing for the big police.uk files, and the demo's Crime IDs.

Every column of a police.uk file is either a small vocabulary (crime types, map
points, outcome names) indexed per row, or a Crime ID. So a column is built as
``vocabulary.take(indices)`` in Arrow and a whole file is joined in Arrow's C++
kernels: no Python loop runs per row. Fields are quoted only when they need it, as
police.uk does ("Bournemouth, Christchurch and Poole 035B" is the only kind of
quoted field in the real files); pyarrow's own CSV writer would quote every string.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def field(value: str) -> str:
    """A CSV field as police.uk writes it: quoted only if it holds a comma or quote."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class Vocab:
    """A vocabulary quoted once, from which columns are taken by index."""

    def __init__(self, values: list[str] | tuple[str, ...]):
        self.array = pa.array([field(v) for v in values], pa.string())

    def column(self, index: np.ndarray) -> pa.Array:
        return self.array.take(pa.array(index, pa.int64()))


def vocab_column(values: list[str] | tuple[str, ...], index: np.ndarray) -> pa.Array:
    """``values[index]`` as an Arrow string column (for small vocabularies)."""
    return Vocab(values).column(index)


def constant_column(value: str, n: int) -> pa.Array:
    return vocab_column([value], np.zeros(n, np.int64))


def write_csv(path: Path, header: list[str], columns: list[pa.Array], eol: str) -> int:
    """Write header and rows; return the number of rows. Written to a temporary file
    and renamed, so a reader never sees half a file."""
    n = len(columns[0]) if columns else 0
    body = b""
    if n:
        rows = pc.binary_join_element_wise(*columns, ",")
        rows = pc.binary_join_element_wise(rows, pa.scalar(eol), "")
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=n + 1, offset=rows.offset * 4)
        body = rows.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
    text = (",".join(field(h) for h in header) + eol).encode("utf-8") + body
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(text)
    os.replace(tmp, path)
    return n


def crime_ids(seed: int, month_number: int, rows: np.ndarray) -> pa.Array:
    """64-hex-digit Crime IDs, like police.uk's, from (seed, month, row).

    A counter-based hash (SplitMix64, Steele et al. 2014) rather than a random stream,
    so an outcome written months later can recompute the ID of the crime it belongs to
    without the generator keeping every ID in memory.
    """
    n = len(rows)
    key = (np.uint64(seed & 0xFFFFFFFF) << np.uint64(32)) ^ (np.uint64(month_number) << np.uint64(24))
    base = key ^ rows.astype(np.uint64)
    words = np.empty((n, 4), dtype=">u8")
    for i in range(4):
        words[:, i] = _splitmix64(base * np.uint64(4) + np.uint64(i))
    raw = words.view(np.uint8).reshape(n, 32)
    out = np.empty((n, 64), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 15]
    offsets = np.arange(0, 64 * (n + 1), 64, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.tobytes()))


def _splitmix64(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))
