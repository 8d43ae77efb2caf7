"""The POST that adds a comment or a reply, shared by every page people comment on."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from openbeat.comments.models import Comment
from openbeat.comments.selectors import comment_get
from openbeat.moderation.http import too_many
from openbeat.moderation.ratelimits import RateLimited, client_address, rate_limit


def comment_post_view(request: HttpRequest, *, page_url: str,
                      add: Callable[[Comment | None, str], Comment]) -> HttpResponse:
    """Find the comment replied to, apply the rate limit (which may hold the comment for a
    moderator), call ``add(parent, held_reason)``, and go back to the page with a message."""
    parent = None
    if request.POST.get("parent"):
        try:
            parent = comment_get(pk=int(request.POST["parent"]))
        except ValueError:
            parent = None
        if parent is None:
            messages.error(request, "The comment you replied to no longer exists.")
            return redirect(page_url)
    try:
        decision = rate_limit(action="comment", user=request.user, address=client_address(request))
        comment = add(parent, decision.message)
    except RateLimited as exc:
        return too_many(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{page_url}#comments")
    messages.success(request, decision.message or "Your comment is posted.")
    return redirect(comment.get_absolute_url())
