"""An ingest killed with SIGKILL leaves every partition wholly old or wholly new."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openbeat.datasets import STREET
from openbeat.ingest import ingest_paths
from openbeat.lake import Lake
from tests.waiting import wait_until

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


def written_not_renamed(lake: Lake) -> Path | None:
    """A new partition file another ingest worker has finished writing but not yet renamed."""
    for tmp in lake.root.glob("crimes/force=*/month=*/.tmp-*"):
        try:
            pq.read_metadata(tmp)  # the footer comes last: readable means whole
            return tmp
        except (OSError, pa.ArrowInvalid):
            pass
    return None


def ingest_killed_after(source: Path, lake: Lake, partitions: int, workdir: Path) -> tuple[Path, Path | None]:
    """Run ``openbeat ingest`` until it pauses after committing ``partitions`` partitions, then SIGKILL it.

    The ingest's test-only pause point (openbeat/ingest/pause_for_tests.py) holds it after
    the rename of its N-th partition and before that partition's manifest entry, so where
    the kill lands never depends on how fast the machine or Python start-up is. While it
    holds the lake lock, the second worker (one per core, up to 2) writes its next
    partition in full and waits to rename it; the kill comes after that too, when there is
    a next file. Returns the partition paused after and that whole, unrenamed file.
    """
    marker, log = workdir / f"paused-after-{partitions}", workdir / f"ingest-{partitions}.log"
    env = {**os.environ, "OPENBEAT_TEST_PAUSE_AFTER_PARTITIONS": str(partitions),
           "OPENBEAT_TEST_PAUSE_MARKER": str(marker)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "openbeat", "ingest", "-q", str(source),
                                 "--lake", str(lake.root)], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: marker.exists() or proc.poll() is not None, 300,
                   f"the ingest to pause after {partitions} partitions")
        assert marker.exists(), f"the ingest ended (exit {proc.returncode}) without pausing:\n{log.read_text()}"
        pending = None
        if partitions < len(MONTHS) and (os.cpu_count() or 1) >= 2:
            pending = wait_until(lambda: written_not_renamed(lake), 300, "the second worker's next partition")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return Path(marker.read_text()), pending


def newest_manifest_sha256(lake: Lake) -> dict[str, str]:
    """The sha256 the manifest's latest entry gives for each month."""
    return {row["month"].isoformat()[:7]: row["sha256"] for row in lake.manifest_rows()}


@pytest.mark.slow
def test_sigkill_midway_leaves_partitions_whole(tmp_path):
    old, new = tmp_path / "v1", tmp_path / "v2"
    old.mkdir(), new.mkdir()
    for m in MONTHS:
        make_month(old, m, 1), make_month(new, m, 2)
    lake = Lake(tmp_path / "lake")
    assert ingest_paths([old], lake=lake).ok
    assert set(partition_versions(lake).values()) == {1}

    # After the first new partition, midway, and after the last one (just before its
    # manifest entry, when only the manifest is left to write).
    for after in (1, len(MONTHS) // 2, len(MONTHS)):
        paused_at, pending = ingest_killed_after(new, lake, after, tmp_path)
        versions = partition_versions(lake)  # every partition readable and whole
        assert set(versions) == set(MONTHS)
        assert sum(v == 2 for v in versions.values()) == after, versions
        paused_month = paused_at.parent.name.removeprefix("month=")
        assert versions[paused_month] == 2
        if pending:  # written in full beside its partition, yet the partition is still the old one
            assert pending.exists() and versions[pending.parent.name.removeprefix("month=")] == 1
        # Each partition knows the source it was built from, whatever the manifest log says.
        for p in lake.partitions("crimes"):
            expected = (old if versions[p.month] == 1 else new) / f"{p.month}-test-street.csv"
            assert lake.current_sha256(p) == hashlib.sha256(expected.read_bytes()).hexdigest()
        # The kill landed between the rename and the manifest entry: only that month's entry is missing.
        manifest = newest_manifest_sha256(lake)
        behind = [p.month for p in lake.partitions("crimes") if manifest[p.month] != lake.current_sha256(p)]
        assert behind == [paused_month]
        # Start again from the old version for the next kill.
        assert ingest_paths([old], lake=lake).ok
        assert set(partition_versions(lake).values()) == {1}

    # A run to the end finishes the job and sweeps the temporary files of the dead runs.
    assert ingest_paths([new], lake=lake).ok
    assert set(partition_versions(lake).values()) == {2}
    manifest = newest_manifest_sha256(lake)
    assert all(manifest[p.month] == lake.current_sha256(p) for p in lake.partitions("crimes"))
    assert not [p for p in lake.root.rglob(".tmp-*")]


def test_a_partition_committed_without_its_manifest_line_is_not_called_unchanged(tmp_path):
    """Killed after the rename, before the manifest line: the next run must not say 'unchanged'.

    The lake has loaded v2 once before, so an older manifest line matches v2's hash and the
    rebuilt partition's bytes; only the newest line for the month (v1's) tells the truth.
    """
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    v1.mkdir(), v2.mkdir()
    old, new = make_month(v1, "2023-01", 1, n=200), make_month(v2, "2023-01", 2, n=200)
    lake = Lake(tmp_path / "lake")
    for source in (old, new, old):
        assert ingest_paths([source], lake=lake).files[0].status == "loaded"
    marker, log = tmp_path / "paused", tmp_path / "ingest.log"
    env = {**os.environ, "OPENBEAT_TEST_PAUSE_AFTER_PARTITIONS": "1", "OPENBEAT_TEST_PAUSE_MARKER": str(marker)}
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "openbeat", "ingest", "-q", str(new), "--lake", str(lake.root)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: marker.exists() or proc.poll() is not None, 300, "the ingest to pause")
        assert marker.exists(), f"the ingest ended (exit {proc.returncode}) without pausing:\n{log.read_text()}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    v2_sha = hashlib.sha256(new.read_bytes()).hexdigest()
    part = lake.partitions("crimes")[0]
    assert lake.current_sha256(part) == v2_sha  # the partition is v2 ...
    assert newest_manifest_sha256(lake)["2023-01"] != v2_sha  # ... its manifest line is missing
    fr = ingest_paths([new], lake=lake).files[0]
    assert (fr.status, fr.rows_loaded) == ("loaded", 200 + 2000)
    assert newest_manifest_sha256(lake)["2023-01"] == v2_sha
    assert ingest_paths([new], lake=lake).files[0].status == "unchanged"
