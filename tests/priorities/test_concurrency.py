"""Under concurrent requests on PostgreSQL: one support per account; the ward's adoption limit.

Each thread has its own database connection (as gunicorn workers do), and a barrier
releases them together. SQLite serialises every write, so the race cannot happen there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from openbeat.priorities.models import Priority, Support
from tests.priorities.conftest import NORTH, make_role, make_user, propose

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (set DATABASE_URL); SQLite serialises every write")


def _together(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released at once; the results (or exceptions) in order."""
    from django.db import connections

    barrier = threading.Barrier(n, timeout=30)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 (kept for the assertion)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_one_support_per_account_under_20_concurrent_requests(use_lake):
    from django.test import Client

    p = propose(make_user())
    supporter = make_user()
    clients = []
    for _ in range(THREADS):
        c = Client()
        c.force_login(supporter)
        clients.append(c)
    statuses = _together(THREADS, lambda i: clients[i].post(f"/priorities/{p.pk}/support/").status_code)
    assert statuses == [302] * THREADS
    assert Support.objects.filter(priority=p, user=supporter).count() == 1


def test_the_adoption_limit_holds_under_concurrent_adoption(use_lake, settings):
    from django.core.exceptions import ValidationError

    from tests.priorities.conftest import adopt

    settings.OPENBEAT_PRIORITIES_PER_WARD = 3
    resident = make_user()
    proposals = [propose(resident, title=f"Priority {i}") for i in range(10)]
    chairs = []
    for _ in range(10):
        chair = make_user()
        make_role(chair, "panel_chair")
        chairs.append(chair)
    results = _together(10, lambda i: adopt(proposals[i], chairs[i]))
    adopted = [r for r in results if isinstance(r, Priority)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(adopted), len(refused)) == (3, 7), results
    assert Priority.objects.filter(ward_code=NORTH, state="adopted").count() == 3
    assert all("the most it may have at once (3)" in str(r) for r in refused)
