"""Priority pages. None of them is kept in the lake-state answer cache: they change when
people write, and the buttons on them depend on who is looking."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openbeat.accounts.selectors import user_has_role
from openbeat.comments.http import comment_post_view, comments_context
from openbeat.moderation.http import forbidden, too_many, writer_required
from openbeat.moderation.ratelimits import RateLimited, client_address, rate_limit
from openbeat.notifications.selectors import follow_exists
from openbeat.priorities import forms, selectors, services
from openbeat.priorities.evidence import priority_evidence
from openbeat.priorities.models import Priority


def _ward(code: str):
    from openbeat.areas import lookup

    area = lookup.area_get(code=code)
    if area is None or area.level != "ward":
        raise Http404(f"No ward has the code {code}")
    return area


def _priority(request: HttpRequest, pk: int, *, writing: bool = False) -> Priority:
    """The priority a view shows (with its support count) or, ``writing``, the lean row a
    write needs; a held one only for its author and the force's moderators."""
    if writing:
        priority = selectors.priority_for_write(pk=pk, viewer=request.user)
    else:
        priority = selectors.priority_get(pk=pk, viewer=request.user)
    if priority is None:
        # a held priority: its author and the force's moderators (who decide on it) see it
        held = selectors.priority_get(pk=pk, viewer=request.user, held=True)
        if held is None or not user_has_role(user=request.user, kinds={"moderator"}, force=held.force):
            raise Http404(f"No priority number {pk}")
        priority = held
    return priority


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _following(request: HttpRequest, kind: str, code: str) -> bool:
    return request.user.is_authenticated and follow_exists(user=request.user, target_kind=kind, target_code=code)


def _can(user, kinds: set[str], priority: Priority) -> bool:
    return user_has_role(user=user, kinds=kinds, ward_code=priority.ward_code)


@require_safe
def ward_priorities(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    return _page(request, "priorities/ward_priorities.html", {
        "area": area, "ward": selectors.ward_priorities(area=area, viewer=request.user),
        "following": _following(request, "ward", area.code),
        "can_decide": user_has_role(user=request.user, kinds=services.PANEL_KINDS, ward_code=area.code)})


@require_safe
def ward_panel(request: HttpRequest, code: str) -> HttpResponse:
    """The ward page's "Local priorities" panel: a fragment fetched by the (cached) ward page,
    so it is always current and never kept in the lake-state cache."""
    area = _ward(code)
    return _page(request, "priorities/_ward_panel.html", {
        "area": area, "ward": selectors.ward_priorities(area=area, viewer=None)})


@require_safe
def you_said_we_did(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    taken = selectors.you_said_we_did(ward_code=area.code)
    return _page(request, "priorities/you_said_we_did.html", {
        "area": area, "taken": [(p, actions, priority_evidence(priority=p) if p.is_shown else [])
                                for p, actions in taken]})


@require_safe
def priority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    priority = _priority(request, pk)
    area = _ward(priority.ward_code)
    user = request.user
    moderator = user_has_role(user=user, kinds={"moderator"}, force=priority.force)
    own_held = priority.visibility == "held" and user.is_authenticated and priority.proposed_by_id == user.pk
    return _page(request, "priorities/priority_detail.html", {
        "priority": priority, "area": area, "show_text": priority.is_shown or own_held or moderator,
        "moderator": moderator,
        "timeline": selectors.priority_timeline(priority=priority),
        "evidence": priority_evidence(priority=priority) if priority.is_shown else [],
        **comments_context(request, target_kind="priority", target_id=priority.pk, moderator=moderator),
        "supported": selectors.support_exists(priority=priority, user=user),
        "following": _following(request, "priority", str(priority.pk)),
        "can_decide": _can(user, services.PANEL_KINDS, priority),
        "can_act": _can(user, services.ACTION_KINDS, priority),
        "limit": services.adopted_limit(), "active": selectors.active_count(ward_code=priority.ward_code),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def priority_propose(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    form = forms.ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = rate_limit(action="proposal", user=request.user, address=client_address(request))
            priority = services.priority_propose(user=request.user, ward_code=area.code, held_reason=decision.message,
                                                 **form.cleaned_data)
        except RateLimited as exc:
            return too_many(request, exc)
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, decision.message or "Your priority is proposed. Others can now support it.")
            return redirect(priority)
    status = 400 if form.errors else 200
    return _page(request, "priorities/propose.html", {"area": area, "form": form}, status)


@require_POST
@writer_required
def support_add(request: HttpRequest, pk: int) -> HttpResponse:
    priority = _priority(request, pk, writing=True)
    try:
        rate_limit(action="support", user=request.user, address=client_address(request))
        services.support_add(priority=priority, user=request.user)
    except RateLimited as exc:
        return too_many(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "You support this priority.")
    return redirect(priority)


@require_POST
@writer_required
def support_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    priority = _priority(request, pk, writing=True)
    if services.support_withdraw(priority=priority, user=request.user):
        messages.success(request, "You no longer support this priority.")
    else:
        messages.info(request, "You were not supporting this priority, so nothing changed.")
    return redirect(priority)


def _decision(request: HttpRequest, pk: int, form_class, template: str, kinds: set[str], act, done: str):
    """A panel or officer form: GET shows it, POST runs ``act(priority, cleaned_data)``."""
    priority = _priority(request, pk)
    if not _can(request.user, kinds, priority):
        who = "verified officers" if kinds == services.ACTION_KINDS else "the ward's panel and verified officers"
        return forbidden(request, f"Only {who} for this ward can do that.")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(priority, form.cleaned_data)
        except PermissionDenied as exc:
            return forbidden(request, str(exc))
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(priority)
    status = 400 if form.errors else 200
    return _page(request, template, {"priority": priority, "form": form, "limit": services.adopted_limit(),
                                     "active": selectors.active_count(ward_code=priority.ward_code)}, status)


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def priority_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, forms.AdoptForm, "priorities/adopt.html", services.PANEL_KINDS,
                     lambda p, d: services.priority_adopt(priority=p, by=request.user, **d), "Priority adopted.")


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def priority_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, forms.DeclineForm, "priorities/decline.html", services.PANEL_KINDS,
                     lambda p, d: services.priority_decline(priority=p, by=request.user, **d), "Priority declined.")


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def priority_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, forms.ActionForm, "priorities/action.html", services.ACTION_KINDS,
                     lambda p, d: services.priority_action_add(priority=p, by=request.user, **d), "Posted.")


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def priority_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, forms.CloseForm, "priorities/close.html", services.PANEL_KINDS,
                     lambda p, d: services.priority_close(priority=p, by=request.user, **d), "Priority closed.")


@require_POST
@writer_required
def priority_comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    priority = _priority(request, pk, writing=True)
    return comment_post_view(request, page_url=priority.get_absolute_url(), add=lambda parent, held: (
        services.priority_comment_add(priority=priority, author=request.user, body=request.POST.get("body", ""),
                                      parent=parent, held_reason=held)))
