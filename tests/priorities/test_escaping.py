"""Script in every text field people write is shown as text on every page and in every feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from openbeat.moderation import services as moderation
from openbeat.priorities import services
from tests.priorities.conftest import NORTH, make_role, make_user, propose

pytestmark = pytest.mark.django_db

PAYLOADS = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>', "<svg/onload=alert(2)>"]
RAW = ("<script>alert", "<img src=x", "<svg/onload")
ATOM = "{http://www.w3.org/2005/Atom}"


def _everything_with(payload: str):
    """A priority per state, every text field carrying ``payload``; returns the objects and URLs."""
    resident = make_user(display_name=f"Name {payload}")
    chair, officer, moderator = make_user(), make_user(), make_user()
    make_role(chair, "panel_chair")
    make_role(officer, "officer")
    make_role(moderator, "moderator")
    import datetime as dt

    until = services.today() + dt.timedelta(days=30)
    closed = propose(resident, title=f"Closed {payload}", description=f"Where {payload}")
    services.priority_adopt(priority=closed, by=chair, until=until, note=f"Note {payload}")
    services.priority_action_add(priority=closed, by=officer, kind="action", text=f"Action {payload}",
                                 happened_on=services.today())
    services.priority_close(priority=closed, by=chair, outcome="resolved", summary=f"Summary {payload}")
    declined = services.priority_decline(priority=propose(resident, title=f"Declined {payload}"), by=chair,
                                         reason=f"Reason {payload}")
    proposed = propose(resident, title=f"Proposed {payload}")
    top = services.priority_comment_add(priority=closed, author=resident, body=f"Comment {payload}")
    services.priority_comment_add(priority=closed, author=resident, body=f"Reply {payload}", parent=top)
    hidden = services.priority_comment_add(priority=closed, author=resident, body="to hide")
    moderation.item_hide(moderator=moderator, item=hidden, reason=f"Hidden {payload}")
    moderation.report_create(reporter=make_user(), item=proposed, reason=f"Report {payload}")
    return moderator, [f"/wards/{NORTH}/priorities/", f"/wards/{NORTH}/priorities/panel/",
                       f"/wards/{NORTH}/you-said-we-did/", f"/priorities/{closed.pk}/", f"/priorities/{declined.pk}/",
                       f"/priorities/{proposed.pk}/", "/moderation/testforce/"], \
        [f"/wards/{NORTH}/priorities/feed/", f"/priorities/{closed.pk}/feed/"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_page_and_feed_escapes_what_people_wrote(client, use_lake, payload):
    moderator, pages, feeds = _everything_with(payload)
    client.force_login(moderator)
    for url in pages:
        html = client.get(url).content.decode()
        assert not any(raw in html for raw in RAW), url
    # the text is there, escaped (not dropped)
    page = client.get(pages[3]).content.decode()
    for field in ("Closed", "Where", "Action", "Summary", "Comment", "Reply", "Hidden", "Name"):
        assert f"{field} {payload}".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
            '"', "&quot;") in page, field
    assert "Report " + payload.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in \
        client.get("/moderation/testforce/").content.decode()
    for url in feeds:
        xml = client.get(url).content.decode()
        assert not any(raw in xml for raw in RAW), url
        for entry in ET.fromstring(xml).iter(f"{ATOM}entry"):
            summary = entry.find(f"{ATOM}summary")
            # type="html": what a reader renders must itself be escaped
            assert summary.get("type") == "html" and not any(raw in summary.text for raw in RAW)
    client.logout()
    for url in pages[:-1]:
        assert not any(raw in client.get(url).content.decode() for raw in RAW), url
