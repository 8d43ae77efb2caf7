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
        # the header's per-person parts: openbeat.accounts.context_processors.account_nav
    }
