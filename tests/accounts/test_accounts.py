"""Accounts on a real database: the user model, roles and who holds them, export and deletion."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.web.community import PASSWORD, person, with_role
from tests.web.conftest import NORTH, SOUTH

pytestmark = pytest.mark.django_db


def test_email_is_the_sign_in_and_unique():
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    User = get_user_model()
    assert User.USERNAME_FIELD == "email"
    u = User.objects.create_user(email="Someone@Example.org", password=PASSWORD)
    assert (u.email, u.username) == ("Someone@example.org", "Someone@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="Someone@example.org", password=PASSWORD)
    # shown by display name, never by email
    assert str(u) == f"Resident {u.pk}"
    u.display_name = "Sam"
    assert str(u) == "Sam"


def test_only_verified_roles_count():
    from openbeat.accounts.selectors import user_has_role

    officer = person()
    role = with_role(officer, "officer", area_code=NORTH, force="testforce", verified=False)
    assert role.verified_at is None
    assert not user_has_role(user=officer, kinds={"officer"}, ward_code=NORTH)
    from openbeat.accounts.services import role_verify

    role_verify(role=role, by=person(is_staff=True))
    assert user_has_role(user=officer, kinds={"officer"}, ward_code=NORTH)
    assert user_has_role(user=officer, kinds={"officer"})
    assert user_has_role(user=officer, kinds={"officer"}, force="testforce")
    assert not user_has_role(user=officer, kinds={"officer"}, force="otherforce")
    assert not user_has_role(user=officer, kinds={"officer"}, ward_code=SOUTH)
    assert not user_has_role(user=officer, kinds={"moderator", "panel_chair"})


def test_an_officer_verified_for_a_neighbourhood_holds_its_ward(use_lake):
    from openbeat.accounts.selectors import user_has_role

    officer = person()
    with_role(officer, "officer", area_code="N1", force="testforce")  # North Team covers North Ward
    assert user_has_role(user=officer, kinds={"officer"}, ward_code=NORTH)
    assert not user_has_role(user=officer, kinds={"officer"}, ward_code=SOUTH)


def test_a_suspended_user_holds_no_role_and_an_administrator_holds_every_role():
    from openbeat.accounts.selectors import user_has_role, user_is_suspended

    chair = person()
    with_role(chair, "panel_chair", area_code=NORTH, force="testforce")
    assert user_has_role(user=chair, kinds={"panel_chair"}, ward_code=NORTH)
    chair.suspended_at = timezone.now()
    chair.save()
    assert user_is_suspended(user=chair)
    assert not user_has_role(user=chair, kinds={"panel_chair"}, ward_code=NORTH)

    staff = person(is_staff=True)
    assert user_has_role(user=staff, kinds={"officer"}, ward_code=SOUTH, force="anyforce")
    admin = person()
    assert not user_has_role(user=admin, kinds={"moderator"})
    with_role(admin, "administrator")
    admin.refresh_from_db()
    assert admin.is_staff  # the Django admin lets verified administrators in
    assert user_has_role(user=admin, kinds={"moderator"}, force="testforce")

    from django.contrib.auth.models import AnonymousUser

    assert not user_has_role(user=AnonymousUser(), kinds={"officer"})


def test_withdrawing_an_administrator_role_takes_the_admin_away():
    from openbeat.accounts.services import role_unverify

    admin = person()
    role = with_role(admin, "administrator")
    role_unverify(role=role)
    admin.refresh_from_db()
    assert (admin.is_staff, admin.is_superuser) == (False, False)


def test_badges_name_verified_roles_only():
    from openbeat.accounts.selectors import user_badges

    officer = person()
    with_role(officer, "officer", area_code="N1", force="testforce")
    with_role(officer, "panel_member", area_code=NORTH, force="testforce", verified=False)
    assert user_badges(user=officer) == ["Verified officer"]


def test_export_holds_everything_kept_about_the_person():
    from openbeat.accounts.services import account_export, user_home_ward_set
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.services import follow_create

    resident = person(display_name="Amira", email="amira@example.org")
    user_home_ward_set(user=resident, ward_code=NORTH)
    follow_create(user=resident, target_kind="ward", target_code=NORTH)
    with_role(resident, "panel_member", area_code=NORTH, force="testforce")
    assert notification_send(target_kind="ward", target_code=NORTH, subject="New priority",
                             body="Speeding on the High Street", url="/areas/X05000001/") == 1
    data = json.loads(json.dumps(account_export(user=resident)))  # JSON-ready
    assert data["account"]["email"] == "amira@example.org"
    assert data["account"]["display_name"] == "Amira"
    assert data["account"]["home_ward_code"] == NORTH
    assert data["email_addresses"] == [{"email": "amira@example.org", "verified": True, "primary": True}]
    assert data["two_step_sign_in"] == []
    assert [(r["kind"], r["area_code"]) for r in data["roles"]] == [("panel_member", NORTH)]
    assert [(f["target_kind"], f["target_code"]) for f in data["notifications"]["follows"]] == [("ward", NORTH)]
    assert [n["subject"] for n in data["notifications"]["notifications"]] == ["New priority"]


def test_deleting_an_account_runs_every_registered_erasure():
    from django.contrib.auth import get_user_model

    from openbeat.accounts import privacy
    from openbeat.accounts.services import account_delete
    from openbeat.notifications.delivery import notification_send
    from openbeat.notifications.models import Follow, Notification
    from openbeat.notifications.services import follow_create

    seen = []
    privacy.register("test-part", export=lambda *, user: [], erase=lambda *, user, keep_text: seen.append(
        (user.email, keep_text)))
    try:
        resident = person(email="leaving@example.org")
        other = person()
        for u in (resident, other):
            follow_create(user=u, target_kind="ward", target_code=NORTH)
        notification_send(target_kind="ward", target_code=NORTH, subject="s", body="b", url="/")
        account_delete(user=resident, keep_text=True)
    finally:
        privacy._registry.pop("test-part")
    assert seen == [("leaving@example.org", True)]
    assert not get_user_model().objects.filter(email="leaving@example.org").exists()
    assert list(Follow.objects.values_list("user_id", flat=True)) == [other.pk]
    assert list(Notification.objects.values_list("user_id", flat=True)) == [other.pk]
