"""Events: who may hold them, places and the waitlist, emails queued for the worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openbeat.events import selectors, services
from openbeat.events.models import Registration
from tests.events.conftest import NORTH, SOUTH, hold, make_user
from tests.web.community import person

pytestmark = pytest.mark.django_db


def queued():
    from django_tasks_db.models import DBTaskResult

    return [(r.task_path.rsplit(".", 1)[-1], r.args_kwargs["kwargs"], r.run_after)
            for r in DBTaskResult.objects.order_by("enqueued_at", "id")]


def test_officers_and_chairs_hold_events_for_their_wards_only(use_lake, officer, chair, resident):
    e = hold(officer)
    assert e.ward_codes == [NORTH] and e.force == "testforce"
    assert hold(chair).organiser == chair
    with pytest.raises(PermissionDenied, match="ward X05000002"):
        hold(officer, wards=(NORTH, SOUTH))
    with pytest.raises(PermissionDenied):
        hold(resident)
    with pytest.raises(ValidationError, match="end after it starts"):
        hold(officer, ends_at=timezone.now())
    with pytest.raises(ValidationError, match="capacity from 1"):
        hold(officer, capacity=0)
    with pytest.raises(ValidationError, match="not a ward"):
        hold(officer, wards=("E99999999",))


def test_capacity_waitlist_and_promotion_of_exactly_one(use_lake, officer, django_capture_on_commit_callbacks):
    e = hold(officer, capacity=2)
    people = [make_user() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        got = [services.registration_create(event=e, user=p).status for p in people]
    assert got == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert selectors.place_counts(event=e) == {"confirmed": 2, "waitlisted": 3, "free": 0}
    third = Registration.objects.get(event=e, user=people[2])
    assert selectors.waitlist_position(registration=third) == 1
    # registering again while registered changes nothing
    assert services.registration_create(event=e, user=people[0]).status == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(event=e, user=people[1])
    assert promoted.user == people[2]
    statuses = dict(Registration.objects.filter(event=e).values_list("user_id", "status"))
    assert [statuses[p.pk] for p in people] == ["confirmed", "cancelled", "confirmed", "waitlisted", "waitlisted"]
    # cancelling a waitlisted place promotes nobody
    assert services.registration_cancel(event=e, user=people[4]) is None
    assert selectors.place_counts(event=e) == {"confirmed": 2, "waitlisted": 1, "free": 0}
    emails = [(name, kw["kind"]) for name, kw, _ in queued() if name == "event_email_send"]
    assert emails == [("event_email_send", k) for k in
                      ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted", "promoted"]]
    reminders = [(kw["registration_id"], when) for name, kw, when in queued() if name == "event_reminder_send"]
    assert len(reminders) == 3  # two first places and the promoted one
    assert all(when == e.starts_at - dt.timedelta(days=1) for _, when in reminders)


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_promotion_and_the_reminder_once(use_lake, officer, mailoutbox):
    from openbeat.notifications.worker import run

    e = hold(officer, capacity=1, days=0.5)  # less than a day ahead: the reminder is due at once
    a, b = person(email="a@example.org"), person(email="b@example.org")
    services.registration_create(event=e, user=a)
    services.registration_create(event=e, user=b)
    run(batch=True)
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("a@example.org", "OpenBeat: Reminder: Ward panel meeting is tomorrow"),
        ("a@example.org", "OpenBeat: Your place at Ward panel meeting is confirmed"),
        ("b@example.org", "OpenBeat: You are on the waitlist for Ward panel meeting")]
    mailoutbox.clear()
    services.registration_cancel(event=e, user=a)
    run(batch=True)
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("b@example.org", "OpenBeat: A place at Ward panel meeting is now yours"),
        ("b@example.org", "OpenBeat: Reminder: Ward panel meeting is tomorrow")]
    assert "Memorial Hall, 1 Test Street" in mailoutbox[0].body and "step-free access" in mailoutbox[0].body
    [(html, kind)] = mailoutbox[0].alternatives
    assert kind == "text/html" and "Memorial Hall, 1 Test Street" in html and "step-free access" in html
    mailoutbox.clear()
    run(batch=True)
    assert mailoutbox == []


def test_a_cancelled_place_gets_no_reminder(use_lake, officer):
    from openbeat.events.tasks import event_reminder_send

    e = hold(officer, capacity=1)
    a = make_user()
    r = services.registration_create(event=e, user=a)
    services.registration_cancel(event=e, user=a)
    assert event_reminder_send.call(registration_id=r.pk) is False


def test_attendance_feedback_and_the_team_reply(use_lake, officer, chair, resident, django_capture_on_commit_callbacks):
    e = hold(officer, capacity=3, days=-2)
    came, missed = make_user(), make_user()
    for p in (came, missed):
        Registration.objects.create(event=e, user=p, status="confirmed", queued_at=e.created_at)
    with pytest.raises(PermissionDenied):
        services.attendance_record(event=e, by=resident, attended_user_ids={came.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.attendance_record(event=e, by=chair, attended_user_ids={came.pk}) == 1
    assert [kw["kind"] for _, kw, _ in queued()] == ["feedback"]
    with pytest.raises(PermissionDenied, match="attending"):
        services.feedback_create(event=e, user=missed, rating=4)
    with pytest.raises(ValidationError, match="not an answer"):
        services.feedback_create(event=e, user=came, rating=4, fair="maybe")
    f = services.feedback_create(event=e, user=came, rating=4, fair="tend_to_agree", text="<b>More patrols</b>")
    with pytest.raises(ValidationError, match="already"):
        services.feedback_create(event=e, user=came, rating=5)
    assert selectors.event_feedback_summary(event=e).texts == []  # not published yet
    with pytest.raises(PermissionDenied):
        services.feedback_text_approve(feedback=f, by=resident)
    services.feedback_text_approve(feedback=f, by=officer)
    assert selectors.event_feedback_summary(event=e).texts == [f]
    services.event_respond(event=e, by=officer, text="We will patrol Test Street on Fridays.")
    e.refresh_from_db()
    assert e.team_response.startswith("We will patrol")


def test_registration_closes_when_the_event_starts(use_lake, officer, resident):
    e = hold(officer, days=-1)
    with pytest.raises(ValidationError, match="started"):
        services.registration_create(event=e, user=resident)


def test_cancelling_is_refused_once_the_event_has_started(use_lake, officer, resident):
    e = hold(officer, capacity=2, days=-1)
    waiting = make_user()
    Registration.objects.create(event=e, user=resident, status="confirmed", queued_at=e.created_at, attended=True)
    Registration.objects.create(event=e, user=waiting, status="waitlisted", queued_at=e.created_at)
    for who in (resident, waiting):
        with pytest.raises(ValidationError) as caught:
            services.registration_cancel(event=e, user=who)
        assert caught.value.messages == ["This event has started, so your registration can no longer be cancelled."]
    assert sorted(Registration.objects.filter(event=e).values_list("status", "attended")) == [
        ("confirmed", True), ("waitlisted", None)]  # attendance not recorded for the waitlist
    assert selectors.place_counts(event=e) == {"confirmed": 1, "waitlisted": 1, "free": 1}


def test_cancelling_without_a_registration_is_refused(use_lake, officer, resident):
    e = hold(officer, capacity=2)
    message = "You have no place or waitlist place at this event, so there was nothing to cancel."
    with pytest.raises(ValidationError) as caught:
        services.registration_cancel(event=e, user=resident)
    assert caught.value.messages == [message]
    services.registration_create(event=e, user=resident)
    assert services.registration_cancel(event=e, user=resident) is None
    with pytest.raises(ValidationError) as caught:  # cancelling twice: the second has nothing to cancel
        services.registration_cancel(event=e, user=resident)
    assert caught.value.messages == [message]
    assert list(Registration.objects.filter(event=e).values_list("status", flat=True)) == ["cancelled"]


def test_message_goes_to_everyone_registered(use_lake, officer, chair, django_capture_on_commit_callbacks):
    e = hold(officer, capacity=1)
    a, b, c = make_user(), make_user(), make_user()
    for p in (a, b, c):
        services.registration_create(event=e, user=p)
    services.registration_cancel(event=e, user=c)
    with pytest.raises(PermissionDenied):
        services.message_send(event=e, by=a, subject="Hi", body="x")
    with django_capture_on_commit_callbacks(execute=True):
        m = services.message_send(event=e, by=chair, subject="Room change", body="Now in the small hall.")
    sent = [kw for name, kw, _ in queued() if kw.get("kind") == "message"]
    assert sorted(kw["registration_id"] for kw in sent) == sorted(
        Registration.objects.filter(user__in=[a, b]).values_list("pk", flat=True))
    assert {kw["message_id"] for kw in sent} == {m.pk}
