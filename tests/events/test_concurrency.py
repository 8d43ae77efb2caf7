"""Capacity under 30 concurrent registrations on PostgreSQL: the event's row lock, not luck.

Each thread has its own connection (as gunicorn workers do); a barrier releases them
together. SQLite serialises every write, so the race cannot happen there.
"""

from __future__ import annotations

import pytest
from django.db import connection

from openbeat.events import services
from openbeat.events.models import Registration
from tests.events.conftest import hold, make_user
from tests.priorities.test_concurrency import _together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (set DATABASE_URL); SQLite serialises every write")


def test_30_concurrent_registrations_fill_exactly_the_capacity(use_lake, officer):
    e = hold(officer, capacity=10)
    people = [make_user() for _ in range(30)]
    results = _together(30, lambda i: services.registration_create(event=e, user=people[i]).status)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results.count("confirmed") == 10 and results.count("waitlisted") == 20
    assert Registration.objects.filter(event=e, status="confirmed").count() == 10
    # the waitlist order is the order the places were given
    order = list(Registration.objects.filter(event=e).order_by("queued_at", "pk").values_list("status", flat=True))
    assert order == ["confirmed"] * 10 + ["waitlisted"] * 20


def test_concurrent_cancellations_promote_one_each(use_lake, officer):
    e = hold(officer, capacity=10)
    people = [make_user() for _ in range(30)]
    for p in people:
        services.registration_create(event=e, user=p)
    results = _together(10, lambda i: services.registration_cancel(event=e, user=people[i]))
    promoted = [r.user_id for r in results]
    assert sorted(promoted) == sorted(p.pk for p in people[10:20])  # the first ten waiting, once each
    assert Registration.objects.filter(event=e, status="confirmed").count() == 10
    assert Registration.objects.filter(event=e, status="waitlisted").count() == 10
