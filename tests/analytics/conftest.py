"""Fixtures for the figures computed from the synthetic city (read-only, shared by the session)."""

from __future__ import annotations

import json

import pytest

from openbeat.analytics.store import Store


@pytest.fixture(scope="session")
def store(northbridge):
    return Store(northbridge)


@pytest.fixture(scope="session")
def planted(northbridge):
    """What the demo generator planted for the analytics to find (truth/planted.json)."""
    return json.loads((northbridge.root.parent / "out" / "truth" / "planted.json").read_text())
