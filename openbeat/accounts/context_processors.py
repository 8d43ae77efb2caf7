"""What the layout's account header needs, per person (drawn only in answers that are not
shared: ``account_nav_inline``, :mod:`openbeat.web.context_processors`)."""

from __future__ import annotations

from django.http import HttpRequest


def account_nav(request: HttpRequest) -> dict:
    # called (by the template) only where the header is drawn inline
    return {
        "account_unread": lambda: _unread(request),
        "account_team": lambda: _team(request),
    }


def _unread(request: HttpRequest) -> int:
    from openbeat.notifications.selectors import notification_unread_count

    user = getattr(request, "user", None)
    return notification_unread_count(user=user) if user is not None and user.is_authenticated else 0


def _team(request: HttpRequest) -> bool:
    """Does the header offer this person the neighbourhood team's page (verified officers and
    ward panel members)? Per person: drawn only in uncached answers."""
    from openbeat.accounts.selectors import TEAM_KINDS, user_has_role

    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and user_has_role(user=user, kinds=TEAM_KINDS)
