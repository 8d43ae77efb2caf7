"""Priority pages, feeds and the API, through the test client."""

from __future__ import annotations

import datetime as dt

import pytest

from openbeat.priorities import services
from tests.priorities.conftest import NORTH, adopt, make_user, propose

pytestmark = pytest.mark.django_db


def test_ward_priorities_page_shows_residents_and_police_uk_priorities(client, use_lake, resident, chair):
    a = propose(resident, title="Speeding on Station Road", crime_types=["Other crime"])
    b = adopt(propose(resident, title="Burglary at night"), chair)
    services.support_add(priority=a, user=make_user())
    html = client.get(f"/wards/{NORTH}/priorities/").content.decode()
    assert "Adopted (1 of 3)" in html
    assert 'href="/priorities/%d/">Speeding on Station Road</a>' % a.pk in html
    assert 'href="/priorities/%d/">Burglary at night</a>' % b.pk in html
    assert "1 supporter ·" in html
    # police.uk's published priorities are marked as such
    assert '<strong class="govuk-tag govuk-tag--purple">police.uk</strong> <strong>Burglary on Test Street</strong>' in html
    assert client.get("/wards/X09000001/priorities/").status_code == 404  # a borough


def test_priority_page_offers_what_each_person_may_do(client, use_lake, resident, chair, officer):
    p = propose(resident)
    anonymous = client.get(f"/priorities/{p.pk}/").content.decode()
    assert "Sign in to support" in anonymous and "Adopt it" not in anonymous
    client.force_login(make_user())
    html = client.get(f"/priorities/{p.pk}/").content.decode()
    assert "Support this priority" in html and "Adopt it" not in html
    client.force_login(chair)
    html = client.get(f"/priorities/{p.pk}/").content.decode()
    assert "Adopt it</a> (0 of 3 adopted now)" in html
    # never kept by a shared cache: it depends on who looks
    assert "no-cache" in client.get(f"/priorities/{p.pk}/")["Cache-Control"]


def test_the_adopt_page_counts_in_words_that_fit_the_number(client, use_lake, resident, chair, settings):
    from tests.areas.test_pages import text

    client.force_login(chair)
    settings.OPENBEAT_PRIORITIES_PER_WARD = 1
    p = propose(resident)
    assert "The ward has 0 of at most 1 priority adopted now." in text(client.get(f"/priorities/{p.pk}/adopt/"))
    settings.OPENBEAT_PRIORITIES_PER_WARD = 3
    assert "The ward has 0 of at most 3 priorities adopted now." in text(client.get(f"/priorities/{p.pk}/adopt/"))


def test_the_whole_loop_through_the_pages(client, use_lake, resident, chair, officer):
    client.force_login(resident)
    r = client.post(f"/wards/{NORTH}/priorities/new/", {
        "title": "Bikes stolen at the station", "description": "Every week, by the racks.",
        "crime_types": ["Bicycle theft"]})
    assert r.status_code == 302
    p = resident.priorities_proposed.get()
    assert r["Location"] == f"/priorities/{p.pk}/"
    supporter = make_user()
    client.force_login(supporter)
    assert client.post(f"/priorities/{p.pk}/support/").status_code == 302
    assert client.post(f"/priorities/{p.pk}/support/").status_code == 302
    assert p.supports.count() == 1
    client.force_login(chair)
    r = client.post(f"/priorities/{p.pk}/adopt/", {"until": "2099-01-01", "note": ""})
    assert r.status_code == 400 and "Adopt a priority for a year at most" in r.content.decode()
    until = services.today() + dt.timedelta(days=60)
    assert client.post(f"/priorities/{p.pk}/adopt/", {"until": until.isoformat()}).status_code == 302
    client.force_login(officer)
    assert client.post(f"/priorities/{p.pk}/actions/new/", {
        "kind": "action", "text": "Marked 40 bikes", "happened_on": services.today().isoformat()}).status_code == 302
    page = client.get(f"/wards/{NORTH}/you-said-we-did/").content.decode()
    assert "You said: Bikes stolen at the station" in page and "Marked 40 bikes" in page
    # too early to tell: the lake's months end long before today
    assert "Too early to tell: no month has been published since it was adopted" in page
    client.force_login(chair)
    assert client.post(f"/priorities/{p.pk}/close/", {"outcome": "resolved",
                                                      "summary": "Thefts down."}).status_code == 302
    page = client.get(f"/priorities/{p.pk}/").content.decode()
    assert "Resolved. Thefts down." in page
    for kind in ("Proposed", "Adopted", "Work started", "Action", "Closed"):
        assert f"<strong>{kind}</strong>" in page


def test_feeds_are_atom_with_each_change(client, use_lake, resident, chair):
    p = adopt(propose(resident), chair)
    for url in (f"/wards/{NORTH}/priorities/feed/", f"/priorities/{p.pk}/feed/"):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
        xml = r.content.decode()
        assert "<title>Adopted: Burglary on Test Street</title>" in xml
        assert "<title>Proposed: Burglary on Test Street</title>" in xml
        assert "<name>Ward panel chair</name>" in xml
        assert "@example.org" not in xml and resident.display_name not in xml
    # the priority's feed names its ward as people know it, not by its code
    xml = client.get(f"/priorities/{p.pk}/feed/").content.decode()
    assert "<subtitle>What happened to this priority in North Ward.</subtitle>" in xml


def test_api_lists_priorities_actions_and_comments_without_personal_data(client, use_lake, resident, chair, officer):
    p = adopt(propose(resident), chair)
    services.priority_action_add(priority=p, by=officer, kind="action", text="Patrols", happened_on=services.today())
    services.priority_comment_add(priority=p, author=resident, body="Thank you")
    r = client.get(f"/api/priorities?ward={NORTH}")
    assert r.status_code == 200 and "no-cache" in r["Cache-Control"]
    body = r.json()
    assert body["count"] == 1 and body["results"][0]["title"] == "Burglary on Test Street"
    assert body["results"][0]["state"] == "in_progress"
    detail = client.get(f"/api/priorities/{p.pk}").json()
    assert [(e["kind"], e["actor_role"]) for e in detail["timeline"]] == [
        ("proposed", "Resident"), ("adopted", "Ward panel chair"), ("started", "Verified officer"),
        ("action", "Verified officer")]
    actions = client.get(f"/api/priorities/{p.pk}/actions").json()
    assert [a["text"] for a in actions["results"]] == ["Patrols"]
    comments = client.get(f"/api/priorities/{p.pk}/comments").json()
    assert [(c["body"], c["reply_to"]) for c in comments["results"]] == [("Thank you", None)]
    every = "".join(client.get(u).content.decode() for u in (
        "/api/priorities", f"/api/priorities/{p.pk}", f"/api/priorities/{p.pk}/actions",
        f"/api/priorities/{p.pk}/comments", "/api/priorities.csv"))
    for person in (resident, chair, officer):
        assert person.email not in every and person.display_name not in every
    assert client.get("/api/priorities/999999").status_code == 404


def test_the_ward_page_fetches_its_priorities_panel_uncached(client, use_lake, resident, chair):
    adopt(propose(resident, title="Adopted one"), chair)
    propose(resident, title="Proposed one")
    ward_page = client.get(f"/areas/{NORTH}/")
    panel = client.get(f"/wards/{NORTH}/priorities/panel/?next=/areas/{NORTH}/")
    assert panel.status_code == 200 and "no-cache" in panel["Cache-Control"]
    html = panel.content.decode()
    assert "Adopted now (1 of 3)" in html and "Adopted one" in html and "Proposed one" in html
    # the cached ward page stays the same when priorities change
    propose(resident, title="A third")
    assert client.get(f"/areas/{NORTH}/").content == ward_page.content
    assert "A third" in client.get(f"/wards/{NORTH}/priorities/panel/").content.decode()


def test_supporting_and_withdrawing_say_what_happened(client, use_lake, resident):
    p = propose(make_user())
    client.force_login(resident)

    def said(path: str) -> str:
        r = client.post(path, follow=True)
        assert r.redirect_chain == [(f"/priorities/{p.pk}/", 302)]
        return r.content.decode()

    assert "You support this priority." in said(f"/priorities/{p.pk}/support/")
    page = said(f"/priorities/{p.pk}/support/withdraw/")
    assert "You no longer support this priority." in page and "You support this priority." not in page
    assert "You were not supporting this priority, so nothing changed." in said(f"/priorities/{p.pk}/support/withdraw/")
    services.priority_decline(priority=p, by=make_user(is_staff=True), reason="Not for the police.")
    page = said(f"/priorities/{p.pk}/support/")
    assert "This priority is declined, so it cannot be supported." in page and "You support this" not in page


def heading_skips(html: str, *, start: int = 0) -> list[str]:
    """Each heading that goes more than one level deeper than the one before it (h1 then h3),
    which leaves people who move by headings wondering what they missed."""
    import re

    skips, before = [], start
    for level, words in re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", html, flags=re.S):
        if int(level) > before + 1:
            skips.append(f"h{before} to h{level}: {re.sub(r'<[^>]+>', '', words).strip()}")
        before = int(level)
    return skips


def test_headings_never_skip_a_level_on_the_priority_pages(client, use_lake, resident, chair, officer):
    adopted = adopt(propose(resident, title="Adopted one"), chair)
    working = adopt(propose(resident, title="In progress one"), chair)
    services.priority_action_add(priority=working, by=officer, kind="action", text="Patrols",
                                 happened_on=services.today())
    services.priority_comment_add(priority=working, author=resident, body="Thank you")
    closed = adopt(propose(resident, title="Closed one"), chair)
    services.priority_close(priority=closed, by=chair, outcome="resolved", summary="Fixed.")
    proposed = propose(resident, title="Proposed one")
    services.priority_decline(priority=propose(resident, title="Declined one"), by=chair, reason="Not ours.")
    pages = [f"/priorities/{p.pk}/" for p in (adopted, working, closed, proposed)] + [
        f"/wards/{NORTH}/priorities/", f"/wards/{NORTH}/you-said-we-did/"]
    for who in (None, chair):  # anyone; and the team, who also see a box of their own
        if who is not None:
            client.force_login(who)
        for url in pages:
            assert heading_skips(client.get(url).content.decode()) == [], (url, who)
    # the evidence has its own heading on a priority's page
    assert '<h2 class="govuk-heading-m">Has the problem moved? The evidence</h2>' in client.get(
        f"/priorities/{adopted.pk}/").content.decode()
    # the ward page's panel sits under the page's h1: its h2, then h3 per group, h4 per priority
    panel = client.get(f"/wards/{NORTH}/priorities/panel/").content.decode()
    assert "<h4" in panel and heading_skips(panel, start=1) == []


def test_follow_buttons_on_priority_and_ward_pages(client, use_lake, resident):
    p = propose(resident)
    client.force_login(resident)  # the proposer follows it already
    assert "Unfollow this priority" in client.get(f"/priorities/{p.pk}/").content.decode()
    assert "Follow North Ward" in client.get(f"/wards/{NORTH}/priorities/").content.decode()
    r = client.post("/notifications/follow/", {"target_kind": "priority", "target_code": str(p.pk), "next": "/"})
    assert r.status_code == 302


def test_a_support_or_comment_costs_the_same_few_queries_whatever_the_followers(client, use_lake, resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from openbeat.notifications.services import follow_create

    p = propose(resident)
    writer = make_user()
    client.force_login(writer)

    def cost():
        counts = []
        for path, data in ((f"/priorities/{p.pk}/support/", {}), (f"/priorities/{p.pk}/comments/", {"body": "Yes"}),
                           (f"/priorities/{p.pk}/support/withdraw/", {})):
            with CaptureQueriesContext(connection) as q:
                assert client.post(path, data).status_code == 302
            counts.append(len(q.captured_queries))
        return counts

    few = cost()
    for _ in range(20):
        follow_create(user=make_user(), target_kind="priority", target_code=str(p.pk))
    # session, user, the priority, then the write: one statement for a support or its withdrawal;
    # a comment's row and its one queued task in one transaction (a savepoint pair here, inside
    # the test's transaction; begin and commit when served). The followers are the worker's.
    assert cost() == few and few == [4, 7, 4], few


def test_the_comments_are_paged_and_every_link_finds_its_page(client, use_lake, resident, moderator):
    """120 threads (every fourth with two replies) make three pages of 50 threads; a reply
    stays with its comment; a comment's link (where a POST sends its writer, and emails and
    the moderation queue link) opens the page that holds it; the page costs the same few
    queries on every page; a held comment shows on its author's page only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from openbeat.comments.models import Comment
    from openbeat.comments.selectors import COMMENTS_PER_PAGE

    assert COMMENTS_PER_PAGE == 50
    p = propose(resident)
    writers = [make_user() for _ in range(3)]
    # one timestamp for all (bulk_create): the order falls back to the comment's number
    tops = Comment.objects.bulk_create([
        Comment(target_kind="priority", target_id=p.pk, target_url=p.get_absolute_url(), force=p.force,
                author=writers[i % 3], body=f"Top comment {i}") for i in range(120)])
    replies = Comment.objects.bulk_create([
        Comment(target_kind="priority", target_id=p.pk, target_url=p.get_absolute_url(), force=p.force,
                author=writers[(i + k) % 3], parent=tops[i], body=f"Reply {k} to {i}")
        for i in range(0, 120, 4) for k in (1, 2)])
    url = p.get_absolute_url()

    def shown(html: str) -> list[str]:
        import re

        return re.findall(r"<p class=\"govuk-body ob-comment__body\">((?:Top comment|Reply) [^<]+)</p>", html)

    first = client.get(url).content.decode()
    assert shown(first)[:4] == ["Top comment 0", "Reply 1 to 0", "Reply 2 to 0", "Top comment 1"]
    assert [s for s in shown(first) if s.startswith("Top")] == [f"Top comment {i}" for i in range(50)]
    assert "Page 1 of 3, oldest first." in first
    assert 'href="?page=2#comments" rel="next"' in first and 'rel="prev"' not in first
    third = client.get(f"{url}?page=3").content.decode()
    assert [s for s in shown(third) if s.startswith("Top")] == [f"Top comment {i}" for i in range(100, 120)]
    assert "Reply 2 to 116" in third and 'aria-current="page">3</a>' in third and 'rel="next"' not in third
    # a reply's link opens its thread's page, at the reply
    reply = next(r for r in replies if r.body == "Reply 2 to 108")
    assert reply.get_absolute_url() == f"{url}?comment={reply.pk}#comment-{reply.pk}"
    html = client.get(reply.get_absolute_url().split("#")[0]).content.decode()
    assert f'<li id="comment-{reply.pk}">' in html and "Page 3 of 3" in html
    assert "Page 2 of 3" in client.get(f"{url}?comment={tops[50].pk}").content.decode()
    assert "Page 1 of 3" in client.get(f"{url}?comment={tops[49].pk}").content.decode()
    # nonsense asks for the first page, a page past the end for the last
    assert "Page 1 of 3" in client.get(f"{url}?page=x&comment=nope").content.decode()
    assert "Page 3 of 3" in client.get(f"{url}?page=99").content.decode()
    costs = []
    for page in (1, 3):
        with CaptureQueriesContext(connection) as q:
            client.get(f"{url}?page={page}")
        costs.append(len(q.captured_queries))
    assert costs[0] == costs[1], costs
    # a new comment goes to the last page, and the POST sends its writer there
    client.force_login(writers[0])
    r = client.post(f"/priorities/{p.pk}/comments/", {"body": "The newest one"})
    new = Comment.objects.get(body="The newest one")
    assert r["Location"] == f"{url}?comment={new.pk}#comment-{new.pk}"
    assert "The newest one" in client.get(r["Location"]).content.decode()
    # a held comment: on its author's page, not found by anyone else's link
    from openbeat.moderation.services import item_hold

    item_hold(item=new, reason="flood")
    assert f'id="comment-{new.pk}"' in client.get(new.get_absolute_url()).content.decode()
    client.logout()
    html = client.get(new.get_absolute_url()).content.decode()
    assert f'id="comment-{new.pk}"' not in html and "Page 1 of 3" in html


@pytest.mark.django_db(transaction=True)
def test_served_writes_send_only_the_statements_they_need(client, use_lake, settings):
    """As served (no transaction around the request; sessions read from a cache every
    worker shares, as under `openbeat serve`): a support or its withdrawal is the user's
    row, the priority's and one statement that commits by itself; a comment adds its task
    row in one transaction. No session row is read, no BEGIN … COMMIT wraps one statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CACHES = {**settings.CACHES, "sessions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-sessions"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    p = propose(make_user())
    writer = make_user()
    client.force_login(writer)
    spoken = {}
    for name, path, data in (("support", f"/priorities/{p.pk}/support/", {}),
                             ("comment", f"/priorities/{p.pk}/comments/", {"body": "Yes"}),
                             ("withdraw", f"/priorities/{p.pk}/support/withdraw/", {})):
        with CaptureQueriesContext(connection) as q:
            assert client.post(path, data).status_code == 302
        spoken[name] = [s["sql"].split()[0].upper() for s in q.captured_queries]
    assert spoken == {"support": ["SELECT", "SELECT", "INSERT"],
                      "comment": ["SELECT", "SELECT", "BEGIN", "INSERT", "INSERT", "COMMIT"],
                      "withdraw": ["SELECT", "SELECT", "DELETE"]}, spoken
    assert not p.supports.exists() and p.supports.model.objects.count() == 0
