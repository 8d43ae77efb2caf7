"""Review fixtures: the small synthetic Northbridge lake (tests/conftest.py) and one of its wards."""

from __future__ import annotations

import pytest

from tests.web.conftest import demo_lake, use_lake, web_lake  # noqa: F401 (fixtures)

QUARTER, PREVIOUS = "2025-Q4", "2025-Q3"


@pytest.fixture(scope="session")
def nb_store(northbridge):
    from openbeat.analytics.store import Store

    return Store(northbridge)


@pytest.fixture(scope="session")
def ward(nb_store) -> str:
    """The first ward of Northbridge Central (a ward review costs under a second)."""
    return nb_store.areas("ward", within="X09000001")[0].code
