"""openbeat.web.db.row_get: one model instance from one statement written once, the same
instance the ORM gives (used by the authentication backends and the priorities' writes)."""

from __future__ import annotations

import pytest

from tests.web.community import person

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_row_get_gives_what_the_orm_gives():
    from openbeat.accounts.models import User
    from openbeat.priorities.models import Priority
    from openbeat.web.db import row_get

    user = person(display_name="Sam", home_ward_code="E05000001")
    got = row_get(User, 'WHERE "id" = %s', [user.pk])
    orm = User.objects.get(pk=user.pk)
    assert type(got) is User and _fields(got) == _fields(orm)
    assert got.email == user.email and got.display_name == "Sam" and got.password == orm.password
    assert (got._state.adding, got._state.db) == (False, "default")
    assert row_get(User, 'WHERE "id" = %s', [user.pk + 1000]) is None
    # a JSON column comes back decoded, as the ORM's converters give it
    p = Priority.objects.create(ward_code="E05000001", force="test", title="T", description="D",
                                crime_types=["Burglary", "Drugs"], proposed_by=user)
    read = row_get(Priority, 'WHERE "id" = %s', [p.pk])
    assert read.crime_types == ["Burglary", "Drugs"] and _fields(read) == _fields(Priority.objects.get(pk=p.pk))
    assert read.proposed_by_id == user.pk
