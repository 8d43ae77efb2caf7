"""Event pages. None is kept in the lake-state answer cache: places change as people
register, and the buttons depend on who is looking."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openbeat.accounts.selectors import TEAM_KINDS, user_has_role
from openbeat.events import forms, ical, selectors, services
from openbeat.events.models import Event, Feedback
from openbeat.moderation.http import forbidden, too_many, writer_required
from openbeat.moderation.ratelimits import RateLimited, client_address, rate_limit
from openbeat.priorities.forms import add_errors


def _ward(code: str):
    from openbeat.areas import lookup

    area = lookup.area_get(code=code)
    if area is None or area.level != "ward":
        raise Http404(f"No ward has the code {code}")
    return area


def _event(pk: int) -> Event:
    event = selectors.event_get(pk=pk)
    if event is None:
        raise Http404(f"No event number {pk}")
    return event


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _wards(event: Event) -> list:
    from openbeat.areas import lookup

    return [a for a in (lookup.area_get(code=c) for c in event.ward_codes) if a is not None]


@require_safe
def ward_events(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    upcoming, past, published_past = selectors.ward_calendar(area=area)
    return _page(request, "events/ward_events.html", {
        "area": area, "upcoming": upcoming,
        "past": [(e, selectors.event_feedback_summary(event=e)) for e in past],
        "published_past": published_past,
        "summary": selectors.ward_feedback_summary(ward_code=area.code),
        "can_create": user_has_role(user=request.user, kinds=services.ORGANISER_KINDS, ward_code=area.code)})


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def ward_ics(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    upcoming, past = selectors.ward_events(ward_code=area.code)
    return _ics(ical.calendar([*past, *upcoming], name=f"OpenBeat: events in {area.name}"),
                f"openbeat-{area.code}.ics")


@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    return _ics(ical.calendar([event], name=event.title), f"openbeat-event-{event.pk}.ics")


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def event_create(request: HttpRequest, code: str) -> HttpResponse:
    area = _ward(code)
    if not user_has_role(user=request.user, kinds=services.ORGANISER_KINDS, ward_code=area.code):
        return forbidden(request, "Only verified officers and ward panel chairs for this ward can hold events.")
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        others = [c.strip() for c in d.pop("other_wards").split(",") if c.strip()]
        try:
            event = services.event_create(by=request.user, ward_codes=[area.code, *others],
                                          **{**d, "step_free": d["step_free"] == "yes",
                                             "hearing_loop": d["hearing_loop"] == "yes"})
        except PermissionDenied as exc:
            form.add_error("other_wards", str(exc))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Your event is published. Residents can now register.")
            return redirect(event)
    return _page(request, "events/event_create.html", {"area": area, "form": form}, 400 if form.errors else 200)


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    user = request.user
    registration = selectors.registration_of(event=event, user=user)
    now = timezone.now()
    return _page(request, "events/event_detail.html", {
        "event": event, "wards": _wards(event), "counts": selectors.place_counts(event=event),
        "registration": registration,
        "position": selectors.waitlist_position(registration=registration) if registration else None,
        "past": event.ends_at < now, "started": event.starts_at <= now,
        "summary": selectors.event_feedback_summary(event=event),
        "can_feedback": services.feedback_allowed(event=event, user=user)
        and not selectors.feedback_exists(event=event, user=user),
        "can_organise": services.can_organise(user=user, event=event)})


@require_POST
@writer_required
def registration_create(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    try:
        rate_limit(action="support", user=request.user, address=client_address(request))
        r = services.registration_create(event=event, user=request.user)
    except RateLimited as exc:
        return too_many(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your place is confirmed. We have emailed you the details."
                         if r.status == "confirmed" else
                         "The event is full, so you are on the waitlist. We will email you if a place comes up.")
    return redirect(event)


@require_POST
@writer_required
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    try:
        services.registration_cancel(event=event, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Your registration is cancelled.")
    return redirect(event)


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
def feedback_create(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    if not services.feedback_allowed(event=event, user=request.user):
        return forbidden(request, "Feedback on an event comes from the people the organiser recorded as attending.")
    if selectors.feedback_exists(event=event, user=request.user):
        messages.success(request, "You have already given feedback on this event. Thank you.")
        return redirect(event)
    form = forms.FeedbackForm(request.POST or None, force_name=selectors.event_force_name(event=event))
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_create(event=event, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Thank you. Your answers are counted; your comment is published once checked.")
            return redirect(event)
    return _page(request, "events/feedback.html", {"event": event, "form": form}, 400 if form.errors else 200)


def _organiser_only(request: HttpRequest, event: Event) -> HttpResponse | None:
    if not services.can_organise(user=request.user, event=event):
        return forbidden(request, "Only the organiser, and officers and ward panel chairs for the event's wards, "
                                  "can do that.")
    return None


@require_safe
@writer_required
def event_manage(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    refused = _organiser_only(request, event)
    if refused:
        return refused
    return _page(request, "events/event_manage.html", {
        "event": event, "registrations": selectors.registration_list(event=event),
        "counts": selectors.place_counts(event=event), "started": event.starts_at <= timezone.now(),
        "awaiting": selectors.feedback_awaiting(event=event),
        "message_form": forms.MessageForm(), "respond_form": forms.RespondForm(initial={"text": event.team_response}),
        "summary": selectors.event_feedback_summary(event=event)})


def _organiser_post(request: HttpRequest, pk: int, act, done: str) -> HttpResponse:
    event = _event(pk)
    refused = _organiser_only(request, event)
    if refused:
        return refused
    try:
        act(event)
    except PermissionDenied as exc:
        return forbidden(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("events:manage", pk=event.pk)


@require_POST
@writer_required
def attendance_record(request: HttpRequest, pk: int) -> HttpResponse:
    ids = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
    return _organiser_post(request, pk, lambda e: services.attendance_record(event=e, by=request.user,
                                                                            attended_user_ids=ids),
                           "Attendance recorded. Everyone who came is asked for feedback by email.")


@require_POST
@writer_required
def message_send(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.MessageForm(request.POST)

    def act(event):
        if not form.is_valid():
            raise ValidationError("Give the message a subject and some text.")
        services.message_send(event=event, by=request.user, **form.cleaned_data)

    return _organiser_post(request, pk, act, "Your message is on its way to everyone registered.")


@require_POST
@writer_required
def event_respond(request: HttpRequest, pk: int) -> HttpResponse:
    return _organiser_post(request, pk, lambda e: services.event_respond(event=e, by=request.user,
                                                                        text=request.POST.get("text", "")),
                           "Your reply is published on the event page.")


@require_POST
@writer_required
def feedback_text_approve(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = Feedback.objects.select_related("event").filter(pk=pk).first()
    if feedback is None:
        raise Http404(f"No feedback number {pk}")
    try:
        services.feedback_text_approve(feedback=feedback, by=request.user)
    except PermissionDenied as exc:
        return forbidden(request, str(exc))
    messages.success(request, "The comment is published.")
    return redirect("events:manage", pk=feedback.event_id)


@require_safe
@login_required
def team(request: HttpRequest) -> HttpResponse:
    """A neighbourhood team's page: their wards' events, open priorities, feedback to answer."""
    from openbeat.events.team import team_wards

    if not user_has_role(user=request.user, kinds=TEAM_KINDS):
        return forbidden(request, "The team page is for verified officers and ward panel members.")
    return _page(request, "events/team.html", {"wards": team_wards(user=request.user)})


@require_safe
def scorecard_engagement(request: HttpRequest, code: str) -> HttpResponse:
    """The scorecard's engagement column: a fragment the cached scorecard page fetches, for
    the scorecard's period (``?from=YYYY-MM&to=YYYY-MM``; without it, the last 365 days)."""
    import calendar

    from openbeat.areas import lookup
    from openbeat.events.engagement import area_engagement, default_period

    area = lookup.area_get(code=code)
    if area is None or area.level not in ("force", "borough", "ward"):
        raise Http404(f"No force, borough or ward has the code {code}")
    asked = request.GET.get("from"), request.GET.get("to")
    if any(asked):
        try:
            (fy, fm), (ty, tm) = (map(int, v.split("-")) for v in asked)
            first = dt.date(fy, fm, 1)
            last = dt.date(ty, tm, calendar.monthrange(ty, tm)[1])
        except (AttributeError, TypeError, ValueError):
            return HttpResponse("from and to are months, e.g. ?from=2024-01&to=2024-12", status=400,
                                content_type="text/plain; charset=utf-8")
        if last < first or (last - first).days > 366 * 5:
            return HttpResponse("to must be after from, within five years", status=400,
                                content_type="text/plain; charset=utf-8")
    else:
        first, last = default_period()
    boroughs, wards = area_engagement(area=area, first=first, last=last)
    latest = None
    if not (boroughs or wards)[0].collected and (boroughs or wards)[0].records_begin is not None:
        # the published figures end before OpenBeat's records begin: show the latest months too, as such
        f, la = default_period()
        latest = dict(zip(("boroughs", "wards"), area_engagement(area=area, first=f, last=la), strict=True))
    return _page(request, "events/_scorecard_engagement.html", {
        "area": area, "first": first, "last": last, "boroughs": boroughs, "wards": wards,
        "rows": boroughs + wards, "latest": latest})