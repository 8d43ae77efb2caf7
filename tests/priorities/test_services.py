"""Priority services on a real database: the states, who may do what, the timeline, notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult
from django.core.exceptions import PermissionDenied, ValidationError

from openbeat.notifications.models import Notification
from openbeat.notifications.services import follow_create
from openbeat.priorities import selectors, services
from openbeat.priorities.models import Priority, Support, TimelineEntry
from tests.priorities.conftest import FORCE, NORTH, SOUTH, adopt, make_role, make_user, propose
from tests.web.community import run_queued_tasks

pytestmark = pytest.mark.django_db


def test_propose_checks_the_ward_the_text_and_the_crime_types(use_lake, resident):
    p = propose(resident, crime_types=["Vehicle crime", "Burglary", "Burglary"])
    assert (p.ward_code, p.force, p.state, p.visibility) == (NORTH, FORCE, "proposed", "visible")
    # police.uk's order, each once
    assert p.crime_types == ["Burglary", "Vehicle crime"]
    assert [(e.kind, e.actor, e.actor_role) for e in p.timeline.all()] == [("proposed", resident, "Resident")]
    # the proposer follows it
    assert resident.follows.filter(target_kind="priority", target_code=str(p.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        propose(resident, title="  ", description="", crime_types=["Dragons"])
    assert set(exc.value.message_dict) == {"title", "description", "crime_types"}
    with pytest.raises(ValidationError) as exc:
        propose(resident, ward="X09000001")  # the borough, not a ward
    assert "not a ward" in str(exc.value)


def test_a_point_must_lie_inside_the_ward(use_lake, resident):
    from openbeat.geo.crs import to_wgs84

    lon, lat = to_wgs84([530_500], [180_500])  # the middle of X01000001, in North Ward
    p = propose(resident, latitude=float(lat[0]), longitude=float(lon[0]))
    assert p.latitude == round(float(lat[0]), 6)
    lon, lat = to_wgs84([530_500], [181_500])  # X01000003, in South Ward
    with pytest.raises(ValidationError) as exc:
        propose(resident, latitude=float(lat[0]), longitude=float(lon[0]))
    assert exc.value.message_dict["point"] == ["That point is not inside this ward. Leave it empty, or choose a "
                                               "point within the ward."]


def test_support_is_once_per_account_and_withdrawable(use_lake, resident):
    p = propose(resident)
    other = make_user()
    services.support_add(priority=p, user=other)
    services.support_add(priority=p, user=other)
    services.support_add(priority=p, user=resident)
    assert Support.objects.filter(priority=p).count() == 2
    assert selectors.priority_get(pk=p.pk).support_count == 2
    assert services.support_withdraw(priority=p, user=other) is True
    assert services.support_withdraw(priority=p, user=other) is False
    assert selectors.priority_get(pk=p.pk).support_count == 1


def test_the_whole_life_of_a_priority_with_its_timeline(use_lake, resident, chair, officer):
    p = propose(resident)
    p = adopt(p, chair, days=90)
    assert p.state == "adopted" and p.adopted_on == services.today()
    entry = services.priority_action_add(priority=p, by=officer, kind="action", text="Patrols every evening",
                                         happened_on=services.today())
    p.refresh_from_db()
    assert p.state == "in_progress"
    services.priority_action_add(priority=p, by=officer, kind="update", text="Two arrests",
                                 happened_on=services.today())
    p = services.priority_close(priority=p, by=chair, outcome="resolved", summary="Burglaries stopped.")
    assert (p.state, p.outcome, p.summary, p.closed_on) == ("closed", "resolved", "Burglaries stopped.",
                                                            services.today())
    kinds = [(e.kind, e.actor_role) for e in selectors.priority_timeline(priority=p)]
    assert kinds == [("proposed", "Resident"), ("adopted", "Ward panel chair"), ("started", "Verified officer"),
                     ("action", "Verified officer"), ("update", "Verified officer"), ("closed", "Ward panel chair")]
    assert [e.text for e in selectors.action_list(priority=p)] == ["Patrols every evening", "Two arrests"]
    assert entry.happened_on == services.today()
    assert [x[0].pk for x in selectors.you_said_we_did(ward_code=NORTH)] == [p.pk]


def test_who_may_do_what(use_lake, resident, chair, officer):
    p = propose(resident)
    with pytest.raises(PermissionDenied):
        adopt(p, resident)
    south_chair = make_user()
    make_role(south_chair, "panel_chair", ward=SOUTH)
    with pytest.raises(PermissionDenied):
        adopt(p, south_chair)
    unverified = make_user()
    from openbeat.accounts.services import role_create

    role_create(user=unverified, kind="officer", area_code=NORTH, force=FORCE)
    with pytest.raises(PermissionDenied):
        adopt(p, unverified)
    p = adopt(p, chair)
    # the panel adopts and closes; only officers post actions
    with pytest.raises(PermissionDenied):
        services.priority_action_add(priority=p, by=chair, kind="action", text="x", happened_on=services.today())
    # a suspended officer holds no role
    from django.utils import timezone

    type(officer).objects.filter(pk=officer.pk).update(suspended_at=timezone.now())
    officer.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.priority_action_add(priority=p, by=officer, kind="action", text="x", happened_on=services.today())


def test_states_only_move_forward(use_lake, resident, chair, officer):
    p = propose(resident)
    with pytest.raises(ValidationError, match="proposed, so it cannot be closed"):
        services.priority_close(priority=p, by=chair, outcome="resolved", summary="done")
    with pytest.raises(ValidationError):
        services.priority_decline(priority=p, by=chair, reason="   ")
    p = services.priority_decline(priority=p, by=chair, reason="Not a policing matter: the council's.")
    assert (p.state, p.decline_reason) == ("declined", "Not a policing matter: the council's.")
    with pytest.raises(ValidationError, match="declined, so it cannot be adopted"):
        adopt(p, chair)
    with pytest.raises(ValidationError, match="declined, so it cannot be supported"):
        services.support_add(priority=p, user=make_user())
    q = adopt(propose(resident), chair)
    with pytest.raises(ValidationError) as exc:
        services.priority_action_add(priority=q, by=officer, kind="action", text="x",
                                     happened_on=services.today() + dt.timedelta(days=1))
    assert "today or earlier" in str(exc.value)


def test_the_ward_limit_on_adopted_priorities(use_lake, resident, chair, settings):
    settings.OPENBEAT_PRIORITIES_PER_WARD = 2
    a, b, c = (propose(resident, title=f"P{i}") for i in range(3))
    adopt(a, chair)
    adopt(b, chair)
    with pytest.raises(ValidationError) as exc:
        adopt(c, chair)
    assert exc.value.messages == ["This ward already has 2 adopted priorities, the most it may have at once (2). "
                                  "Close one before adopting another."]
    services.priority_close(priority=a, by=chair, outcome="not_resolved", summary="Moved on.")
    assert adopt(c, chair).state == "adopted"
    # one at a time: said of one
    settings.OPENBEAT_PRIORITIES_PER_WARD = 1
    with pytest.raises(ValidationError) as exc:
        adopt(propose(resident, title="P4"), chair)
    assert exc.value.messages == ["This ward already has 2 adopted priorities, the most it may have at once (1). "
                                  "Close one before adopting another."]
    services.priority_close(priority=b, by=chair, outcome="resolved", summary="Done.")
    with pytest.raises(ValidationError) as exc:
        adopt(propose(resident, title="P5"), chair)
    assert exc.value.messages == ["This ward already has 1 adopted priority, the most it may have at once (1). "
                                  "Close one before adopting another."]
    # another ward's count is its own
    south = make_user()
    make_role(south, "panel_chair", ward=SOUTH)
    assert adopt(propose(resident, ward=SOUTH), south).state == "adopted"


def test_followers_of_the_priority_and_its_ward_are_told_once(use_lake, resident, chair, officer):
    p = propose(resident)
    ward_follower, both, nobody = make_user(), make_user(), make_user()
    follow_create(user=ward_follower, target_kind="ward", target_code=NORTH)
    follow_create(user=both, target_kind="ward", target_code=NORTH)
    follow_create(user=both, target_kind="priority", target_code=str(p.pk))
    run_queued_tasks()
    Notification.objects.all().delete()
    adopt(p, chair)
    # the request queued one task for the change, whatever the number of followers
    assert DBTaskResult.objects.ready().filter(task_path__endswith="notification_fan_out").count() == 1
    assert not Notification.objects.exists()
    run_queued_tasks()
    got = sorted(Notification.objects.values_list("user__display_name", "subject"))
    assert got == sorted([(ward_follower.display_name, "Priority adopted: Burglary on Test Street"),
                          (both.display_name, "Priority adopted: Burglary on Test Street"),
                          (resident.display_name, "Priority adopted: Burglary on Test Street")])
    Notification.objects.all().delete()
    services.priority_comment_add(priority=p, author=nobody, body="Me too")
    run_queued_tasks()
    # comments tell the priority's followers, not the whole ward
    assert sorted(Notification.objects.values_list("user__display_name", "subject")) == sorted([
        (both.display_name, "New comment: Burglary on Test Street"),
        (resident.display_name, "New comment: Burglary on Test Street")])
    assert not Notification.objects.filter(user=nobody).exists()


def test_replies_are_one_level_deep(use_lake, resident):
    from openbeat.comments.selectors import comment_thread

    p = propose(resident)
    top = services.priority_comment_add(priority=p, author=resident, body="First")
    reply = services.priority_comment_add(priority=p, author=make_user(), body="Reply", parent=top)
    deeper = services.priority_comment_add(priority=p, author=resident, body="Reply to reply", parent=reply)
    assert deeper.parent_id == top.pk
    threads = comment_thread(target_kind="priority", target_id=p.pk)
    assert [(t.comment.body, [r.body for r in t.replies]) for t in threads] == [
        ("First", ["Reply", "Reply to reply"])]


def test_police_uk_priorities_appear_beside_residents(use_lake, resident):
    from openbeat.areas.lookup import area_get

    propose(resident)
    ward = selectors.ward_priorities(area=area_get(code=NORTH))
    assert [p.title for p in ward.proposed] == ["Burglary on Test Street"]
    assert [p["issue"] for p in ward.published] == ["Speeding <script>alert(1)</script>", "Burglary on Test Street"]


def test_export_and_erase(use_lake, resident, chair):
    p = propose(resident)
    services.support_add(priority=p, user=resident)
    data = services.priorities_personal_data(user=resident)
    assert [x["title"] for x in data["proposed"]] == ["Burglary on Test Street"]
    assert [x["priority_id"] for x in data["supported"]] == [p.pk]
    services.priorities_personal_data_erase(user=resident, keep_text=True)
    p.refresh_from_db()
    assert p.proposed_by is None and p.title == "Burglary on Test Street"
    assert not Support.objects.exists()
    assert TimelineEntry.objects.get(priority=p).actor is None
    q = propose(make_user())
    services.priorities_personal_data_erase(user=q.proposed_by, keep_text=False)
    q.refresh_from_db()
    assert (q.title, q.description, q.visibility) == ("Withdrawn by its author", "", "removed")
    assert Priority.objects.count() == 2


def test_evidence_is_too_early_to_tell_while_months_are_few(use_lake, resident, chair):
    from openbeat.priorities.evidence import priority_evidence

    p = adopt(propose(resident, crime_types=["Burglary", "Vehicle crime"]), chair)
    # the Testborough lake holds 2024-01 to 2024-03
    for start, said in (("2024-02-01", "only 2 months have"), ("2024-03-01", "only 1 month has"),
                        ("2024-05-01", "no month has")):
        Priority.objects.filter(pk=p.pk).update(adopted_on=dt.date.fromisoformat(start))
        p.refresh_from_db()
        evidence = priority_evidence(priority=p)
        assert [(e.crime_type, e.status) for e in evidence] == [("Burglary", "too_early"),
                                                                ("Vehicle crime", "too_early")]
        assert evidence[0].message.startswith(f"Too early to tell: {said} been published since it was adopted in ")
        assert evidence[0].message.endswith("(the latest is 2024-03); the comparison needs at least 3.")
    # a proposal has no evidence: nothing was done yet
    assert priority_evidence(priority=propose(resident)) == []
