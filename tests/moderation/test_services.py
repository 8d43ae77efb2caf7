"""Reports, the three-reports rule, hide and restore with a public reason, suspension, the log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openbeat.moderation import selectors, services
from openbeat.moderation.models import ModerationAction, Report
from openbeat.priorities.services import priority_comment_add
from tests.priorities.conftest import NORTH, make_role, make_user, propose

pytestmark = pytest.mark.django_db


def test_three_open_reports_from_three_people_hide_an_item_until_reviewed(use_lake, resident, moderator, client):
    p = propose(resident)
    comment = priority_comment_add(priority=p, author=resident, body="Rude words")
    a, b, c = make_user(), make_user(), make_user()
    services.report_create(reporter=a, item=comment, reason="abusive")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_create(reporter=a, item=comment, reason="again")
    services.report_create(reporter=b, item=comment, reason="abusive")
    # a report sent in a flood is shown to moderators but does not count
    services.report_create(reporter=make_user(), item=comment, reason="spam", flood=True)
    comment.refresh_from_db()
    assert comment.visibility == "visible"
    services.report_create(reporter=c, item=comment, reason="abusive")
    comment.refresh_from_db()
    assert comment.visibility == "reported"
    assert comment.public_notice == "Hidden while a moderator reviews reports about it."
    html = client.get(f"/priorities/{p.pk}/").content.decode()
    assert "Rude words" not in html and "Hidden while a moderator reviews reports about it." in html
    log = ModerationAction.objects.get()
    assert (log.kind, log.moderator, log.target_kind, log.target_id) == ("auto_hide", None, "comment", comment.pk)
    [queued] = selectors.moderation_queue(force="testforce")
    assert (queued.kind, queued.item.pk, len(queued.reports), queued.counted_reports) == ("comment", comment.pk, 4, 3)
    # the moderator reviews: it stays hidden, now with a public reason
    services.item_hide(moderator=moderator, item=comment, reason="personal abuse")
    comment.refresh_from_db()
    assert comment.public_notice == "Removed by a moderator: personal abuse"
    assert not Report.objects.filter(closed_at__isnull=True).exists()
    assert set(Report.objects.values_list("outcome", flat=True)) == {"upheld"}
    assert selectors.moderation_queue(force="testforce") == []
    html = client.get(f"/priorities/{p.pk}/").content.decode()
    assert "Removed by a moderator: personal abuse" in html and "Rude words" not in html


def test_restore_needs_a_reason_and_is_logged(use_lake, resident, moderator):
    p = propose(resident)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.item_hide(moderator=moderator, item=p, reason=" ")
    services.item_hide(moderator=moderator, item=p, reason="duplicate")
    services.item_restore(moderator=moderator, item=p, reason="not a duplicate after all")
    p.refresh_from_db()
    assert (p.visibility, p.moderation_reason) == ("visible", "")
    assert [(a.kind, a.reason, a.moderator) for a in selectors.moderation_log(force="testforce")] == [
        ("restore", "not a duplicate after all", moderator), ("hide", "duplicate", moderator)]


def test_only_the_forces_moderators_moderate(use_lake, resident):
    p = propose(resident)
    elsewhere = make_user()
    make_role(elsewhere, "moderator", force="otherforce")
    for who in (resident, elsewhere):
        with pytest.raises(PermissionDenied):
            services.item_hide(moderator=who, item=p, reason="no")
    assert selectors.moderation_forces(user=elsewhere) == ["otherforce"]


def test_suspension_stops_writing_and_is_logged(use_lake, resident, moderator, client):
    services.account_suspend(moderator=moderator, account=resident, force="testforce", reason="repeated abuse")
    resident.refresh_from_db()
    assert resident.suspended_at is not None
    client.force_login(resident)
    r = client.post(f"/wards/{NORTH}/priorities/new/", {"title": "x", "description": "y", "crime_types": ["Burglary"]})
    assert r.status_code == 403 and "Your account is suspended" in r.content.decode()
    with pytest.raises(ValidationError):
        services.account_suspend(moderator=moderator, account=moderator, force="testforce", reason="oops")
    services.account_unsuspend(moderator=moderator, account=resident, force="testforce", reason="appeal upheld")
    resident.refresh_from_db()
    assert resident.suspended_at is None
    assert [a.kind for a in selectors.moderation_log(force="testforce")] == ["unsuspend", "suspend"]


def test_the_queue_page_is_for_the_forces_moderators(use_lake, resident, moderator, client):
    p = propose(resident)
    services.report_create(reporter=make_user(), item=p, reason="off topic")
    client.force_login(resident)
    assert client.get("/moderation/testforce/").status_code == 403
    client.force_login(moderator)
    assert client.get("/moderation/")["Location"] == "/moderation/testforce/"
    html = client.get("/moderation/testforce/").content.decode()
    assert "off topic" in html and f"Priority {p.pk}: Shown" in html
    r = client.post(f"/moderation/items/priority/{p.pk}/hide/", {"reason": "off topic"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.public_notice == "Removed by a moderator: off topic"


def test_moderators_see_what_they_decide_on(use_lake, resident, moderator, client):
    from openbeat.moderation.services import item_hold

    p = propose(resident, title="Held one")
    item_hold(item=p, reason="flood")
    comment = priority_comment_add(priority=propose(resident), author=resident, body="Held words", held_reason="flood")
    client.force_login(make_user())
    assert client.get(f"/priorities/{p.pk}/").status_code == 404
    assert "Held words" not in client.get(f"/priorities/{comment.target_id}/").content.decode()
    client.force_login(moderator)
    html = client.get(f"/priorities/{p.pk}/").content.decode()
    assert "<h1 class=\"govuk-heading-xl\">Held one</h1>" in html and "Waiting for a moderator to check it." in html
    assert "Held words" in client.get(f"/priorities/{comment.target_id}/").content.decode()


def test_restoring_tells_the_author_and_a_held_item_reaches_the_followers(use_lake, resident, moderator):
    from openbeat.notifications.models import Notification
    from openbeat.notifications.services import follow_create
    from tests.web.community import run_queued_tasks

    p = propose(resident)
    follower = make_user("Fay Follower")
    follow_create(user=follower, target_kind="priority", target_code=str(p.pk))
    # a comment held (posted in a flood): nobody was told of it
    writer = make_user("Wren Writer")
    held = priority_comment_add(priority=p, author=writer, body="Lights out on Elm Row", held_reason="flood")
    run_queued_tasks()
    assert held.visibility == "held" and not Notification.objects.filter(user=follower).exists()
    services.item_restore(moderator=moderator, item=held, reason="checked: fine")
    run_queued_tasks()
    told = sorted(Notification.objects.values_list("user__display_name", "subject"))
    assert told == [("Ada Resident", "New comment: “Burglary on Test Street”"),
                    ("Fay Follower", "New comment: “Burglary on Test Street”"),
                    ("Wren Writer", "Your comment is now shown: “Burglary on Test Street”")]
    # a removed comment shown again: its author is told; the followers were told when it was posted
    Notification.objects.all().delete()
    services.item_hide(moderator=moderator, item=held, reason="mistake")
    services.item_restore(moderator=moderator, item=held, reason="mistake undone")
    run_queued_tasks()
    assert list(Notification.objects.values_list("user__display_name", "subject")) == [
        ("Wren Writer", "Your comment is shown again: “Burglary on Test Street”")]
    # a held priority: its proposer, and the ward's followers, as a new proposal would
    Notification.objects.all().delete()
    ward_follower = make_user("Walt Ward")
    follow_create(user=ward_follower, target_kind="ward", target_code=NORTH)
    held_p = propose(resident, title="Speeding on Mill Lane", held_reason="flood")
    run_queued_tasks()
    assert not Notification.objects.exists()
    services.item_restore(moderator=moderator, item=held_p, reason="checked")
    run_queued_tasks()
    assert sorted(Notification.objects.values_list("user__display_name", "subject")) == [
        ("Ada Resident", "Your priority is now shown: Speeding on Mill Lane"),
        ("Walt Ward", "New priority proposed in North Ward: Speeding on Mill Lane")]


def test_suspension_is_the_accounts_service_and_refuses_administrators(use_lake, resident, moderator):
    from openbeat.accounts import services as accounts

    admin = make_user("Ad Min", is_staff=True)
    with pytest.raises(PermissionDenied, match="administrator"):
        services.account_suspend(moderator=moderator, account=admin, force="testforce", reason="no")
    with pytest.raises(ValidationError, match="reason"):
        accounts.account_suspend(by=admin, user=resident, reason=" ")
    first = accounts.account_suspend(by=admin, user=resident, reason="spam").suspended_at
    assert first is not None
    # suspending again keeps the first date; the moderation service logs what it asked for
    services.account_suspend(moderator=moderator, account=resident, force="testforce", reason="spam again")
    resident.refresh_from_db()
    assert resident.suspended_at == first
    assert [(a.kind, a.account, a.reason) for a in selectors.moderation_log(force="testforce")] == [
        ("suspend", resident, "spam again")]
