"""Writes about accounts: roles, home ward, preferences, export and deletion."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from openbeat.accounts import privacy
from openbeat.accounts.models import Role, User


@transaction.atomic
def role_create(*, user: User, kind: str, area_code: str = "", force: str = "",
                verified_by: User | None = None) -> Role:
    if kind not in Role.Kind.values:
        raise ValidationError(f"{kind!r} is not a role; choose one of {', '.join(Role.Kind.values)}")
    role, _ = Role.objects.get_or_create(user=user, kind=kind, area_code=area_code, force=force)
    if verified_by is not None and role.verified_at is None:
        role = role_verify(role=role, by=verified_by)
    return role


@transaction.atomic
def role_request(*, user: User, kind: str, area_code: str, force: str) -> Role:
    """Ask for an officer or ward panel role; it counts once an administrator verifies it."""
    if kind not in (Role.Kind.OFFICER, Role.Kind.PANEL_MEMBER, Role.Kind.PANEL_CHAIR):
        raise ValidationError("Moderators and administrators are appointed by an administrator.")
    return role_create(user=user, kind=kind, area_code=area_code, force=force)


@transaction.atomic
def role_verify(*, role: Role, by: User) -> Role:
    role.verified_by = by
    role.verified_at = timezone.now()
    role.save(update_fields=["verified_by", "verified_at"])
    if role.kind == Role.Kind.ADMINISTRATOR:
        _administrator_sync(user=role.user)
    return role


@transaction.atomic
def role_unverify(*, role: Role) -> Role:
    role.verified_by = None
    role.verified_at = None
    role.save(update_fields=["verified_by", "verified_at"])
    if role.kind == Role.Kind.ADMINISTRATOR:
        _administrator_sync(user=role.user)
    return role


@transaction.atomic
def account_suspend(*, by: User, user: User, reason: str) -> User:
    """Suspend ``user``'s account: it can no longer post, support, report or act in any
    role (``user_has_role`` gives a suspended user none) until the suspension is lifted.
    ``by`` is who decided (a moderator or an administrator: the caller checks their right
    and writes the audit entry, e.g. ``openbeat.moderation.services.account_suspend``).
    Suspending an already suspended account keeps its first date."""
    if not (reason or "").strip():
        raise ValidationError("Give a reason for the suspension.")
    if user.pk == by.pk:
        raise ValidationError("You cannot suspend your own account.")
    if user.is_staff or Role.objects.filter(user=user, kind=Role.Kind.ADMINISTRATOR,
                                            verified_at__isnull=False).exists():
        raise PermissionDenied("An administrator's account cannot be suspended; an administrator "
                               "removes the administrator role first.")
    User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(suspended_at=timezone.now())
    user.refresh_from_db(fields=["suspended_at"])
    return user


@transaction.atomic
def account_unsuspend(*, by: User, user: User, reason: str) -> User:
    """Lift ``user``'s suspension (the caller checks ``by``'s right and writes the audit entry)."""
    if not (reason or "").strip():
        raise ValidationError("Give a reason for lifting the suspension.")
    User.objects.filter(pk=user.pk).update(suspended_at=None)
    user.refresh_from_db(fields=["suspended_at"])
    return user


def _administrator_sync(*, user: User) -> None:
    # the Django admin (and allauth's guard in front of it) knows only is_staff: an
    # administrator role verified by another administrator is what grants it
    is_admin = Role.objects.filter(user=user, kind=Role.Kind.ADMINISTRATOR, verified_at__isnull=False).exists()
    user.is_staff = user.is_superuser = is_admin
    user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def user_home_ward_set(*, user: User, ward_code: str, follow: bool = True) -> User:
    """Set (or with ``ward_code=""`` clear) the home ward; a new home ward is followed too.
    The caller checks the code names a ward (``openbeat.areas.lookup.area_get``)."""
    user.home_ward_code = ward_code
    user.save(update_fields=["home_ward_code"])
    if ward_code and follow:
        from openbeat.notifications.services import follow_create

        follow_create(user=user, target_kind="ward", target_code=ward_code)
    return user


@transaction.atomic
def user_profile_update(*, user: User, display_name: str, notify_frequency: str) -> User:
    if notify_frequency not in User.NotifyFrequency.values:
        raise ValidationError(f"{notify_frequency!r} is not a choice")
    user.display_name = display_name.strip()
    user.notify_frequency = notify_frequency
    user.save(update_fields=["display_name", "notify_frequency"])
    return user


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def account_export(*, user: User) -> dict:
    """Everything OpenBeat keeps about ``user``, JSON-ready (two-step sign-in by kind only:
    its secrets stay secret)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    data = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "home_ward_code": user.home_ward_code,
            "notify_frequency": user.notify_frequency,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "suspended_at": _iso(user.suspended_at),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "two_step_sign_in": sorted({a.type for a in Authenticator.objects.filter(user=user)}),
        "roles": [
            {"kind": r.kind, "area_code": r.area_code, "force": r.force,
             "verified_at": _iso(r.verified_at), "created_at": _iso(r.created_at)}
            for r in Role.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }
    for part in privacy.registered():
        data[part.name] = part.export(user=user)
    return data


@transaction.atomic
def account_delete(*, user: User, keep_text: bool) -> None:
    """Delete ``user``. Every registered app first erases its part: supports and follows
    go; text stays as "a former resident" (``keep_text``) or is removed."""
    for part in privacy.registered():
        part.erase(user=user, keep_text=keep_text)
    user.delete()
