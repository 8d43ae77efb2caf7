"""Reads about follows and notifications."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from openbeat.notifications.models import Follow, Notification

#: How to check that a target exists and name it: kind -> (code -> name or None).
#: Wards and areas are checked here; other apps add theirs (priorities, reviews) with
#: :func:`target_kind_register` from their ``AppConfig.ready``.
_TARGETS: dict[str, Callable[[str], str | None]] = {}


def target_kind_register(kind: str, name_of: Callable[[str], str | None]) -> None:
    _TARGETS[kind] = name_of


def _area_name(code: str, *, ward: bool) -> str | None:
    from openbeat.areas.lookup import area_get

    area = area_get(code=code)
    if area is None or (ward and area.level != "ward"):
        return None
    return area.name


target_kind_register("ward", lambda code: _area_name(code, ward=True))
target_kind_register("area", lambda code: _area_name(code, ward=False))


def target_name(*, target_kind: str, target_code: str) -> str | None:
    """The target's name, or None when there is no such target (or its kind is unknown)."""
    name_of = _TARGETS.get(target_kind)
    return name_of(target_code) if name_of is not None else None


def follow_list(*, user) -> list[dict]:
    return [{"target_kind": f.target_kind, "target_code": f.target_code,
             "name": target_name(target_kind=f.target_kind, target_code=f.target_code) or f.target_code}
            for f in Follow.objects.filter(user=user).order_by("target_kind", "created_at", "pk")]


def follow_exists(*, user, target_kind: str, target_code: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, target_kind=target_kind, target_code=str(target_code)).exists()


def follower_count(*, target_kind: str, target_code: str) -> int:
    return Follow.objects.filter(target_kind=target_kind, target_code=str(target_code)).count()


def notification_list(*, user, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
