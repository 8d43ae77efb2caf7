"""Priority, "You said, we did" and moderation pages in a real browser: no CSP breach, no script
error, no serious or critical axe-core finding, at desktop width and 390 px wide.

Runs `openbeat serve --demo` (tests/web/test_browser.py's server), whose demo seed puts
five synthetic priorities in one ward, then signs in as the demo's panel chair, officer
and moderator for the pages only they see.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.web.test_browser import Page, browser, server  # noqa: F401 (fixtures)

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


def _sign_in(p: Page, who: str) -> None:
    from openbeat.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD

    p.goto("/accounts/login/")
    p.page.fill("input[name=login]", f"{who}@{DEMO_DOMAIN}")
    p.page.fill("input[name=password]", DEMO_PASSWORD)
    p.page.click("form button[type=submit]")
    p.page.wait_for_load_state()
    assert "/accounts/login/" not in p.page.url, f"{who} could not sign in"


@pytest.mark.parametrize("width", [1280, 390])
def test_community_pages_are_accessible(browser, server, width):  # noqa: F811
    seen = 0
    for name, path, who in _pages(server):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
        try:
            p = Page(context, server)
            if who:
                _sign_in(p, who)
            p.goto(path)
            p.check(f"{name}-{width}")
            assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
            seen += 1
        finally:
            context.close()
    assert seen == 11


def test_the_ward_page_fills_its_priorities_panel(browser, server):  # noqa: F811
    ward = _priorities(server)["closed"]["ward_code"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        p = Page(context, server)
        p.goto(f"/areas/{ward}/")
        panel = p.page.locator("#local-priorities [data-ob-fragment-loaded]")
        panel.wait_for(timeout=15_000)
        assert "Adopted now (2 of 3)" in panel.inner_text()
    finally:
        context.close()
