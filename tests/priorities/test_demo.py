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


def test_every_date_the_demo_quotes_agrees_with_the_priority(demo_lake):
    """The demo tells its story on the story's days: the adoption period in the timeline's text
    and in what followers were told is the one the priority records, and each entry happened
    on the day the priority says it did."""
    import datetime as dt
    import re

    from openbeat.accounts.demo import demo_accounts_seed
    from django_tasks_db.models import DBTaskResult

    from openbeat.priorities.demo import demo_priorities_seed

    demo_accounts_seed()
    demo_priorities_seed()
    quoted = re.compile(r"\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
                        r"November|December) \d{4}")

    def dates(text: str) -> list[dt.date]:
        return [dt.datetime.strptime(q, "%d %B %Y").date() for q in quoted.findall(text)]

    # what followers are told: the worker sends each queued announcement as it stands
    told = [r.args_kwargs["kwargs"] for r in DBTaskResult.objects.all()
            if r.task_path.endswith("notification_fan_out")]
    checked = 0
    for p in Priority.objects.all():
        entries = list(p.timeline.all())
        assert entries[0].kind == "proposed" and entries[0].happened_on == p.created_at.date()
        for e in entries:
            assert e.created_at.date() == e.happened_on, (p.title, e.kind)
            if e.kind == "adopted":
                assert e.happened_on == p.adopted_on
                assert e.text == f"Adopted until {p.adopted_until:%-d %B %Y}."
                assert dates(e.text) == [p.adopted_until]
            elif e.kind == "closed":
                assert e.happened_on == p.closed_on
            elif e.kind in ("started", "action", "update"):
                assert p.adopted_on <= e.happened_on <= (p.closed_on or e.happened_on)
            assert all(q in (p.adopted_on, p.adopted_until, p.closed_on) for q in dates(e.text)), e.text
        for n in told:
            if n["url"] == p.get_absolute_url() and n["subject"].startswith("Priority adopted"):
                assert dates(n["body"]) == [p.adopted_until], n["body"]
                checked += 1
    assert checked == 3  # the followers of each of the three adopted were told, with its period
    closed = Priority.objects.get(state="closed")
    assert closed.adopted_on < closed.adopted_until < closed.closed_on
