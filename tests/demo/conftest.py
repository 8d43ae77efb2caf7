"""One small demo city per test session: 14 months at the default volume.

14 months ending 2025-12 cover both vintages of LSOA codes (the first months carry
2011 codes), a summer and a winter, BST months, and the planted priority (from month
9, 2025-08).
"""

from __future__ import annotations

from datetime import date

import pytest

from openbeat.demo import build
from openbeat.lake import Lake

#: ``today`` pins the teams' events and everyday priorities, which are dated around the build day.
SMALL = {"seed": 7, "months": 14, "end": "2025-12", "scale": 1.0, "today": date(2026, 3, 10)}


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    result = build(Lake(root / "lake"), root / "out", **SMALL)
    return result


@pytest.fixture(scope="session")
def demo_city(demo_build):
    return demo_build.city


@pytest.fixture(scope="session")
def demo_lake(demo_build):
    return Lake(demo_build.city.root.parent / "lake")
