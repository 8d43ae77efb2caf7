"""Trust pulse pages. Never kept in the lake-state cache: they change as residents answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from openbeat.events.selectors import ward_force_name
from openbeat.moderation.http import forbidden, too_many, writer_required
from openbeat.moderation.ratelimits import RateLimited, client_address, rate_limit
from openbeat.priorities.forms import add_errors
from openbeat.surveys import forms, selectors, services
from openbeat.surveys.estimates import ward_pulse_figures


def _ward(code: str):
    from openbeat.areas import lookup

    area = lookup.area_get(code=code)
    if area is None or area.level != "ward":
        raise Http404(f"No ward has the code {code}")
    return area


def _page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


@require_safe
def ward_pulse(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    quarter = selectors.this_quarter()
    user = request.user
    return _page(request, "surveys/ward_pulse.html", {
        "area": area, "quarter": quarter, "figures": ward_pulse_figures(area=area, quarter=quarter),
        "pooled": selectors.POOLED_QUARTERS,
        "home": getattr(user, "home_ward_code", "") == area.code,
        "answered": selectors.pulse_exists(user=user, quarter=quarter)})


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def pulse_answer(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    quarter = selectors.this_quarter()
    if request.user.home_ward_code != area.code:
        return forbidden(request, f"The pulse for {area.name} is answered by residents who live there. Set your "
                                  "home ward on your account page first.")
    if selectors.pulse_exists(user=request.user, quarter=quarter):
        messages.success(request, f"You have answered for {quarter}. You can answer again next quarter.")
        return redirect("surveys:ward", code=area.code)
    form = forms.PulseForm(request.POST or None, force_name=ward_force_name(ward_code=area.code))
    if request.method == "POST" and form.is_valid():
        try:
            rate_limit(action="support", user=request.user, address=client_address(request))
            services.pulse_answer_create(user=request.user, ward_code=area.code, **form.cleaned_data)
        except RateLimited as exc:
            return too_many(request, exc)
        except PermissionDenied as exc:
            return forbidden(request, str(exc))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Thank you. Your answers count towards this ward’s figures.")
            return redirect("surveys:ward", code=area.code)
    return _page(request, "surveys/answer.html", {"area": area, "form": form, "quarter": quarter},
                 400 if form.errors else 200)
