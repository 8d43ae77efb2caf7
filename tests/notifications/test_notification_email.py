"""Notification email end to end through a real SMTP server (aiosmtpd on 127.0.0.1): the
worker delivers it, with RFC 8058 headers, and its one-click unsubscribe link works."""

from __future__ import annotations

import email.policy
import os
import re
import subprocess
import sys
import threading

import pytest

from openbeat.web.launch import free_port
from tests.web.community import person
from tests.waiting import wait_until
from tests.web.conftest import NORTH, ROOT


class Inbox:
    """Messages the SMTP server accepted, and a way to wait for them."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        message = message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append((envelope.rcpt_tos, message))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, n: int, timeout: float = 60):
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= n, timeout=timeout):
                raise AssertionError(f"{len(self.messages)} emails arrived in {timeout} s, expected {n}")
        return self.messages


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    port, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.OPENBEAT_SITE_URL = "http://testserver"
    return inbox


def _unsubscribe_path(message) -> str:
    link = re.fullmatch(r"<http://testserver(/notifications/unsubscribe/[^>]+/)>", message["List-Unsubscribe"].strip())
    assert link, message["List-Unsubscribe"]
    assert f"http://testserver{link[1]}" in message.get_body(preferencelist=("plain",)).get_content()  # in the text
    assert f'href="http://testserver{link[1]}"' in message.get_body(preferencelist=("html",)).get_content()
    return link[1]


def _check_one_click_unsubscribe(user, path):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    r = browser.get(path)  # a link scanner opening the link unsubscribes nobody
    assert r.status_code == 200 and b"Stop emails from OpenBeat?" in r.content
    user.refresh_from_db()
    assert user.notify_frequency == "immediate"
    # what a mail client sends for RFC 8058 one-click: no session, no CSRF token
    r = browser.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and b"You are unsubscribed" in r.content
    user.refresh_from_db()
    assert user.notify_frequency == "none"
    assert browser.post(path[:-5] + "xxxx/").status_code == 404  # a tampered token


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_a_notification_through_smtp_and_unsubscribe_works(smtp_settings):
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.services import follow_create
    from openbeat.notifications.worker import run

    actor = person(display_name="Officer")
    follower = person(email="follower@example.org", display_name="Femi")
    for u in (actor, follower):
        follow_create(user=u, target_kind="ward", target_code=NORTH)
    assert notification_send(target_kind="ward", target_code=NORTH, subject="Priority adopted: speeding",
                             body="The team adopted “Speeding on Mill Lane”.", url="/areas/X05000001/",
                             actor=actor) == 1
    assert smtp_settings.messages == []  # queued, not sent in the request
    run(batch=True)
    [(rcpt, message)] = smtp_settings.wait_for(1)
    assert rcpt == ["follower@example.org"]
    assert message["Subject"] == "OpenBeat: Priority adopted: speeding"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Hello Femi,\n")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<a href="http://testserver/areas/X05000001/" style="color: #1d70b8;">Priority adopted: speeding</a>' in html
    assert "The team adopted “Speeding on Mill Lane”." in html
    assert "The team adopted “Speeding on Mill Lane”.\nhttp://testserver/areas/X05000001/" in text
    _check_one_click_unsubscribe(follower, _unsubscribe_path(message))


@pytest.mark.django_db(transaction=True)
def test_openbeat_worker_process_delivers_queued_email(settings, smtp_server, tmp_path):
    """The real command in its own process, against the test database (PostgreSQL only:
    a second process cannot see SQLite's in-memory test database)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the worker process cannot see an in-memory SQLite test database")
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.services import follow_create

    port, inbox = smtp_server
    follower = person(email="far@example.org")
    follow_create(user=follower, target_kind="ward", target_code=NORTH)
    notification_send(target_kind="ward", target_code=NORTH, subject="New action", body="Patrols on Friday.",
                      url="/areas/X05000001/")
    env = {**os.environ, "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "SECRET_KEY": settings.SECRET_KEY, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port),
           "EMAIL_USE_TLS": "0", "OPENBEAT_SITE_URL": "http://testserver", "OPENBEAT_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("OPENBEAT_WORKER_NICE", None)
    proc = subprocess.Popen([sys.executable, "-m", "openbeat", "worker", "--interval", "0.2"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        [(rcpt, message)] = inbox.wait_for(1, timeout=90)
        # it gives way to the web workers: niceness 10 by default (or this test's own, if lower still)
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == max(10, os.getpriority(os.PRIO_PROCESS, 0))
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert rcpt == ["far@example.org"] and message["Subject"] == "OpenBeat: New action", out
    assert "worker: running queued tasks from postgresql" in out
    assert f"niceness {max(10, os.getpriority(os.PRIO_PROCESS, 0))})" in out
    # the worker marks it sent as its transaction commits, just after the server has it
    wait_until(lambda: follower.notifications.get().emailed_at, 30, "the worker to mark the email sent")
    _check_one_click_unsubscribe(follower, _unsubscribe_path(message))
