"""Priority, "You said, we did" and moderation pages in a real browser: no CSP breach, no script
error, no serious or critical axe-core finding, at desktop width and 390 px wide.

Runs `openbeat serve --demo` (tests/web/test_browser.py's server), whose demo seed puts
five synthetic priorities in one ward, then signs in as the demo's panel chair, officer
and moderator for the pages only they see.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request

import pytest

from tests.waiting import wait_until
from tests.web.test_browser import browser, opened, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _priorities(base: str) -> dict[str, dict]:
    with urllib.request.urlopen(base + "/api/priorities") as r:
        return {p["state"]: p for p in json.load(r)["results"]}


def _pages(base: str) -> list[tuple[str, str, str | None]]:
    """(name, path, who signs in: a demo account's email local part, or None)."""
    ps = _priorities(base)
    ward = ps["closed"]["ward_code"]
    return [
        ("ward-priorities", f"/wards/{ward}/priorities/", None),
        ("you-said-we-did", f"/wards/{ward}/you-said-we-did/", None),
        ("priority-closed", f"/priorities/{ps['closed']['id']}/", None),
        ("priority-in-progress", f"/priorities/{ps['in_progress']['id']}/", "resident3"),
        ("priority-proposed-chair", f"/priorities/{ps['proposed']['id']}/", "chair"),
        ("propose", f"/wards/{ward}/priorities/new/", "resident1"),
        ("adopt", f"/priorities/{ps['proposed']['id']}/adopt/", "chair"),
        ("close", f"/priorities/{ps['in_progress']['id']}/close/", "chair"),
        ("action", f"/priorities/{ps['in_progress']['id']}/actions/new/", "officer1"),
        ("report", f"/report/priority/{ps['proposed']['id']}/", "resident2"),
        ("moderation-queue", "/moderation/northbridge/", "moderator"),
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_community_pages_are_accessible(browser, server, width):  # noqa: F811
    seen = 0
    for name, path, who in _pages(server):
        with opened(browser, server, width=width, who=who) as p:
            p.goto(path)
            p.check(f"{name}-{width}")
            assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
            seen += 1
    assert seen == 11


def test_the_ward_page_fills_its_priorities_panel(browser, server):  # noqa: F811
    ward = _priorities(server)["closed"]["ward_code"]
    with opened(browser, server) as p:
        p.goto(f"/areas/{ward}/")
        panel = p.page.locator("#local-priorities [data-ob-fragment-loaded]")
        panel.wait_for(timeout=15_000)
        assert "Adopted now (2 of 3)" in panel.inner_text()


@pytest.fixture(scope="module")
def smtp_inbox():
    from aiosmtpd.controller import Controller

    from openbeat.web.launch import free_port
    from tests.notifications.test_notification_email import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def mailing_server(northbridge, tmp_path_factory, smtp_inbox):
    """The demo server with its background worker sending email to the test's SMTP server."""
    from tests.web.test_browser import serve_demo

    _, port = smtp_inbox
    yield from serve_demo(northbridge, tmp_path_factory.mktemp("serve-mail"), {
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "0", "EMAIL_USE_SSL": "0"})


def test_you_said_we_did_end_to_end(browser, mailing_server, smtp_inbox):  # noqa: F811
    """Resident A proposes; resident B supports and follows; an officer adopts it and posts an
    action; B is emailed (through a real SMTP server) by the worker; "You said, we did" shows it."""
    import datetime as dt

    from openbeat.accounts.demo import DEMO_DOMAIN

    inbox, _ = smtp_inbox
    base = mailing_server
    ward = _priorities(base)["closed"]["ward_code"]
    with contextlib.ExitStack() as signed_in:
        a, b, officer = (signed_in.enter_context(opened(browser, base, who=who))
                         for who in ("resident4", "resident2", "officer1"))
        a.goto(f"/wards/{ward}/priorities/new/")
        a.page.fill("#id_title", "Catalytic converters stolen on Elm Close")
        a.page.fill("#id_description", "Three cars in a month, at night.")
        a.page.check("input[name=crime_types][value='Vehicle crime']")
        a.page.click("#main-content form button[type=submit]")
        a.page.wait_for_url("**/priorities/*/")
        path = a.page.url.removeprefix(base)
        a.check("e2e-1-proposed")

        b.goto(path)
        b.page.click("text=Support this priority")
        b.page.wait_for_load_state()
        b.page.click("text=Follow this priority")
        b.page.wait_for_load_state()
        assert b.page.locator("#support-count").inner_text() == "1"
        assert b.page.locator("text=Unfollow this priority").count() == 1
        b.check("e2e-2-supported-and-followed")

        officer.goto(path + "adopt/")
        officer.page.fill("#id_until", (dt.date.today() + dt.timedelta(days=90)).isoformat())
        officer.page.click("#main-content form button[type=submit]")
        officer.page.wait_for_url(f"**{path}")
        officer.goto(path + "actions/new/")
        officer.page.check("input[name=kind][value=action]")
        officer.page.fill("#id_text", "Marked catalytic converters free at the station, 30 cars done.")
        officer.page.fill("#id_happened_on", dt.date.today().isoformat())
        officer.page.click("#main-content form button[type=submit]")
        officer.page.wait_for_url(f"**{path}")
        officer.check("e2e-3-action-posted")

        # the worker emails B (immediate notifications): adopted, then the new action
        to_b = f"resident2@{DEMO_DOMAIN}"

        def to_b_so_far():
            subjects = [str(m["Subject"]) for rcpt, m in list(inbox.messages) if to_b in rcpt]
            # the demo's own story emails B too: wait for this priority's action
            return subjects if any(s.endswith("New action: Catalytic converters stolen on Elm Close")
                                   for s in subjects) else None

        subjects = wait_until(to_b_so_far, timeout=120, what="the worker to email B about the new action")
        assert any(s.endswith("New action: Catalytic converters stolen on Elm Close") for s in subjects), subjects
        assert any(s.endswith("Priority adopted: Catalytic converters stolen on Elm Close") for s in subjects)

        b.goto(f"/wards/{ward}/you-said-we-did/")
        text = b.page.locator("main").inner_text()
        assert "You said: Catalytic converters stolen on Elm Close" in text
        assert "Marked catalytic converters free at the station, 30 cars done." in text
        b.check("e2e-4-you-said-we-did")
