"""What every writing view of the community apps shares: who may write, and the refusals.

``writer_required`` sends anonymous visitors to sign in and refuses suspended accounts
(403, with the reason in plain words). ``forbidden`` and ``too_many`` render the 403 and
429 pages in the site's layout.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openbeat.accounts.selectors import user_is_suspended
from openbeat.moderation.ratelimits import RateLimited


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "moderation/refused.html",
                  {"title": "You cannot do that", "message": message}, status=403)


def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = render(request, "moderation/refused.html",
                      {"title": "Please slow down", "message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def writer_required(view):
    """Signed in (else the sign-in page, then back) and not suspended (else 403)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if user_is_suspended(user=request.user):
            return forbidden(request, "Your account is suspended, so you cannot post, support or report. "
                                      "If you think this is a mistake, contact the site's moderators.")
        return view(request, *args, **kwargs)

    return wrapper
