"""Waiting in tests: on a condition, with a timeout, never for a fixed time.

A fixed sleep is either too short on a busy machine (the test flips) or too long on a
quiet one (the suite crawls). The timeout here is a ceiling for a run that is stuck, not
a guess of how long things take, so set it generously.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, what: str, *, interval: float = 0.05) -> T:
    """Call ``predicate`` until it returns something truthy, and return that.

    Raises :class:`TimeoutError` naming ``what`` when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(interval)
