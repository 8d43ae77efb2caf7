"""What every page's layout needs: the demo flag and where the data comes from."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

import openbeat


def site(request: HttpRequest) -> dict:
    return {
        "site_name": "OpenBeat",
        "openbeat_version": openbeat.__version__,
        "demo": settings.OPENBEAT_DEMO,
        # a lake-cached answer is shared by everyone: its header must not name anyone
        # (and reading the session would also stop it being cached)
        "account_nav_inline": not getattr(request, "openbeat_lake_cached", False),
        # called (by the template) only where the header is drawn inline
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
