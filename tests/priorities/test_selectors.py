"""Priority reads that are not seen through a page (those are in test_pages.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from openbeat.moderation.models import Visibility
from openbeat.priorities import selectors
from openbeat.priorities.models import Priority
from tests.priorities.conftest import make_user, propose

pytestmark = pytest.mark.django_db


def _row(priority: Priority | None) -> dict | None:
    return None if priority is None else {k: v for k, v in vars(priority).items() if k != "_state"}


def test_the_priority_a_write_reads_is_the_one_the_orm_finds_for_every_viewer(use_lake, resident):
    """priority_for_write's own SQL finds exactly what ``_public`` lets each viewer see, with
    every field loaded as the ORM loads it (none deferred): shown and reported priorities for
    everyone, a held one for its proposer only, nothing for a number that does not exist."""
    shown = propose(resident, title="Shown", crime_types=["Burglary", "Vehicle crime"])
    Priority.objects.filter(pk=shown.pk).update(latitude=51.5, longitude=-0.1)
    held = propose(resident, title="Held")
    reported = propose(resident, title="Reported")
    Priority.objects.filter(pk=held.pk).update(visibility=Visibility.HELD)
    Priority.objects.filter(pk=reported.pk).update(visibility=Visibility.REPORTED)
    other = make_user()
    found = {}
    for who, viewer in (("proposer", resident), ("other", other), ("anonymous", AnonymousUser()), ("none", None)):
        for p in (shown, held, reported):
            got = selectors.priority_for_write(pk=p.pk, viewer=viewer)
            orm = Priority.objects.filter(selectors._public(viewer), pk=p.pk).first()
            assert _row(got) == _row(orm), (who, p.title)
            assert got is None or not got.get_deferred_fields()
            found[who, p.title] = got is not None
        assert selectors.priority_for_write(pk=shown.pk + 1000, viewer=viewer) is None
    assert found == {("proposer", "Shown"): True, ("proposer", "Held"): True, ("proposer", "Reported"): True,
                     ("other", "Shown"): True, ("other", "Held"): False, ("other", "Reported"): True,
                     ("anonymous", "Shown"): True, ("anonymous", "Held"): False, ("anonymous", "Reported"): True,
                     ("none", "Shown"): True, ("none", "Held"): False, ("none", "Reported"): True}
    got = selectors.priority_for_write(pk=shown.pk, viewer=other)
    assert (got.title, got.crime_types, got.latitude, got.visibility, got.state) == (
        "Shown", ["Burglary", "Vehicle crime"], 51.5, Visibility.VISIBLE, Priority.State.PROPOSED)
    assert got.proposed_by_id == resident.pk and got.get_absolute_url() == f"/priorities/{shown.pk}/"
