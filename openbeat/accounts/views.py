"""Your account: public name, emails, home ward, follows, your data, deleting the account.

Every page here is per person: none is wrapped in ``lake_cached``, and each says
``Cache-Control: private, no-store``."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openbeat.accounts import selectors, services
from openbeat.accounts.forms import AccountDeleteForm, HomeWardForm, ProfileForm, RoleRequestForm


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
    return response


def _ward(code: str):
    from openbeat.areas.lookup import area_get

    area = area_get(code=code) if code else None
    return area if area is not None and area.level == "ward" else None


@require_safe
def account_nav(request: HttpRequest) -> HttpResponse:
    """The header's sign-in links or name, fetched by every page (the pages themselves are cached)."""
    from openbeat.accounts.selectors import TEAM_KINDS, user_has_role
    from openbeat.notifications.selectors import notification_unread_count

    signed_in = request.user.is_authenticated
    unread = notification_unread_count(user=request.user) if signed_in else 0
    team = signed_in and user_has_role(user=request.user, kinds=TEAM_KINDS)
    return _private(render(request, "accounts/account_nav.html", {"next": request.GET.get("next", ""),
                                                                  "unread": unread, "team": team}))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    from openbeat.notifications.selectors import follow_list

    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.user_profile_update(user=user, **form.cleaned_data)
            messages.success(request, "Your settings are saved.")
            return redirect("accounts_settings")
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "notify_frequency": user.notify_frequency})
    return _private(render(request, "accounts/settings.html", {
        "form": form,
        "home_ward": _ward(user.home_ward_code),
        "follows": follow_list(user=user),
        "roles": selectors.role_list(user=user, verified=None),
        "badges": selectors.user_badges(user=user),
        "role_form": RoleRequestForm(),
    }))


@login_required
@require_POST
def account_role_request(request: HttpRequest) -> HttpResponse:
    """Officers and ward panel members ask for their role here; an administrator verifies it."""
    form = RoleRequestForm(request.POST)
    found = selectors.role_area_find(text=form.cleaned_data["area"]) if form.is_valid() else None
    if found is None:
        messages.error(request, "We could not find that ward or neighbourhood. Check it on the area’s page.")
        return redirect("accounts_settings")
    area_code, force, name = found
    services.role_request(user=request.user, kind=form.cleaned_data["kind"], area_code=area_code, force=force)
    label = dict(form.fields["kind"].choices)[form.cleaned_data["kind"]]
    # lower only the first letter: "PCSO" stays as written
    messages.success(request, f"You asked to be {label[:1].lower()}{label[1:]} for {name}. "
                              "An administrator will check and verify it.")
    return redirect("accounts_settings")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_home_ward(request: HttpRequest) -> HttpResponse:
    """Find your ward with the site's own search (postcode, coordinates or name), then set it."""
    from openbeat.areas.search import area_find

    if request.method == "POST":
        form = HomeWardForm(request.POST)
        ward = _ward(form.cleaned_data["ward_code"].strip()) if form.is_valid() else None
        if ward is None:
            messages.error(request, "Choose a ward from the list.")
            return redirect("accounts_home_ward")
        services.user_home_ward_set(user=request.user, ward_code=ward.code)
        messages.success(request, f"Your home ward is {ward.name}. You now follow it.")
        return redirect("accounts_settings")
    query = request.GET.get("q", "").strip()[:100]
    result, wards = None, []
    if query:
        result = area_find(query=query)
        wards = [a for a in result.areas if a.level == "ward"] or [a for a in result.matches if a.level == "ward"]
    return _private(render(request, "accounts/home_ward.html", {
        "query": query, "result": result, "wards": wards, "home_ward": _ward(request.user.home_ward_code)}))


@login_required
@require_safe
def account_export(request: HttpRequest) -> HttpResponse:
    data = services.account_export(user=request.user)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="openbeat-my-data-{stamp}.json"'
    return _private(response)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user, keep_text=form.cleaned_data["keep_text"] == "keep")
        return redirect("accounts_deleted")
    return _private(render(request, "accounts/delete.html", {"form": form}))


@require_safe
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")


@login_required
@require_POST
def account_home_ward_clear(request: HttpRequest) -> HttpResponse:
    services.user_home_ward_set(user=request.user, ward_code="")
    messages.success(request, "Your home ward is cleared.")
    return redirect("accounts_settings")


@require_safe
def demo_accounts(request: HttpRequest) -> HttpResponse:
    """The demo's sign-in details, one account per role (only in the synthetic demo)."""
    from django.conf import settings

    from openbeat.accounts.demo import DEMO_PASSWORD
    from openbeat.accounts.demo import demo_accounts as accounts

    if not settings.OPENBEAT_DEMO:
        from django.http import Http404

        raise Http404("Demo accounts exist only in the demo.")
    return render(request, "accounts/demo_accounts.html", {
        "accounts": accounts(), "password": DEMO_PASSWORD, "admin_url": "/" + settings.OPENBEAT_ADMIN_URL})
