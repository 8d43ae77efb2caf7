"""Accounts in a real browser (`openbeat serve --demo`, Debian's Chromium): the header's
per-person links arrive into cached pages, a demo resident signs in and follows a ward,
and every account page passes axe-core (no serious or critical finding), at desktop width
and 390 px wide, without a CSP breach."""

from __future__ import annotations

import pytest

from tests.web.test_browser import Page, browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

WARD = "X05000022"  # Larkrise, a demo ward
RESIDENT = "resident1@northbridge.example"
PASSWORD = "northbridge-demo"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _context(browser, width):  # noqa: F811
    return browser.new_context(viewport=WIDTHS[width], locale="en-GB", is_mobile=width == "phone",
                               has_touch=width == "phone")


def _sign_in(p: Page, email: str = RESIDENT) -> None:
    p.goto("/accounts/login/")
    p.page.fill("#id_login", email)
    p.page.fill("#id_password", PASSWORD)
    p.page.click("button[type=submit]:has-text('Sign In')")
    p.page.wait_for_url("**/accounts/settings/")


def _fragments_loaded(p: Page) -> None:
    p.page.wait_for_selector("[data-ob-fragment]", state="detached", timeout=15_000)


ANONYMOUS_PAGES = [("sign-in", "/accounts/login/"), ("sign-up", "/accounts/signup/"),
                   ("password-reset", "/accounts/password/reset/"), ("demo-accounts", "/accounts/demo/")]
SIGNED_IN_PAGES = [("account-settings", "/accounts/settings/"), ("home-ward", "/accounts/home-ward/?q=Larkrise"),
                   ("notifications", "/notifications/"), ("delete-account", "/accounts/delete/"),
                   ("email-address", "/accounts/email/"), ("password-change", "/accounts/password/change/"),
                   ("two-step", "/accounts/2fa/"),
                   ("follow-confirm", f"/notifications/follow/?target_kind=ward&target_code={WARD}")]


@pytest.mark.parametrize("width", WIDTHS)
def test_account_pages_are_accessible(browser, server, width):  # noqa: F811
    context = _context(browser, width)
    try:
        p = Page(context, server)
        for name, path in ANONYMOUS_PAGES:
            p.goto(path)
            p.check(f"{name}-{width}")
            assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        _sign_in(p)
        for name, path in SIGNED_IN_PAGES:
            p.goto(path)
            p.check(f"{name}-{width}")
            assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    finally:
        context.close()


def test_header_and_follow_button_arrive_in_a_cached_ward_page(browser, server):  # noqa: F811
    context = _context(browser, "desktop")
    try:
        p = Page(context, server)
        p.goto(f"/areas/{WARD}/")
        _fragments_loaded(p)
        header = p.page.locator(".ob-account-nav")
        assert header.locator("a", has_text="Sign in").count() == 1
        assert p.page.locator("a", has_text="Sign in to follow Larkrise").count() == 1
        _sign_in(p)
        p.goto(f"/areas/{WARD}/")
        _fragments_loaded(p)
        assert "Signed in as Amira (synthetic resident)" in header.inner_text()
        button = p.page.locator("main button", has_text="Larkrise")
        label = button.inner_text()
        with p.page.expect_navigation():
            button.click()  # Follow or Unfollow, whichever the demo left it at
        assert p.page.url.endswith(f"/areas/{WARD}/"), (p.page.url, p.page.content()[:3000])
        _fragments_loaded(p)
        flipped = p.page.locator("main button", has_text="Larkrise").inner_text()
        assert {label.split()[0], flipped.split()[0]} == {"Follow", "Unfollow"}
        p.check("ward-signed-in")
        header.locator("button", has_text="Sign out").click()
        p.page.wait_for_load_state()
        p.goto(f"/areas/{WARD}/")
        _fragments_loaded(p)
        assert header.locator("a", has_text="Sign in").count() == 1
    finally:
        context.close()
