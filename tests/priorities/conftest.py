"""Community fixtures: people with roles, on the Testborough lake (tests/web/conftest.py).

North Ward (X05000001) is policed by ``testforce``'s neighbourhood N1; South Ward
(X05000002) has no team linked.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tests.web.conftest import NORTH, SOUTH, demo_lake, use_lake, web_lake  # noqa: F401 (fixtures)

FORCE = "testforce"
_n = itertools.count(1)


def make_user(display_name: str = "", **fields):
    from django.contrib.auth import get_user_model

    i = next(_n)
    return get_user_model().objects.create_user(f"person{i}@example.org", password="a long test password",
                                                display_name=display_name or f"Person {i}", **fields)


def make_role(user, kind: str, *, ward: str = NORTH, force: str = FORCE):
    from openbeat.accounts.services import role_create

    admin = make_user("Admin", is_staff=True)
    area = force if kind == "moderator" else ward
    return role_create(user=user, kind=kind, area_code=area, force=force, verified_by=admin)


@pytest.fixture
def resident(db):
    return make_user("Ada Resident")


@pytest.fixture
def officer(db):
    user = make_user("PC Officer")
    make_role(user, "officer")
    return user


@pytest.fixture
def chair(db):
    user = make_user("Panel Chair")
    make_role(user, "panel_chair")
    return user


@pytest.fixture
def moderator(db):
    user = make_user("Mo Derator")
    make_role(user, "moderator")
    return user


def propose(user, *, ward: str = NORTH, title: str = "Burglary on Test Street", **kw):
    from openbeat.priorities.services import priority_propose

    kw.setdefault("description", "Sheds broken into at night.")
    kw.setdefault("crime_types", ["Burglary"])
    return priority_propose(user=user, ward_code=ward, title=title, **kw)


def adopt(priority, by, *, days: int = 90):
    from openbeat.priorities.services import priority_adopt, today

    return priority_adopt(priority=priority, by=by, until=today() + dt.timedelta(days=days))


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import caches

    caches["default"].clear()
    yield
