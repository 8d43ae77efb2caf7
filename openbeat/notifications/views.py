"""Follow and unfollow, your notifications, and one-click unsubscribe. All per person, never cached."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openbeat.notifications import selectors, services
from openbeat.notifications.emails import unsubscribe_user_id


def _back(request: HttpRequest, fallback: str = "notifications:list") -> HttpResponse:
    nxt = request.POST.get("next", "") or request.GET.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return redirect(nxt)
    return redirect(fallback)


def _target(params) -> tuple[str, str, str] | None:
    kind = params.get("target_kind", "")
    code = params.get("target_code", "").strip()[:64]
    name = selectors.target_name(target_kind=kind, target_code=code) if code else None
    return (kind, code, name) if name is not None else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """POST follows. GET asks first: it is where a cached page's plain "Follow" link leads
    (a cached page can carry no CSRF token, so it cannot hold the form itself)."""
    target = _target(request.POST if request.method == "POST" else request.GET)
    if target is None:
        return HttpResponseBadRequest("There is nothing to follow with that kind and code.")
    kind, code, name = target
    if request.method != "POST":
        following = selectors.follow_exists(user=request.user, target_kind=kind, target_code=code)
        response = render(request, "notifications/follow_confirm.html", {
            "target_kind": kind, "target_code": code, "name": name, "following": following,
            "next": request.GET.get("next", "")})
        add_never_cache_headers(response)
        return response
    services.follow_create(user=request.user, target_kind=kind, target_code=code)
    messages.success(request, f"You follow {name}.")
    return _back(request)


@login_required
@require_POST
def unfollow(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("target_kind", "")
    code = request.POST.get("target_code", "").strip()[:64]
    if services.follow_delete(user=request.user, target_kind=kind, target_code=code):
        name = selectors.target_name(target_kind=kind, target_code=code) or code
        messages.success(request, f"You no longer follow {name}.")
    return _back(request)


@require_safe
def follow_button(request: HttpRequest) -> HttpResponse:
    """The Follow / Unfollow button for a target, as a fragment (pages around it are cached);
    a sign-in link for someone not signed in."""
    kind, code = request.GET.get("target_kind", ""), request.GET.get("target_code", "")[:64]
    name = selectors.target_name(target_kind=kind, target_code=code)
    if name is None:
        raise Http404("Nothing to follow there.")
    response = render(request, "notifications/follow_button.html", {
        "target_kind": kind, "target_code": code, "name": name,
        "following": selectors.follow_exists(user=request.user, target_kind=kind, target_code=code),
        "next": request.GET.get("next", ""),
    })
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def notification_list(request: HttpRequest) -> HttpResponse:
    response = render(request, "notifications/list.html", {
        "notifications": list(selectors.notification_list(user=request.user)),
        "follows": selectors.follow_list(user=request.user),
    })
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("notifications:list")


@csrf_exempt  # RFC 8058: mail clients POST the link itself; the signed token is the authority
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners must not unsubscribe anyone); POST unsubscribes, one click."""
    user_id = unsubscribe_user_id(token=token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    done = user is not None and request.method == "POST"
    if done:
        services.notifications_unsubscribe(user=user)
    # a link that is cut short, altered or for an account since deleted: say so here, with the
    # way to change emails, not the site's page for areas that are not found
    response = render(request, "notifications/unsubscribe.html",
                      {"done": done, "token": token, "invalid": user is None}, status=404 if user is None else 200)
    add_never_cache_headers(response)
    return response
