"""What every page people comment on shares: the page of comments it shows, and the POST
that adds a comment or a reply."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from openbeat.comments.models import Comment
from openbeat.comments.selectors import comment_get, comment_thread_page
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


def comments_context(request: HttpRequest, *, target_kind: str, target_id: int, moderator: bool) -> dict:
    """The page of comments asked for (``?page=``, or the page holding ``?comment=``, where
    :meth:`Comment.get_absolute_url` links), for ``comments/_thread.html``."""
    page = comment_thread_page(target_kind=target_kind, target_id=target_id, viewer=request.user,
                               moderator=moderator, page=request.GET.get("page"), comment=request.GET.get("comment"))
    return {"threads": page.threads, "comments_page": page}
