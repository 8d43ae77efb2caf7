"""Tests wait on conditions (tests/waiting.py), never sleep for a fixed time or time the code."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.waiting import wait_until


def test_wait_until_returns_the_first_truthy_answer():
    answers = iter([None, 0, "", "ready", "later"])
    assert wait_until(lambda: next(answers), 5, "an answer", interval=0) == "ready"
    assert next(answers) == "later"  # asked no more than needed


def test_wait_until_names_what_it_waited_for():
    calls = []
    with pytest.raises(TimeoutError, match=r"^gave up after 0 s waiting for the lake to appear$"):
        wait_until(lambda: calls.append(1), 0, "the lake to appear")
    assert calls == [1]  # asked once even with no time to wait


def test_no_test_sleeps_or_times_itself():
    """A fixed sleep flips on a busy machine; a timed assertion too (performance lives in benchmarks/)."""
    pattern = re.compile(r"\btime\.(sleep|perf_counter)\(|^\s*from time import .*\b(sleep|perf_counter)\b", re.M)
    found = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "tests").rglob("*.py"))
             if path.name != "waiting.py" and pattern.search(path.read_text())]
    assert found == []
