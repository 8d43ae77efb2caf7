"""Reads about accounts: who holds which role where."""

from __future__ import annotations

from django.db.models import QuerySet

from openbeat.accounts.models import Role, User

#: Roles whose ``area_code`` names a ward or a police.uk neighbourhood.
AREA_ROLES = {Role.Kind.OFFICER, Role.Kind.PANEL_MEMBER, Role.Kind.PANEL_CHAIR}


#: The roles whose holders work with a neighbourhood team and see its page (/team/).
TEAM_KINDS = frozenset({"officer", "panel_chair", "panel_member"})


def user_is_suspended(*, user) -> bool:
    return bool(getattr(user, "suspended_at", None))


def _is_administrator(user) -> bool:
    return bool(user.is_staff) or Role.objects.filter(
        user=user, kind=Role.Kind.ADMINISTRATOR, verified_at__isnull=False).exists()


def _covers_ward(role: Role, ward_code: str) -> bool:
    if role.area_code == ward_code:
        return True
    if role.kind in AREA_ROLES and role.force:
        # an officer is verified for a police.uk neighbourhood; it covers the ward it covers most of
        from openbeat.areas.teams import neighbourhood_ward

        return neighbourhood_ward(force=role.force, neighbourhood_id=role.area_code) == ward_code
    return False


def user_has_role(*, user, kinds: set[str], ward_code: str | None = None, force: str | None = None) -> bool:
    """Does ``user`` hold a verified role of one of ``kinds`` (for ``ward_code`` / ``force``
    when given)? A suspended user holds none; an administrator (``is_staff`` or a verified
    administrator role) holds every role everywhere."""
    if user is None or not user.is_authenticated or not user.is_active or user_is_suspended(user=user):
        return False
    if _is_administrator(user):
        return True
    roles = Role.objects.filter(user=user, kind__in=set(kinds), verified_at__isnull=False)
    if force is not None:
        roles = roles.filter(force=force)
    if ward_code is None:
        return roles.exists()
    return any(_covers_ward(role, ward_code) for role in roles)


def role_list(*, user: User, verified: bool | None = True) -> QuerySet[Role]:
    roles = Role.objects.filter(user=user).order_by("kind", "force", "area_code")
    if verified is not None:
        roles = roles.filter(verified_at__isnull=not verified)
    return roles


_BADGES = {Role.Kind.OFFICER: "Verified officer", Role.Kind.PANEL_CHAIR: "Ward panel chair",
           Role.Kind.PANEL_MEMBER: "Ward panel member", Role.Kind.MODERATOR: "Moderator"}


def user_badges(*, user: User) -> list[str]:
    """What to show beside someone's name: "Verified officer", "Ward panel chair", ...
    (found once for many people by :func:`users_badges`)."""
    if user is None:
        return []
    known = getattr(user, "known_badges", None)
    if known is not None:
        return known
    kinds = {r.kind for r in role_list(user=user)}
    return [label for kind, label in _BADGES.items() if kind in kinds]


def users_badges(*, users) -> None:
    """Find the badges of all ``users`` in one query, kept on each (``known_badges``) for
    :func:`user_badges`: a page listing many people's words asks once, not once a person."""
    users = [u for u in users if u is not None]
    kinds: dict[int, set[str]] = {u.pk: set() for u in users}
    for user_id, kind in Role.objects.filter(user_id__in=list(kinds), verified_at__isnull=False).values_list(
            "user_id", "kind"):
        kinds[user_id].add(kind)
    for u in users:
        u.known_badges = [label for kind, label in _BADGES.items() if kind in kinds[u.pk]]


def role_area_find(*, text: str) -> tuple[str, str, str] | None:
    """(area_code, force, name) for what someone typed as where they hold a role: a ward's
    code or exact name, or a police.uk neighbourhood as ``force/id`` or its page address."""
    import re

    from openbeat.areas import lookup, teams

    text = text.strip()
    hood = re.search(r"(?:neighbourhoods/)?([a-z0-9-]+)/([A-Za-z0-9_-]+)/?$", text)
    if hood:
        force, nid = hood[1], hood[2]
        ward_code = teams.neighbourhood_ward(force=force, neighbourhood_id=nid)
        ward = lookup.area_get(code=ward_code) if ward_code else None
        return (nid, force, f"neighbourhood {force}/{nid} ({ward.name})") if ward else None
    ward = lookup.area_get(code=text)
    if ward is None:
        found, _ = lookup.area_list(level="ward", q=text, limit=2)
        exact = [a for a in found if a.name.lower() == text.lower()]
        ward = exact[0] if len(exact) == 1 else (found[0] if len(found) == 1 else None)
    if ward is None or ward.level != "ward":
        return None
    team = teams.area_team(area=ward)
    return ward.code, team.force if team else "", ward.name
