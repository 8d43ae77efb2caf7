"""The demo's events, feedback and trust pulse: around today, labelled synthetic, one full with
a waitlist, and ward trust that differs inside one borough."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)  # the pulse file is written once the seed commits


def test_demo_events_and_pulse(demo_lake, client, settings, tmp_path):
    from openbeat.accounts.demo import demo_accounts_seed
    from openbeat.analytics.trust import area_trust, trust_period
    from openbeat.areas import area_figures, lookup
    from openbeat.events.demo import demo_events_seed
    from openbeat.events.models import Event, Registration
    from openbeat.priorities.demo import demo_priorities_seed
    from openbeat.web.lake_access import get_store

    settings.OPENBEAT_DERIVED_DIR = tmp_path
    settings.OPENBEAT_DEMO = True
    demo_accounts_seed()
    demo_priorities_seed()
    line = demo_events_seed()
    assert line.startswith("demo events: 5 synthetic events in") and "72 synthetic answers in 3 wards" in line
    assert demo_events_seed() == "demo events: already seeded"
    events = list(Event.objects.all())
    assert all(e.synthetic and e.title.endswith("(synthetic)") for e in events)
    now = timezone.now()
    past = [e for e in events if e.ends_at < now]
    assert len(past) == 2 and all(e.feedback.count() > 0 for e in past)
    assert all(Registration.objects.filter(event=e, attended=True).count() >= 3 for e in past)
    full = Event.objects.get(title__startswith="Coffee with your officers")
    statuses = list(Registration.objects.filter(event=full).order_by("queued_at", "pk").values_list("status",
                                                                                                    flat=True))
    assert statuses == ["confirmed"] * 3 + ["waitlisted"] * 2
    # ward trust from the pulse: two wards of one borough differ, a third borrows the borough's figure
    home = lookup.area_get(code=past[0].ward_codes[0])
    wards = lookup.area_list(level="ward", parent=home.borough_code, limit=50)[0]
    store = get_store()
    t = area_trust(store, wards, trust_period(store, None, None), responses=area_figures.ward_survey())
    shrunk = {c: f for c, f in t.items() if f.source.startswith("ward survey")}
    assert len(shrunk) == 2, {c: f.source for c, f in t.items()}
    a, b = shrunk.values()
    assert abs(a.value - b.value) > 0.1
    page = client.get(f"/wards/{home.code}/trust-pulse/").content.decode()
    assert "self-selected online sample" in page and "raked to Census 2021 age and sex" in page
    assert client.get(f"/wards/{home.code}/events/").status_code == 200
