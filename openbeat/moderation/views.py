"""Moderation pages: report an item; the per-force queue; hide, restore, suspend."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openbeat.accounts.selectors import user_has_role
from openbeat.moderation import registry, selectors, services
from openbeat.moderation.http import forbidden, too_many, writer_required
from openbeat.moderation.ratelimits import RateLimited, client_address, rate_limit


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def report_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item = registry.item_get(kind=kind, pk=pk)
    context = {"item": item, "kind": kind, "error": None, "reason": ""}
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        context["reason"] = reason
        try:
            decision = rate_limit(action="report", user=request.user, address=client_address(request))
            services.report_create(reporter=request.user, item=item, reason=reason, flood=decision.flood)
        except RateLimited as exc:
            return too_many(request, exc)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            messages.success(request, decision.message or "Thank you. A moderator will look at your report.")
            return redirect(item.get_absolute_url())
    return render(request, "moderation/report_form.html", context, status=400 if context["error"] else 200)


@require_http_methods(["GET", "HEAD"])
@writer_required
def queue_index(request: HttpRequest) -> HttpResponse:
    forces = selectors.moderation_forces(user=request.user)
    if not forces and not user_has_role(user=request.user, kinds={"moderator"}):
        return forbidden(request, "Only moderators can see the moderation queue.")
    if len(forces) == 1:
        return redirect("moderation:queue", force=forces[0])
    return render(request, "moderation/index.html", {"forces": forces})


@require_http_methods(["GET", "HEAD"])
@writer_required
def queue(request: HttpRequest, force: str) -> HttpResponse:
    if not user_has_role(user=request.user, kinds={"moderator"}, force=force):
        return forbidden(request, f"Only moderators for {force} can see its moderation queue.")
    return render(request, "moderation/queue.html", {
        "force": force, "queue": selectors.moderation_queue(force=force),
        "log": selectors.moderation_log(force=force)})


def _decide(request: HttpRequest, kind: str, pk: int, action) -> HttpResponse:
    item = registry.item_get(kind=kind, pk=pk)
    try:
        action(moderator=request.user, item=item, reason=request.POST.get("reason", ""))
    except PermissionDenied as exc:
        return forbidden(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("moderation:queue", force=item.force)


@require_POST
@writer_required
def item_hide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _decide(request, kind, pk, services.item_hide)


@require_POST
@writer_required
def item_restore(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _decide(request, kind, pk, services.item_restore)


def _account(pk: int):
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(pk=pk)
    except get_user_model().DoesNotExist:
        raise Http404("No such account") from None


@require_POST
@writer_required
def account_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_action(request, pk, services.account_suspend, "Account suspended.")


@require_POST
@writer_required
def account_unsuspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_action(request, pk, services.account_unsuspend, "Suspension lifted.")


def _account_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    force = request.POST.get("force", "")
    try:
        action(moderator=request.user, account=_account(pk), force=force, reason=request.POST.get("reason", ""))
    except PermissionDenied as exc:
        return forbidden(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("moderation:queue", force=force)
