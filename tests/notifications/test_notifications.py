"""Follows and notifications on a real database: who is told, what is queued for the worker."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.web.community import person
from tests.web.conftest import NORTH, SOUTH

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def queued():
    """(task name, kwargs) of every task waiting in the database queue."""
    from django_tasks_db.models import DBTaskResult

    return [(r.task_path.rsplit(".", 1)[-1], r.args_kwargs["kwargs"]) for r in DBTaskResult.objects.order_by("enqueued_at")]


def test_follow_is_once_per_target_and_unfollow_removes_it():
    from django.core.exceptions import ValidationError

    from openbeat.notifications.models import Follow
    from openbeat.notifications.services import follow_create, follow_delete

    u = person()
    a = follow_create(user=u, target_kind="ward", target_code=NORTH)
    b = follow_create(user=u, target_kind="ward", target_code=NORTH)
    assert a.pk == b.pk and Follow.objects.count() == 1
    with pytest.raises(ValidationError, match="'street' cannot be followed"):
        follow_create(user=u, target_kind="street", target_code="x")
    assert follow_delete(user=u, target_kind="ward", target_code=NORTH) == 1
    assert follow_delete(user=u, target_kind="ward", target_code=NORTH) == 0


def test_notification_send_tells_followers_except_the_actor_and_queues_immediate_email(
        django_capture_on_commit_callbacks):
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.models import Notification
    from openbeat.notifications.services import follow_create

    actor, quick, daily, silent, suspended, elsewhere = (person() for _ in range(6))
    daily.notify_frequency, silent.notify_frequency = "daily", "none"
    daily.save(), silent.save()
    from django.utils import timezone

    suspended.suspended_at = timezone.now()
    suspended.save()
    for u in (actor, quick, daily, silent, suspended):
        follow_create(user=u, target_kind="ward", target_code=NORTH)
    follow_create(user=elsewhere, target_kind="ward", target_code=SOUTH)

    with django_capture_on_commit_callbacks(execute=True):
        told = notification_send(target_kind="ward", target_code=NORTH, subject="Priority adopted",
                                 body="The team adopted it.", url="/areas/X05000001/", actor=actor)
    assert told == 3
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted([quick.pk, daily.pk, silent.pk])
    mine = Notification.objects.get(user=quick)
    assert queued() == [("notification_email_send", {"notification_ids": [mine.pk]})]


def test_a_priority_follower_who_also_follows_its_ward_is_told_once(django_capture_on_commit_callbacks):
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.models import Notification
    from openbeat.notifications.services import follow_create

    both, ward_only, priority_only = person(), person(), person()
    follow_create(user=both, target_kind="priority", target_code="7")
    follow_create(user=both, target_kind="ward", target_code=NORTH)
    follow_create(user=ward_only, target_kind="ward", target_code=NORTH)
    follow_create(user=priority_only, target_kind="priority", target_code="7")
    with django_capture_on_commit_callbacks(execute=True):
        told = notification_send(target_kind="priority", target_code="7", subject="New action", body="b",
                                 url="/p/7/", also_following=[("ward", NORTH)])
    assert told == 3
    assert Notification.objects.filter(user=both).count() == 1
    assert set(Notification.objects.values_list("target_kind", "target_code")) == {("priority", "7")}
    assert len(queued()) == 3


def test_nothing_is_queued_when_the_transaction_rolls_back():
    from django.db import transaction

    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.services import follow_create

    follow_create(user=person(), target_kind="ward", target_code=NORTH)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        notification_send(target_kind="ward", target_code=NORTH, subject="s", body="b", url="/")
        raise Undo
    assert queued() == []


def test_daily_digests_are_queued_once_a_day_after_the_digest_hour(django_capture_on_commit_callbacks):
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.models import DigestDelivery, Notification
    from openbeat.notifications.services import (
        follow_create,
        notification_digests_enqueue,
    )

    daily, other_daily, quick = person(notify_frequency="daily"), person(notify_frequency="daily"), person()
    for u in (daily, other_daily, quick):
        follow_create(user=u, target_kind="ward", target_code=NORTH)
    follow_create(user=daily, target_kind="ward", target_code=SOUTH)
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(target_kind="ward", target_code=NORTH, subject="one", body="b", url="/")
        notification_send(target_kind="ward", target_code=SOUTH, subject="two", body="b", url="/")
    immediate = queued()
    assert len(immediate) == 1  # quick's, for "one"

    early = dt.datetime(2026, 3, 2, 6, 59, tzinfo=LONDON)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_digests_enqueue(now=early, hour=7) == 0
        assert notification_digests_enqueue(now=early.replace(hour=7, minute=0), hour=7) == 2
        assert notification_digests_enqueue(now=early.replace(hour=18), hour=7) == 0  # once a day
    digests = sorted((kw["notification_ids"] for name, kw in queued()[1:]), key=len)
    mine = list(Notification.objects.filter(user=daily).order_by("created_at", "pk").values_list("pk", flat=True))
    theirs = list(Notification.objects.filter(user=other_daily).values_list("pk", flat=True))
    assert digests == [theirs, mine]
    assert DigestDelivery.objects.count() == 2


def test_unsubscribe_tokens_are_signed_per_person():
    from openbeat.notifications.emails import unsubscribe_token, unsubscribe_user_id

    u = person()
    token = unsubscribe_token(user=u)
    assert unsubscribe_user_id(token=token) == u.pk
    assert unsubscribe_user_id(token=token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]) is None
    assert unsubscribe_user_id(token="nonsense") is None


def test_a_bad_unsubscribe_link_says_so_and_how_to_change_emails(client):
    """Cut short, altered, or for an account since deleted: the page says the link is not valid
    (not the site's "area not found" page), unsubscribes nobody, and points to the settings."""
    from openbeat.notifications.emails import unsubscribe_token

    from tests.areas.test_pages import text

    u = person()
    gone = person()
    deleted_token = unsubscribe_token(user=gone)
    gone.delete()
    for path in ("/notifications/unsubscribe/abc/", f"/notifications/unsubscribe/{deleted_token}/"):
        for r in (client.get(path), client.post(path)):
            assert r.status_code == 404 and "no-cache" in r["Cache-Control"]
            page = text(r)
            assert ("This unsubscribe link is not valid It may have been cut short when it was copied, or the "
                    "account it was for no longer exists. Nobody was unsubscribed. To stop or change the emails "
                    "you get, sign in and change your email settings .") in page
            assert "area may not be loaded" not in page and "You are unsubscribed" not in page
            assert 'href="/accounts/settings/">sign in and change your email settings</a>' in r.content.decode()
    u.refresh_from_db()
    assert u.notify_frequency == "immediate"


@pytest.mark.django_db(transaction=True)  # the worker commits and closes connections as in production
def test_the_worker_sends_queued_email_and_marks_it_sent(mailoutbox, settings):
    """The locmem path: one task run by the worker's own loop (batch), one email."""
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.models import Notification
    from openbeat.notifications.services import follow_create
    from openbeat.notifications.worker import run

    settings.OPENBEAT_SITE_URL = "https://beat.example.org"
    u = person(email="quick@example.org", display_name="Quick")
    follow_create(user=u, target_kind="ward", target_code=NORTH)
    notification_send(target_kind="ward", target_code=NORTH, subject="Priority adopted",
                      body="Speeding on Mill Lane was adopted.", url="/areas/X05000001/")
    run(batch=True)
    assert len(mailoutbox) == 1
    m = mailoutbox[0]
    assert (m.to, m.subject) == (["quick@example.org"], "OpenBeat: Priority adopted")
    assert "Speeding on Mill Lane was adopted.\nhttps://beat.example.org/areas/X05000001/" in m.body
    assert m.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert m.extra_headers["List-Unsubscribe"].startswith("<https://beat.example.org/notifications/unsubscribe/")
    assert Notification.objects.get().emailed_at is not None
    run(batch=True)  # nothing left: nothing sent twice
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_daily_digest_is_one_email_with_every_update(mailoutbox, settings):
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.models import Notification
    from openbeat.notifications.services import follow_create
    from openbeat.notifications.worker import run

    settings.OPENBEAT_SITE_URL = "https://beat.example.org"
    settings.OPENBEAT_DIGEST_HOUR = 0  # due whenever the test runs
    u = person(email="daily@example.org", display_name="Dee", notify_frequency="daily")
    follow_create(user=u, target_kind="ward", target_code=NORTH)
    follow_create(user=u, target_kind="ward", target_code=SOUTH)
    notification_send(target_kind="ward", target_code=NORTH, subject="Adopted", body="First.", url="/a/")
    notification_send(target_kind="ward", target_code=SOUTH, subject="New action", body="Second.", url="/b/")
    assert queued() == []  # nothing immediate for a daily reader
    run(batch=True)  # queues today's digest, then runs it
    [m] = mailoutbox
    assert (m.to, m.subject) == (["daily@example.org"], "OpenBeat: 2 updates from what you follow")
    assert m.body.index("Adopted\nFirst.\nhttps://beat.example.org/a/") < m.body.index(
        "New action\nSecond.\nhttps://beat.example.org/b/")
    assert "Unsubscribe from all emails with one click: https://beat.example.org/notifications/unsubscribe/" in m.body
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
    run(batch=True)
    assert len(mailoutbox) == 1  # once a day


_NICER = """
import json, os, sys, threading
from openbeat.notifications.worker import run_nicer
started, stop = threading.Event(), threading.Event()
early = threading.Thread(target=lambda: (started.set(), stop.wait()))
early.start(); started.wait()
returned = run_nicer(int(sys.argv[1]))
late = {}
later = threading.Thread(target=lambda: late.update(n=os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
later.start(); later.join()
print(json.dumps({"returned": returned, "main": os.getpriority(os.PRIO_PROCESS, 0),
                  "early": os.getpriority(os.PRIO_PROCESS, early.native_id), "later": late["n"]}))
stop.set()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="each thread's own niceness is Linux's")
@pytest.mark.parametrize("asked", [0, 10, 19])
def test_the_worker_lowers_every_threads_cpu_priority_never_raises_it(asked):
    """In a process of its own (so the tests' process keeps its priority), with a thread
    started before the call (as imports may start) and one after."""
    import json
    import subprocess

    before = os.getpriority(os.PRIO_PROCESS, 0)
    got = subprocess.run([sys.executable, "-c", _NICER, str(asked)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    now = max(asked, before)
    assert json.loads(got.stdout) == {"returned": now, "main": now, "early": now, "later": now}
    assert os.getpriority(os.PRIO_PROCESS, 0) == before
