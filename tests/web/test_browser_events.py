"""Event, feedback, team and trust-pulse pages in a real browser (axe-core: no serious or
critical finding, no CSP breach, no script error; desktop and 390 px wide), and the waitlist
end to end: register → full → waitlist → cancel → promotion → reminder, delivered by the
worker to a real SMTP server on 127.0.0.1. Screenshots are kept under the test's tmp dir.

Runs `openbeat serve --demo` (tests/web/test_browser.py's server), whose demo seed holds
five synthetic events in the demo chair's ward.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import urllib.request
from zoneinfo import ZoneInfo

import pytest

from tests.waiting import wait_until
from tests.web.test_browser import Page, browser, opened, server  # noqa: F401 (fixtures)
from tests.web.test_browser_priorities import mailing_server, smtp_inbox  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _event_ids(base: str, ward: str) -> dict[str, int]:
    """{title: id} of the ward's events, read from its iCalendar feed."""
    from icalendar import Calendar

    with urllib.request.urlopen(f"{base}/wards/{ward}/events.ics") as r:
        cal = Calendar.from_ical(r.read())
    return {str(v["summary"]): int(re.search(r"/events/(\d+)/", str(v["url"]))[1]) for v in cal.walk("VEVENT")}


def _home_ward(base: str) -> str:
    with urllib.request.urlopen(f"{base}/api/priorities") as r:
        import json

        return json.load(r)["results"][0]["ward_code"]


def _shot(p: Page, tmp_path, name: str) -> None:
    p.check(name)
    p.page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_event_and_pulse_pages_are_accessible(browser, server, width, tmp_path):  # noqa: F811
    ward = _home_ward(server)
    ids = _event_ids(server, ward)
    past = ids["Ward panel meeting: the neighbourhood plan (synthetic)"]
    upcoming = ids["Ward panel meeting: winter priorities (synthetic)"]
    full = ids["Coffee with your officers (synthetic)"]
    pages = [
        ("ward-events", f"/wards/{ward}/events/", None),
        ("event-past", f"/events/{past}/", None),
        ("event-upcoming", f"/events/{upcoming}/", "resident1"),
        ("event-full-waitlisted", f"/events/{full}/", "resident5"),
        ("feedback-form", f"/events/{past}/feedback/", "resident1"),
        ("event-manage", f"/events/{past}/manage/", "officer1"),
        ("event-create", f"/wards/{ward}/events/new/", "officer1"),
        ("team", "/team/", "officer1"),
        ("trust-pulse", f"/wards/{ward}/trust-pulse/", None),
        ("trust-pulse-answer", f"/wards/{ward}/trust-pulse/answer/", "resident1"),
        ("scorecard", f"/scorecard/{_borough(server, ward)}/", None),
    ]
    for name, path, who in pages:
        with opened(browser, server, width=width, who=who) as p:
            p.goto(path)
            if name == "scorecard":  # its engagement column comes from the app database, fetched uncached
                p.page.locator("#engagement [data-ob-fragment-loaded]").wait_for(timeout=15_000)
                engagement = p.page.locator("#engagement").inner_text()
                assert "Events held" in engagement and "the scorecard’s period" in engagement
                assert "Listen to concerns" in engagement or "Not yet collected" in engagement
                if width == 1280:  # every column of the scorecard shows whole, its headers included
                    cut = p.page.evaluate("""[...document.querySelectorAll('.ob-scorecard')].flatMap(t =>
                        [t.closest('.ob-table-wrap'), ...t.querySelectorAll('thead th')]
                        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim() || 'table'))""")
                    assert cut == [], cut
            _shot(p, tmp_path, f"{name}-{width}")
            # the scorecard's own tables are wider than a phone before this part; its engagement part must not be
            box = "document.querySelector('#engagement')" if name == "scorecard" else "document.documentElement"
            assert p.page.evaluate(f"{box}.scrollWidth <= window.innerWidth"), name
    assert len(list(tmp_path.glob("*.png"))) == len(pages)


def _borough(base: str, ward: str) -> str:
    import json

    with urllib.request.urlopen(f"{base}/api/areas/{ward}") as r:
        return json.load(r)["parents"]["borough"]


def test_register_full_waitlist_cancel_promotion_and_reminder(browser, mailing_server, smtp_inbox,  # noqa: F811
                                                              tmp_path):
    from openbeat.accounts.demo import DEMO_DOMAIN

    inbox, _ = smtp_inbox
    base = mailing_server
    ward = _home_ward(base)
    with contextlib.ExitStack() as signed_in:
        officer, first, second = (signed_in.enter_context(opened(browser, base, who=who))
                                  for who in ("officer1", "resident2", "resident3"))
        # less than a day ahead, so the reminder falls due as soon as a place is confirmed
        start = dt.datetime.now(ZoneInfo("Europe/London")) + dt.timedelta(hours=20)
        officer.goto(f"/wards/{ward}/events/new/")
        officer.page.fill("#id_title", "Surgery with PC Shah")
        officer.page.fill("#id_description", "Drop in with your questions.")
        officer.page.fill("#id_venue", "Library meeting room")
        officer.page.fill("#id_address", "2 High Street")
        officer.page.fill("#id_starts_at", f"{start:%Y-%m-%d %H:%M}")
        officer.page.fill("#id_ends_at", f"{start + dt.timedelta(hours=1):%Y-%m-%d %H:%M}")
        officer.page.fill("#id_capacity", "1")
        officer.page.check("input[name=step_free][value=yes]")
        officer.page.check("input[name=hearing_loop][value=no]")
        officer.page.click("#main-content form button[type=submit]")
        officer.page.wait_for_url("**/events/*/")
        path = officer.page.url.removeprefix(base)
        _shot(officer, tmp_path, "e2e-1-created")

        first.goto(path)
        with first.page.expect_navigation():
            first.page.click("#main-content button:has-text('Register')")
        assert first.page.locator("#your-place").inner_text().startswith("Place confirmed")
        _shot(first, tmp_path, "e2e-2-registered")

        second.goto(path)
        assert "1 of 1 taken" in second.page.locator("#event-places").inner_text()  # full
        with second.page.expect_navigation():
            second.page.click("#main-content button:has-text('Join the waitlist')")
        assert "You are number 1" in second.page.locator("#your-place").inner_text()
        _shot(second, tmp_path, "e2e-3-waitlisted")

        first.goto(path)
        with first.page.expect_navigation():
            first.page.click("#main-content button:has-text('Cancel my place')")
        _shot(first, tmp_path, "e2e-4-cancelled")

        second.goto(path)
        assert second.page.locator("#your-place").inner_text().startswith("Place confirmed")
        _shot(second, tmp_path, "e2e-5-promoted")

        # the worker emails the promoted person twice: the place, and the day-before reminder
        to = f"resident3@{DEMO_DOMAIN}"

        def reminded():
            mine = [m for rcpt, m in inbox.messages if to in rcpt]
            return mine if any("Reminder" in str(m["Subject"]) for m in mine) else None

        mine = wait_until(reminded, timeout=120, what="the worker to email the promoted person's reminder")
        subjects = [str(m["Subject"]) for m in mine]
        assert "OpenBeat: A place at Surgery with PC Shah is now yours" in subjects, subjects
        assert "OpenBeat: Reminder: Surgery with PC Shah is tomorrow" in subjects, subjects
        reminder = next(m for m in mine if "Reminder" in str(m["Subject"]))
        assert "Library meeting room, 2 High Street" in reminder.get_body(preferencelist=("plain",)).get_content()
        (tmp_path / "reminder.eml").write_bytes(reminder.as_bytes())
