"""Who may write where: every URL that accepts POST, with who may use it.

One row per writing URL. For each row the tests check that
* the CSRF token is enforced (a POST without one is refused with 403), unless the row
  says why not (one-click unsubscribe: mail clients post the signed link itself);
* someone not signed in is sent to the sign-in page (pages) or gets 401 (API);
* someone signed in without the role gets 403;
* someone allowed is not refused.

``test_every_writing_url_is_in_the_table`` finds every URL that accepts POST (by asking
each one) and fails when one is missing here: add a row for every new writing URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.web.community import PASSWORD, person, with_role
from tests.web.conftest import NORTH

#: who: "anyone" (no sign-in needed), "token" (anyone holding a signed link), "signed_in",
#: "administrator", or a role kind ("officer", "panel_chair", "moderator", ...) checked
#: with user_has_role for the row's ward/force.


@dataclass(frozen=True)
class Write:
    name: str  # URL name, with its namespace ("notifications:follow"); "admin:*" for a whole namespace
    who: str
    url: Callable[[], str] | None = None  # default: reverse(name)
    data: dict | Callable[[], dict] = field(default_factory=dict)
    csrf: bool = True
    why_no_csrf: str = ""
    api: bool = False  # API rows answer 401 rather than redirect to sign in
    ward: str = NORTH  # for role rows: where the role is held
    force: str = "testforce"
    allowed: Callable[[], object] | None = None  # who may, when it is not a role (e.g. an attendee)

    def resolve_url(self) -> str:
        return self.url() if self.url else reverse(self.name)

    def body(self) -> dict:
        return self.data() if callable(self.data) else dict(self.data)


def _unsubscribe_url() -> str:
    from openbeat.notifications.emails import unsubscribe_token

    return reverse("notifications:unsubscribe", args=[unsubscribe_token(user=person())])


WRITES: list[Write] = [
    # ---- accounts (part A) ----
    Write("accounts_settings", "signed_in", data={"display_name": "Sam", "notify_frequency": "daily"}),
    Write("accounts_home_ward", "signed_in", data={"ward_code": NORTH}),
    Write("accounts_home_ward_clear", "signed_in"),
    Write("accounts_role_request", "signed_in", data={"kind": "officer", "area": "testforce/N1"}),
    Write("accounts_delete", "signed_in", data={"keep_text": "keep", "password": PASSWORD}),
    Write("notifications:follow", "signed_in", data={"target_kind": "ward", "target_code": NORTH}),
    Write("notifications:unfollow", "signed_in", data={"target_kind": "ward", "target_code": NORTH}),
    Write("notifications:mark_read", "signed_in"),
    Write("notifications:unsubscribe", "token", url=_unsubscribe_url, data={"List-Unsubscribe": "One-Click"},
          csrf=False, why_no_csrf="RFC 8058 one-click: mail clients POST the signed link with no session"),
    # ---- django-allauth: signing in, up and out, passwords, email addresses, two-step sign-in ----
    Write("account_login", "anyone", data={"login": "nobody@example.org", "password": "wrong"}),
    Write("account_signup", "anyone"),
    Write("account_logout", "anyone"),
    Write("account_reset_password", "anyone", data={"email": "nobody@example.org"}),
    Write("account_reset_password_from_key", "token", url=lambda: reverse(
        "account_reset_password_from_key", kwargs={"uidb36": "1", "key": "bad-key"})),
    Write("account_confirm_email", "token", url=lambda: reverse("account_confirm_email", kwargs={"key": "bad"})),
    Write("account_confirm_login_code", "anyone"),
    Write("account_email", "signed_in"),
    Write("account_change_password", "signed_in"),
    Write("account_set_password", "signed_in"),
    Write("account_reauthenticate", "signed_in"),
    Write("account_request_reauthentication_code", "signed_in"),
    Write("account_confirm_reauthentication_code", "signed_in"),
    Write("mfa_authenticate", "anyone"),  # second step of a sign-in in progress
    Write("mfa_reauthenticate", "signed_in"),
    Write("mfa_activate_totp", "signed_in"),
    Write("mfa_deactivate_totp", "signed_in"),
    Write("mfa_generate_recovery_codes", "signed_in"),
    # ---- the Django admin: administrators only (every URL under OPENBEAT_ADMIN_URL) ----
    Write("admin:*", "administrator", url=lambda: reverse("admin:accounts_role_changelist"),
          data={"action": "verify", "_selected_action": []}),
]
#: Part B (priorities, comments, moderation) adds its rows here.


# ---- part B: priorities, comments, moderation ----


def _a_priority(state: str = "proposed") -> int:
    """A fresh priority in North Ward, proposed (or adopted by a chair)."""
    import datetime as dt

    from openbeat.priorities import services

    p = services.priority_propose(user=person(), ward_code=NORTH, title="Burglary on Test Street",
                                  description="Sheds broken into.", crime_types=["Burglary"])
    if state == "adopted":
        chair = person()
        with_role(chair, "panel_chair", area_code=NORTH, force="testforce")
        services.priority_adopt(priority=p, by=chair, until=services.today() + dt.timedelta(days=30))
    return p.pk


def _on(name: str, state: str = "proposed") -> Callable[[], str]:
    return lambda: reverse(name, args=[_a_priority(state)])


def _moderated(name: str) -> Callable[[], str]:
    return lambda: reverse(name, args=["priority", _a_priority()])


def _days_from_today(days: int) -> str:
    import datetime as dt

    from openbeat.priorities.services import today

    return (today() + dt.timedelta(days=days)).isoformat()


WRITES += [
    Write("priorities:propose", "signed_in", url=lambda: reverse("priorities:propose", args=[NORTH]),
          data={"title": "Bikes stolen", "description": "At the station.", "crime_types": ["Bicycle theft"]}),
    Write("priorities:support_add", "signed_in", url=_on("priorities:support_add")),
    Write("priorities:support_withdraw", "signed_in", url=_on("priorities:support_withdraw")),
    Write("priorities:comment_add", "signed_in", url=_on("priorities:comment_add"), data={"body": "Agreed"}),
    Write("priorities:adopt", "panel_chair", url=_on("priorities:adopt"),
          data=lambda: {"until": _days_from_today(60)}),
    Write("priorities:decline", "panel_chair", url=_on("priorities:decline"), data={"reason": "The council's job"}),
    Write("priorities:close", "panel_chair", url=_on("priorities:close", "adopted"),
          data={"outcome": "resolved", "summary": "Done"}),
    Write("priorities:action_add", "officer", url=_on("priorities:action_add", "adopted"),
          data=lambda: {"kind": "action", "text": "Patrols", "happened_on": _days_from_today(0)}),
    Write("moderation:report_create", "signed_in", url=_moderated("moderation:report_create"),
          data={"reason": "Off topic"}),
    Write("moderation:item_hide", "moderator", url=_moderated("moderation:item_hide"), data={"reason": "Off topic"}),
    Write("moderation:item_restore", "moderator", url=_moderated("moderation:item_restore"),
          data={"reason": "Fine after all"}),
    Write("moderation:account_suspend", "moderator",
          url=lambda: reverse("moderation:account_suspend", args=[person().pk]),
          data={"force": "testforce", "reason": "Repeated abuse"}),
    Write("moderation:account_unsuspend", "moderator",
          url=lambda: reverse("moderation:account_unsuspend", args=[person().pk]),
          data={"force": "testforce", "reason": "Appeal upheld"}),
]

# ---- events, feedback and the trust pulse ----

_people: list = []  # the allowed person a row's URL is made for (made first: see _who_can)


def _an_event(days: float = 7, attendee=None) -> int:
    import datetime as dt

    from django.utils import timezone

    from openbeat.events.models import Event, EventWard, Registration

    starts = timezone.now() + dt.timedelta(days=days)
    e = Event.objects.create(title="Ward panel", description="Meet the team", venue="Hall", address="1 Test St",
                             starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=5, force="testforce")
    EventWard.objects.create(event=e, ward_code=NORTH)
    if attendee is not None:
        Registration.objects.create(event=e, user=attendee, status="confirmed", queued_at=starts, attended=True)
    return e.pk


def _attendee():
    u = person()
    _people.append(u)
    return u


def _made_attendee():
    """The person _who_can just made for this row (None when the test made nobody)."""
    from django.contrib.auth import get_user_model

    u = _people.pop() if _people else None
    return u if u is not None and get_user_model().objects.filter(pk=u.pk).exists() else None


def _resident():
    return person(home_ward_code=NORTH)


def _feedback_pk() -> int:
    from openbeat.events.models import Feedback

    f = Feedback.objects.create(event_id=_an_event(-2), rating=4, text="Good")
    return f.pk


WRITES += [
    Write("events:create", "officer", url=lambda: reverse("events:create", args=[NORTH]),
          data=lambda: {"title": "Ward panel", "description": "Hear the plan", "venue": "Hall", "address": "1 St",
                        "starts_at": f"{_days_from_today(3)} 18:00", "ends_at": f"{_days_from_today(3)} 20:00",
                        "capacity": "30", "step_free": "yes", "hearing_loop": "no"}),
    Write("events:register", "signed_in", url=lambda: reverse("events:register", args=[_an_event()])),
    Write("events:cancel", "signed_in", url=lambda: reverse("events:cancel", args=[_an_event()])),
    Write("events:feedback", "attendee", allowed=_attendee,
          url=lambda: reverse("events:feedback", args=[_an_event(-2, attendee=_made_attendee())]),
          data={"rating": "4", "good_job": "good"}),
    Write("events:attendance", "officer", url=lambda: reverse("events:attendance", args=[_an_event(-2)])),
    Write("events:message", "officer", url=lambda: reverse("events:message", args=[_an_event()]),
          data={"subject": "Room change", "body": "Small hall"}),
    Write("events:respond", "officer", url=lambda: reverse("events:respond", args=[_an_event(-2)]),
          data={"text": "We will patrol on Fridays"}),
    Write("events:feedback_approve", "officer", url=lambda: reverse("events:feedback_approve", args=[_feedback_pk()])),
    Write("surveys:answer", "resident of the ward", allowed=_resident,
          url=lambda: reverse("surveys:answer", args=[NORTH]), data={"trust": "fair_amount"}),
]

# ---- progress reviews ----


def _a_review() -> str:
    """A stored review of North Ward (made directly: publishing computes figures from the lake)."""
    from openbeat.reviews.models import Review

    n = Review.objects.filter(area_code=NORTH, quarter="2025-Q4").count() + 1
    r = Review.objects.create(area_code=NORTH, area_name="North Ward", area_level="ward", force="testforce",
                              quarter="2025-Q4", version=n, figures={}, lake_state={}, lake_signature="test")
    return reverse("reviews:comment_add", args=[NORTH, r.quarter, r.version])


WRITES += [
    Write("reviews:publish", "administrator", url=lambda: reverse("reviews:publish", args=[NORTH]),
          data={"quarter": "2025-Q4"}),
    Write("reviews:comment_add", "signed_in", url=_a_review, data={"body": "Thank you"}),
]

#: URLs that answer a POST but only read, each with the reason.
READS_ANSWERING_POST = {
    "api:openapi-json": "django-ninja's OpenAPI document view answers every method; it writes nothing",
    "policeuk:openapi-json": "django-ninja's OpenAPI document view answers every method; it writes nothing",
    "policeuk:api-root": "the police.uk-compatible API's index answers 404 to every method, as police.uk's does",
    # police.uk takes a long polygon by POST (a GET over 4,094 characters is refused); the
    # answer is the same read as the GET, without cookies, session or CSRF.
    "policeuk:crimes-street": "police.uk's POST form of a read: crimes in a polygon",
    "policeuk:outcomes-at-location": "police.uk's POST form of a read: outcomes in a polygon",
    "policeuk:stops-street": "police.uk's POST form of a read: stops in a polygon",
}


def _who_can(row: Write):
    """A signed-in person the row allows, or None for 'anyone'/'token'."""
    if row.who in ("anyone", "token"):
        return None
    if row.allowed is not None:
        return row.allowed()
    u = person()
    if row.who == "administrator":
        with_role(u, "administrator")
        u.refresh_from_db()
    elif row.who != "signed_in":
        with_role(u, row.who, area_code=row.ward, force=row.force)
    return u


def _walk(resolver=None, ns=None):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _walk(p, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), p


def _covered(name: str) -> bool:
    names = {row.name for row in WRITES}
    return name in names or any(n.endswith(":*") and name.startswith(n[:-1]) for n in names)


@pytest.mark.django_db
def test_every_writing_url_is_in_the_table(use_lake):
    """Asks every URL whether it takes a POST (an administrator, no CSRF check, so only the
    view's own method check can refuse); any that does must have a row above."""
    prober = Client()
    admin = person(is_staff=True, is_superuser=True)
    missing, probed = [], 0
    for name, pattern in _walk():
        if _covered(name) or name in READS_ANSWERING_POST:
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None and not hasattr(view_class, "post"):
            continue  # a class-based view with no post(): some answer 404 before checking the method
        groups = list(pattern.pattern.regex.groupindex)
        try:
            url = reverse(name, kwargs={g: "1" for g in groups})
        except Exception:
            missing.append(f"{name} (could not build a URL to ask)")
            continue
        prober.force_login(admin)
        status = prober.post(url).status_code
        probed += 1
        if status != 405:
            missing.append(f"{name} ({url}: POST answered {status})")
    assert probed > 40  # the whole site was asked, not an empty list
    assert missing == [], f"writing URLs missing from WRITES in tests/web/test_write_authorisation.py: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in WRITES if r.csrf], ids=lambda r: r.name)
def test_csrf_is_enforced(row, use_lake):
    client = Client(enforce_csrf_checks=True)
    user = _who_can(row)
    if user is not None:
        client.force_login(user)
    r = client.post(row.resolve_url(), row.body())
    assert r.status_code == 403, (row.name, r.status_code)
    assert b"CSRF" in r.content or b"Forbidden" in r.content or r.status_code == 403


def test_rows_without_csrf_say_why():
    assert all(row.why_no_csrf for row in WRITES if not row.csrf)


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in WRITES if r.who not in ("anyone", "token")], ids=lambda r: r.name)
def test_someone_not_signed_in_is_sent_to_sign_in(row, client, use_lake):
    url = row.resolve_url()
    r = client.post(url, row.body())
    if row.api:
        assert r.status_code == 401
    elif row.who == "administrator":
        # the admin sends people to the site's own sign-in (allauth), through its login page
        assert r.status_code == 302 and r["Location"].startswith(("/accounts/login/", f"/{_admin()}login/"))
    else:
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next="), r.get("Location")


def _admin() -> str:
    from django.conf import settings

    return settings.OPENBEAT_ADMIN_URL


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in WRITES if r.who not in ("anyone", "token", "signed_in")],
                         ids=lambda r: r.name)
def test_someone_without_the_role_is_refused(row, client, use_lake):
    client.force_login(person())
    r = client.post(row.resolve_url(), row.body())
    if row.who == "administrator":
        r = client.get(r["Location"]) if r.status_code == 302 else r  # admin login → allauth's guard
    assert r.status_code == 403, (row.name, r.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in WRITES if r.who not in ("anyone", "token")], ids=lambda r: r.name)
def test_someone_allowed_is_not_refused(row, client, use_lake):
    client.force_login(_who_can(row))
    r = client.post(row.resolve_url(), row.body())
    assert r.status_code not in (401, 403, 405), (row.name, r.status_code)
    if r.status_code == 302:
        assert not r["Location"].startswith("/accounts/login/"), (row.name, r["Location"])


@pytest.mark.django_db
def test_a_suspended_person_is_refused_by_role_rows(client, use_lake):
    from django.utils import timezone

    admin = _who_can(Write("admin:*", "administrator"))
    admin.suspended_at = timezone.now()
    admin.save()
    client.force_login(admin)
    r = client.post(reverse("admin:accounts_role_changelist"), {})
    assert r.status_code == 302 and "login" in r["Location"]
