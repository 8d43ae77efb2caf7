"""Shared fixtures. Real data lives in ../shared/data and is read in place, never copied in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("OPENBEAT_SHARED_DATA", ROOT.parent / "shared" / "data"))

needs_shared_data = pytest.mark.skipif(
    not (SHARED_DATA / "MANIFEST.csv").exists(),
    reason=f"real police.uk samples not found at {SHARED_DATA} (../shared/data is absent on this machine)",
)


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "MANIFEST.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data is absent)")
    return SHARED_DATA


@pytest.fixture
def lake(tmp_path):
    from openbeat.lake import Lake

    return Lake(tmp_path / "lake")


NORTHBRIDGE = {"seed": 11, "months": 27, "end": "2025-12", "scale": 0.5}


@pytest.fixture(scope="session")
def northbridge(tmp_path_factory):
    """A small synthetic Northbridge lake (27 months, half volume) with areas and teams loaded.

    Shared by the analytics and web tests; read it, never write to it.
    """
    from openbeat.demo import build
    from openbeat.lake import Lake

    root = tmp_path_factory.mktemp("northbridge")
    result = build(Lake(root / "lake"), root / "out", **NORTHBRIDGE)
    assert result.ok
    return Lake(root / "lake")
