"""An ingest killed with SIGKILL leaves every partition wholly old or wholly new."""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from openbeat.ingest import ingest_paths
from openbeat.ingest.kinds import STREET
from openbeat.lake import Lake

MONTHS = [f"2023-{m:02d}" for m in range(1, 13)]


def make_month(folder: Path, month: str, version: int, n: int = 40_000) -> Path:
    """A street file whose rows say which version they belong to (in Last outcome category)."""
    rng = random.Random(f"{month}-{version}")
    lines = [",".join(STREET.header)]
    for i in range(n + version * 1000):  # versions also differ in row count
        lines.append(
            f"{i:064x},{month},Test Police,Test Police,{-0.1 - rng.random() / 10:.6f},{51.5 + rng.random() / 10:.6f},"
            f"On or near Street {i % 97},E01{i % 5000:06d},Area {i % 5000},Burglary,version {version},"
        )
    path = folder / f"{month}-test-street.csv"
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def partition_versions(lake: Lake) -> dict[str, int]:
    """Which version each partition holds; fails if any partition mixes versions or is unreadable."""
    out = {}
    for p in lake.partitions("crimes"):
        table = pq.read_table(lake.partition_path(p), columns=["last_outcome_category"])
        versions = set(table.column(0).to_pylist())
        assert len(versions) == 1, f"{p.month} mixes {versions}"
        version = int(versions.pop().split()[1])
        assert table.num_rows == 40_000 + version * 1000, f"{p.month} has {table.num_rows} rows"
        out[p.month] = version
    return out


@pytest.mark.slow
def test_sigkill_midway_leaves_partitions_whole(tmp_path):
    old, new = tmp_path / "v1", tmp_path / "v2"
    old.mkdir(), new.mkdir()
    for m in MONTHS:
        make_month(old, m, 1), make_month(new, m, 2)
    lake = Lake(tmp_path / "lake")
    assert ingest_paths([old], lake=lake).ok
    assert set(partition_versions(lake).values()) == {1}

    start = time.monotonic()
    full = subprocess.run([sys.executable, "-m", "openbeat", "ingest", "-q", str(new), "--lake", str(tmp_path / "timing")],
                          capture_output=True, text=True)
    assert full.returncode == 0, full.stderr
    duration = time.monotonic() - start

    seen_mixed = False
    for fraction in (0.35, 0.55, 0.7, 0.85):
        proc = subprocess.Popen([sys.executable, "-m", "openbeat", "ingest", "-q", str(new), "--lake", str(lake.root)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        versions = partition_versions(lake)  # every partition readable and whole
        assert set(versions) == set(MONTHS)
        seen_mixed |= len(set(versions.values())) == 2
        # Each partition knows the source it was built from, whatever the manifest log says.
        for p in lake.partitions("crimes"):
            expected = (old if versions[p.month] == 1 else new) / f"{p.month}-test-street.csv"
            assert lake.current_sha256(p) == hashlib.sha256(expected.read_bytes()).hexdigest()
        # Start again from the old version for the next kill.
        assert ingest_paths([old], lake=lake).ok
    assert seen_mixed, "no kill landed midway; the test proved nothing"

    # A run to the end finishes the job and sweeps the temporary files of the dead runs.
    assert ingest_paths([new], lake=lake).ok
    assert set(partition_versions(lake).values()) == {2}
    assert not [p for p in lake.root.rglob(".tmp-*")]
