"""A progress review in a real browser: `openbeat serve --demo` publishes the last four quarters
for Northbridge and one borough (its worker does, just after start); open the latest, check it (CSP, script errors, axe-core: no
serious or critical finding, at desktop width and 390 px), follow the link to the previous
review, download the PDF, and sign in to see the Follow button and the comment form."""

from __future__ import annotations

import urllib.request

import pytest

from tests.waiting import wait_until
from tests.web.test_browser import browser, opened, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reviewed(server):  # noqa: F811
    """The server, once its worker has published the borough's four demo reviews (queued at start)."""
    def published() -> bool:
        with urllib.request.urlopen(server + "/reviews/X09000001/", timeout=10) as r:
            page = r.read().decode()  # read once: a second read of the response gives nothing
        return all(f"/reviews/X09000001/2025-Q{q}/v1/" in page for q in (3, 4))
    wait_until(published, 300, "the demo's reviews to be published by the worker")
    return server


@pytest.mark.parametrize("width", [1280, 390])
def test_a_review_its_previous_one_and_its_pdf(browser, reviewed, width, tmp_path):  # noqa: F811
    with opened(browser, reviewed, width=width, accept_downloads=True) as p:
        p.goto("/reviews/X09000001/")
        p.check(f"reviews-area-{width}")
        p.page.click("text=2025-Q4")
        p.page.wait_for_url("**/reviews/X09000001/2025-Q4/v1/")
        p.check(f"review-{width}")
        assert p.page.locator("svg.ob-review-chart").count() >= 2
        assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        p.page.click("#previous-link")
        p.page.wait_for_url("**/reviews/X09000001/2025-Q3/v1/")
        assert "progress review, 2025-Q3" in p.page.locator("h1").inner_text()
        with p.page.expect_download() as found:
            p.page.click("#pdf-link")
        path = tmp_path / "review.pdf"
        found.value.save_as(path)
        assert found.value.suggested_filename == "openbeat-review-X09000001-2025-Q3-v1.pdf"
        assert path.read_bytes().startswith(b"%PDF-")


def test_a_resident_can_follow_and_comment(browser, reviewed):  # noqa: F811
    with opened(browser, reviewed, who="resident1") as p:
        p.goto("/reviews/X09000001/2025-Q4/v1/")
        p.page.locator("[data-ob-fragment-loaded] button").first.wait_for(timeout=15_000)
        p.check("review-signed-in")
        p.page.fill("#comment-body", "Thank you for publishing this.")
        p.page.click("text=Post comment")
        p.page.wait_for_url("**#comment-*")
        assert "Thank you for publishing this." in p.page.locator("#comments").inner_text()
