"""The demo's priorities: every state, actions, comments (one hidden by three reports), follows,
dated relative to today, labelled synthetic; and the evidence beside the closed one."""

from __future__ import annotations

import pytest

from openbeat.priorities.models import Priority

pytestmark = pytest.mark.django_db


def test_demo_priorities_in_every_state_with_their_evidence(demo_lake, client):
    from openbeat.accounts.demo import demo_accounts_seed
    from openbeat.comments.models import Comment
    from openbeat.priorities.demo import demo_priorities_seed
    from openbeat.priorities.evidence import priority_evidence
    from openbeat.priorities.services import today

    demo_accounts_seed()
    assert demo_priorities_seed().startswith("demo priorities: 5 synthetic priorities")
    assert demo_priorities_seed() == "demo priorities: already there"
    rows = {p.state: p for p in Priority.objects.all()}
    assert sorted(rows) == ["adopted", "closed", "declined", "in_progress", "proposed"]
    assert all(p.title.endswith("(synthetic)") and p.description.startswith("Synthetic demo.") for p in rows.values())
    assert rows["in_progress"].adopted_on == today() - __import__("datetime").timedelta(days=60)
    assert [e.kind for e in rows["in_progress"].timeline.all()] == ["proposed", "adopted", "started", "action",
                                                                    "update"]
    assert rows["declined"].adopted_on is None and rows["declined"].decline_reason
    hidden = Comment.objects.get(visibility="reported")
    assert hidden.target_id == rows["proposed"].pk
    page = client.get(f"/priorities/{rows['proposed'].pk}/").content.decode()
    assert "Hidden while a moderator reviews reports about it." in page and "thief" not in page
    # the closed one was adopted long enough before the lake's last month to be judged
    [evidence] = priority_evidence(priority=rows["closed"])
    assert evidence.status == "tested", evidence.message
    s = evidence.summary
    assert s["crime_type"] == "Burglary" and s["start"] == f"{rows['closed'].adopted_on:%Y-%m}"
    assert evidence.message == s["verdict"]
    # the one adopted six days ago: too early to tell, no test run
    [ward_asb, damage] = priority_evidence(priority=rows["adopted"])
    assert ward_asb.status == damage.status == "too_early"
    page = client.get(f"/wards/{rows['closed'].ward_code}/you-said-we-did/").content.decode()
    assert "Weighted displacement difference" in page and "Too early to tell" in page
    t = evidence.target
    assert t["before"] == s["target_before"] and t["after"] == s["target_after"]
    assert (f"In the ward: {s['target_before']} before ({s['before']}, {t['before_per_month']:.1f} a month), "
            f"{s['target_after']} since ({s['after']}, {t['after_per_month']:.1f} a month).") in page
