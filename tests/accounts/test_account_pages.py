"""Account pages over the Testborough lake: signing up and in (django-allauth), the header's
per-person links outside the answer cache, home ward, follow, data download and deletion,
the admin's officer verification, escaping of what people write, and the demo's accounts."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import caches

from tests.web.community import PASSWORD, person, with_role
from tests.web.conftest import NORTH
from tests.areas.test_pages import text

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>&"\''
XSS_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#x27;"


def test_sign_up_confirm_the_email_then_sign_in(client, mailoutbox, settings):
    settings.OPENBEAT_SITE_URL = "http://testserver"
    r = client.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/accounts/confirm-email/"
    [message] = mailoutbox
    assert message.to == ["new@example.org"] and message.subject.startswith("OpenBeat: ")
    link = re.search(r"http://testserver(/accounts/confirm-email/[^/\s]+/)", message.body)[1]
    # not confirmed yet: signing in sends the confirmation again rather than letting them in
    client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.post(link).status_code == 302
    r = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert r.status_code == 302 and client.session["_auth_user_id"]


def test_repeated_failed_sign_ins_are_limited(client):
    caches["default"].clear()  # rate limits count per address too: start from none
    person(email="target@example.org")
    pages = [client.post("/accounts/login/", {"login": "target@example.org", "password": f"wrong {i}"})
             for i in range(6)]
    assert [p.status_code for p in pages] == [200] * 6
    assert "Too many failed login attempts" not in text(pages[4])
    assert "Too many failed login attempts" in text(pages[5])  # 5 per 5 minutes per account
    r = client.post("/accounts/login/", {"login": "target@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session, r.status_code


def test_sign_in_page_uses_the_site_layout(client):
    r = client.get("/accounts/login/")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<h1 class="govuk-heading-xl">' in html and 'class="govuk-input' in html
    assert "<title>Sign In – OpenBeat</title>" in re.sub(r"\s+", " ", html).replace("<title> ", "<title>")
    assert 'class="ob-account-nav"' in html and ">Sign in</a>" in html


def test_cached_pages_name_nobody_and_fetch_the_header(client, use_lake):
    caches["answers"].clear()
    someone = person(display_name="Zed Unique-Name")
    client.force_login(someone)
    signed_in = client.get(f"/areas/{NORTH}/")
    assert signed_in.status_code == 200
    assert len(caches["answers"]._cache) == 1  # kept: the page read no session while signed in
    html = signed_in.content.decode()
    assert "Zed Unique-Name" not in html and "Sign out" not in html and "csrfmiddlewaretoken" not in html
    assert 'data-ob-fragment="/accounts/nav/"' in html
    assert 'data-ob-fragment="/notifications/follow-button/?target_kind=ward&amp;target_code=X05000001"' in html
    client.logout()
    anonymous = client.get(f"/areas/{NORTH}/")
    assert anonymous.content == signed_in.content  # one answer for everyone, kept once
    assert len(caches["answers"]._cache) == 1


def test_header_fragment_is_per_person_and_never_stored(client):
    anon = client.get("/accounts/nav/", {"next": "/areas/X05000001/"})
    assert "no-store" in anon["Cache-Control"] and "private" in anon["Cache-Control"]
    assert 'href="/accounts/login/?next=/areas/X05000001/"' in anon.content.decode()
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.services import follow_create

    kim = person(display_name="Kim")
    client.force_login(kim)
    mine = client.get("/accounts/nav/").content.decode()
    assert "Signed in as <strong>Kim</strong>" in mine and ">Notifications</a>" in mine
    follow_create(user=kim, target_kind="ward", target_code=NORTH)
    for _ in range(2):
        notification_send(target_kind="ward", target_code=NORTH, subject="s", body="b", url="/")
    mine = client.get("/accounts/nav/").content.decode()
    assert 'Notifications <span class="ob-account-nav__count">(2<span class="govuk-visually-hidden"> new</span>)' in mine
    assert 'Notifications <span class="ob-account-nav__count">(2' in client.get("/accounts/settings/").content.decode()
    assert 'action="/accounts/logout/"' in mine and "csrfmiddlewaretoken" in mine


def test_officers_find_their_team_page_in_the_header_fragment_only(client, use_lake):
    caches["answers"].clear()
    officer = person(display_name="PC Team")
    with_role(officer, "officer", area_code=NORTH, force="testforce")
    resident = person(display_name="Res")
    team_link = '<a class="ob-account-nav__link" href="/team/">Your team</a>'
    client.force_login(resident)
    assert team_link not in client.get("/accounts/nav/").content.decode()
    client.force_login(officer)
    assert team_link in client.get("/accounts/nav/").content.decode()
    assert team_link in client.get("/accounts/settings/").content.decode()  # an uncached page draws it inline
    assert client.get("/team/").status_code == 200
    page = client.get(f"/areas/{NORTH}/").content.decode()  # the kept page: the same for everyone
    assert "/team/" not in page and 'data-ob-fragment="/accounts/nav/"' in page
    # a suspended officer holds no role: no link
    from openbeat.accounts.services import account_suspend

    account_suspend(by=person(is_staff=True), user=officer, reason="test")
    assert team_link not in client.get("/accounts/nav/").content.decode()


def test_the_follow_button_fragment_and_following_a_ward(client, use_lake):
    from openbeat.notifications.models import Follow

    url = "/notifications/follow-button/"
    q = {"target_kind": "ward", "target_code": NORTH, "next": f"/areas/{NORTH}/"}
    assert "Sign in to follow North Ward" in text(client.get(url, q))
    assert client.get(url, {**q, "target_code": "X99"}).status_code == 404
    u = person()
    client.force_login(u)
    assert "Follow North Ward" in text(client.get(url, q))
    assert "Follow North Ward?" in text(client.get("/notifications/follow/", q))  # the no-JavaScript way
    r = client.post("/notifications/follow/", q)
    assert (r.status_code, r["Location"]) == (302, f"/areas/{NORTH}/")
    assert Follow.objects.filter(user=u, target_kind="ward", target_code=NORTH).exists()
    assert "Unfollow North Ward" in text(client.get(url, q))
    r = client.post("/notifications/unfollow/", {**q, "next": "https://evil.example/"})
    assert r["Location"] == "/notifications/"  # never off-site
    assert not Follow.objects.filter(user=u).exists()
    assert client.post("/notifications/follow/", {"target_kind": "ward", "target_code": "nowhere"}).status_code == 400


def test_home_ward_through_the_sites_own_search(client, use_lake):
    u = person()
    client.force_login(u)
    page = client.get("/accounts/home-ward/", {"q": "TE1 1ST"})
    assert "Is this your ward?" in text(page) and "Set North Ward as your home ward" in text(page)
    assert "No area is called “Nowhere at all”" in text(client.get("/accounts/home-ward/", {"q": "Nowhere at all"}))
    r = client.post("/accounts/home-ward/", {"ward_code": NORTH})
    assert (r.status_code, r["Location"]) == (302, "/accounts/settings/")
    u.refresh_from_db()
    assert u.home_ward_code == NORTH and u.follows.get().target_code == NORTH
    settings_page = text(client.get("/accounts/settings/"))
    assert "Your home ward is North Ward." in settings_page
    assert "Success Your home ward is North Ward. You now follow it." in settings_page  # the message
    r = client.post("/accounts/home-ward/", {"ward_code": "X01000001"}, follow=True)  # an LSOA, not a ward
    assert "Important Choose a ward from the list." in text(r)
    u.refresh_from_db()
    assert u.home_ward_code == NORTH


def test_settings_save_the_public_name_and_email_frequency(client):
    u = person()
    client.force_login(u)
    r = client.post("/accounts/settings/", {"display_name": "  Sam  ", "notify_frequency": "daily"})
    assert r.status_code == 302
    u.refresh_from_db()
    assert (u.display_name, u.notify_frequency) == ("Sam", "daily")
    r = client.post("/accounts/settings/", {"display_name": "", "notify_frequency": "hourly"})
    assert r.status_code == 200 and "govuk-error-message" in r.content.decode()
    assert "no-store" in r["Cache-Control"]


def test_download_your_data(client):
    u = person(email="me@example.org", display_name="Me")
    client.force_login(u)
    r = client.get("/accounts/my-data.json")
    assert r["Content-Type"] == "application/json" and "no-store" in r["Cache-Control"]
    assert re.fullmatch(r'attachment; filename="openbeat-my-data-\d{4}-\d\d-\d\d\.json"', r["Content-Disposition"])
    data = json.loads(r.content)
    assert data["account"]["email"] == "me@example.org" and set(data) >= {"account", "roles", "notifications"}


def test_deleting_the_account_needs_the_password(client):
    from django.contrib.auth import get_user_model

    u = person(email="going@example.org")
    client.force_login(u)
    r = client.post("/accounts/delete/", {"keep_text": "remove", "password": "not it"})
    assert r.status_code == 200 and "The password is not right." in text(r)
    assert get_user_model().objects.filter(pk=u.pk).exists()
    r = client.post("/accounts/delete/", {"keep_text": "remove", "password": PASSWORD})
    assert (r.status_code, r["Location"]) == (302, "/accounts/deleted/")
    assert not get_user_model().objects.filter(pk=u.pk).exists()
    assert "_auth_user_id" not in client.session


def test_an_administrator_verifies_an_officer_in_the_admin_and_the_badge_shows(client):
    from openbeat.accounts.models import Role

    admin = person()
    with_role(admin, "administrator")
    officer = person()
    role = with_role(officer, "officer", area_code="N1", force="testforce", verified=False)
    client.force_login(admin)
    r = client.post("/admin/accounts/role/", {"action": "verify", "_selected_action": [role.pk]})
    assert r.status_code == 302
    role = Role.objects.get(pk=role.pk)
    assert role.verified_by == admin and role.verified_at is not None
    client.force_login(officer)
    assert "Verified officer" in text(client.get("/accounts/settings/"))


def test_what_people_write_is_escaped_everywhere_it_shows(client):
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.services import follow_create

    u = person(display_name=XSS)
    follow_create(user=u, target_kind="ward", target_code=NORTH)
    notification_send(target_kind="ward", target_code=NORTH, subject=XSS, body=XSS, url="/")
    client.force_login(u)
    for url in ("/accounts/nav/", "/accounts/settings/", "/notifications/"):
        html = client.get(url).content.decode()
        assert XSS not in html and "<script>alert" not in html, url
        assert XSS_ESCAPED in html, url
    # and in the email's HTML part
    from django.core import mail

    from openbeat.notifications.emails import notifications_email
    from openbeat.notifications.models import Notification

    notifications_email(notification_ids=list(Notification.objects.filter(user=u).values_list("pk", flat=True)))
    [(html, _)] = mail.outbox[-1].alternatives
    assert XSS not in html and "<script>alert" not in html and XSS_ESCAPED in html


def test_the_demo_seeds_one_account_per_role_and_lists_them(client, demo_lake, settings):
    from openbeat.accounts.demo import DEMO_PASSWORD, demo_accounts, demo_accounts_seed
    from openbeat.accounts.selectors import user_has_role

    settings.OPENBEAT_DEMO = True
    line = demo_accounts_seed()
    assert line.startswith("demo accounts: 13 synthetic people in northbridge")
    demo_accounts_seed()  # again: nothing new
    accounts = demo_accounts()
    roles = [a.role for a in accounts]
    assert {r: roles.count(r) for r in set(roles)} == {
        "Administrator": 1, "Resident": 7, "Verified officer": 2, "Ward panel chair": 1, "Ward panel member": 1,
        "Moderator": 1}  # the 7th resident is the officer still waiting to be verified
    assert all("synthetic" in a.display_name for a in accounts)
    page = text(client.get("/accounts/demo/"))
    assert DEMO_PASSWORD in page and "moderator@northbridge.example" in page and "officer1@northbridge.example" in page
    assert "/accounts/demo/" in client.get("/about/").content.decode()
    r = client.post("/accounts/login/", {"login": "officer1@northbridge.example", "password": DEMO_PASSWORD})
    assert r.status_code == 302
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(email="officer1@northbridge.example")
    assert user_has_role(user=officer, kinds={"officer"}, ward_code=officer.follows.get().target_code)
    settings.OPENBEAT_DEMO = False
    assert client.get("/accounts/demo/").status_code == 404


def test_every_listed_demo_account_signs_in_with_the_demo_password(client, demo_lake, settings):
    """Other demos add synthetic people to the same domain who never sign in (the events
    demo's attendees: no usable password); the page that says every account signs in with the
    demo password lists only those that do."""
    from django.contrib.auth import get_user_model

    from openbeat.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_accounts, demo_accounts_seed

    settings.OPENBEAT_DEMO = True
    demo_accounts_seed()
    get_user_model().objects.create_user(email=f"attendee1@{DEMO_DOMAIN}", password=None,
                                         display_name="Attendee (synthetic)")
    accounts = demo_accounts()
    assert len(accounts) == 13 and f"attendee1@{DEMO_DOMAIN}" not in [a.email for a in accounts]
    assert f"attendee1@{DEMO_DOMAIN}" not in text(client.get("/accounts/demo/"))
    for a in accounts:
        r = client.post("/accounts/login/", {"login": a.email, "password": DEMO_PASSWORD})
        assert r.status_code == 302 and client.session["_auth_user_id"], a.email
        client.logout()


def test_an_officer_asks_for_a_role_and_it_waits_for_an_administrator(client, use_lake):
    from openbeat.accounts.models import Role
    from openbeat.accounts.selectors import user_has_role

    u = person()
    client.force_login(u)
    r = client.post("/accounts/roles/request/", {"kind": "officer", "area": "/neighbourhoods/testforce/N1/"},
                    follow=True)
    assert "You asked to be police officer or PCSO in a neighbourhood team for neighbourhood testforce/N1 " \
           "(North Ward). An administrator will check and verify it." in text(r)
    role = Role.objects.get(user=u)
    assert (role.kind, role.area_code, role.force, role.verified_at) == ("officer", "N1", "testforce", None)
    assert not user_has_role(user=u, kinds={"officer"}, ward_code=NORTH)
    assert "Waiting for an administrator" in text(r)
    r = client.post("/accounts/roles/request/", {"kind": "panel_chair", "area": "north ward"}, follow=True)
    assert "You asked to be ward panel chair for North Ward." in text(r)
    assert Role.objects.filter(user=u, kind="panel_chair", area_code=NORTH, force="testforce").exists()
    r = client.post("/accounts/roles/request/", {"kind": "moderator", "area": "north ward"}, follow=True)
    assert "We could not find that ward or neighbourhood" in text(r)  # moderators are appointed
    r = client.post("/accounts/roles/request/", {"kind": "officer", "area": "Atlantis"}, follow=True)
    assert "We could not find that ward or neighbourhood" in text(r)
    assert Role.objects.filter(user=u).count() == 2
