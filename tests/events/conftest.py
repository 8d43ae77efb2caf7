"""Event fixtures on the Testborough lake: North Ward (X05000001) is policed by ``testforce``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.priorities.conftest import FORCE, _clear_rate_limits, chair, make_user, officer  # noqa: F401 (fixtures)
from tests.web.conftest import NORTH, SOUTH, demo_lake, use_lake, web_lake  # noqa: F401 (fixtures)


@pytest.fixture
def resident(db):
    return make_user("Ada Resident", home_ward_code=NORTH)


def hold(by, *, capacity: int = 2, days: float = 7, wards=(NORTH,), **kw):
    """An event ``days`` from now (negative: in the past), lasting two hours."""
    from openbeat.events.models import Event, EventWard
    from openbeat.events.services import event_create

    starts = timezone.now() + dt.timedelta(days=days)
    fields = dict(title="Ward panel meeting", description="Hear the plan and meet your team.",
                  venue="Memorial Hall", address="1 Test Street", starts_at=starts,
                  ends_at=starts + dt.timedelta(hours=2), capacity=capacity, step_free=True)
    fields.update(kw)
    if days > 0:
        return event_create(by=by, ward_codes=list(wards), **fields)
    # the past cannot be booked through the service: made as it would have been
    event = Event.objects.create(organiser=by, force=FORCE, **fields)
    for w in wards:
        EventWard.objects.create(event=event, ward_code=w)
    return event
