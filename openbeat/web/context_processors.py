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
    }
