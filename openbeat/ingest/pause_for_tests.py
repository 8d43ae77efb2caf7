"""Test-only: a point where an ingest can be told to stop and wait to be killed.

tests/ingest/test_crash_safety.py SIGKILLs an ingest at points it chooses (after the first
partition, midway, after the last) rather than after a guessed share of a timed run, which
lands before the first partition whenever start-up is slow or after the last when it is
fast. With ``OPENBEAT_TEST_PAUSE_AFTER_PARTITIONS=N`` and ``OPENBEAT_TEST_PAUSE_MARKER=<file>``
set, the ingest stops once it has committed its N-th partition, before that partition's
manifest entry is written (still holding the lake lock, so no other worker commits), writes
``<file>`` and waits. Nothing else sets these variables; unset, this does nothing.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

_committed = itertools.count(1)


def partition_committed(partition_path: Path) -> None:
    """Called under the lake lock after a partition is renamed into place."""
    after = os.environ.get("OPENBEAT_TEST_PAUSE_AFTER_PARTITIONS")
    if after and next(_committed) == int(after):
        marker = Path(os.environ["OPENBEAT_TEST_PAUSE_MARKER"])
        marker.with_suffix(".tmp").write_text(str(partition_path))
        os.replace(marker.with_suffix(".tmp"), marker)  # the test never reads half a marker
        time.sleep(600)  # the test kills us within seconds; a forgotten process still ends
