"""Fixtures for the geo tests; the toy city itself is described in toycity.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.geo.toycity import write_city


@pytest.fixture
def toy_city(tmp_path) -> dict[str, Path]:
    return write_city(tmp_path / "toy")
