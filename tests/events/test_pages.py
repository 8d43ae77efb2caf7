"""Event pages, iCalendar, feedback figures against a hand count, escaping, the team page
and the scorecard's engagement column."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from statsmodels.stats.proportion import proportion_confint

from openbeat.events import selectors, services
from openbeat.events.models import Event, EventWard, Feedback, Registration
from tests.events.conftest import NORTH, demo_lake, hold, make_user  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script>'


def test_ics_for_an_event_and_the_ward_parse_back(client, use_lake, officer):
    e = hold(officer, title="Meet the team", language_support="Turkish, BSL", online_link="https://meet.example.org/x")
    past = hold(officer, days=-3, title="Last month's panel")
    r = client.get(reverse("events:ics", args=[e.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "text/calendar; charset=utf-8"
    [v] = Calendar.from_ical(r.content).walk("VEVENT")
    assert str(v["summary"]) == "Meet the team"
    # iCalendar keeps whole seconds
    assert v.decoded("dtstart") == e.starts_at.replace(microsecond=0)
    assert v.decoded("dtend") == e.ends_at.replace(microsecond=0)
    assert str(v["location"]) == "Memorial Hall, 1 Test Street"
    assert "language support: Turkish, BSL" in str(v["description"]) and "step-free access" in str(v["description"])
    assert str(v["url"]).endswith(f"/events/{e.pk}/")
    feed = Calendar.from_ical(client.get(reverse("events:ward_ics", args=[NORTH])).content)
    assert sorted(str(x["summary"]) for x in feed.walk("VEVENT")) == ["Last month's panel", "Meet the team"]
    assert len({str(x["uid"]) for x in feed.walk("VEVENT")}) == 2 and past.pk


def _past_with_feedback(officer, answers):
    e = hold(officer, days=-3, capacity=20)
    for rating, good_job, fair, text in answers:
        u = make_user()
        Registration.objects.create(event=e, user=u, status="confirmed", queued_at=e.created_at, attended=True)
        services.feedback_create(event=e, user=u, rating=rating, good_job=good_job, fair=fair, text=text)
    return e


ANSWERS = [(5, "excellent", "strongly_agree", "Very useful"), (4, "good", "tend_to_agree", ""),
           (4, "fair", "neither", ""), (2, "poor", "tend_to_disagree", XSS), (3, "good", "", ""),
           (5, "", "strongly_agree", "")]


def test_feedback_figures_equal_a_hand_count(use_lake, officer):
    e = _past_with_feedback(officer, ANSWERS)
    s = selectors.event_feedback_summary(event=e)
    assert s.responses == 6 and s.rating_mean == pytest.approx(23 / 6)
    assert s.ratings == [(5, 2), (4, 2), (3, 1), (2, 1), (1, 0)]
    shares = {x.question.name: x for x in s.shares}
    # good job: excellent + good = 3 of 5 answered; fair: strongly + tend to agree = 3 of 5
    for name, k, n in (("good_job", 3, 5), ("fair", 3, 5), ("trust", 0, 0)):
        x = shares[name]
        assert (x.agreeing, x.answered) == (k, n)
        if n:
            assert (x.low, x.high) == pytest.approx(proportion_confint(k, n, method="wilson"))
    assert dict(shares["good_job"].counts) == {"Excellent": 1, "Good": 2, "Fair": 1, "Poor": 1, "Very poor": 0}
    ward = selectors.ward_feedback_summary(ward_code=NORTH)
    assert ward.responses == 6 and [(x.agreeing, x.answered) for x in ward.shares] == [
        (x.agreeing, x.answered) for x in s.shares]


def test_pages_show_places_feedback_and_escape_what_people_wrote(client, use_lake, officer):
    e = hold(officer, capacity=1, title=f"Panel {XSS}", description=XSS, venue=XSS, language_support=XSS)
    past = _past_with_feedback(officer, ANSWERS)
    for f in Feedback.objects.filter(event=past).exclude(text=""):
        services.feedback_text_approve(feedback=f, by=officer)
    services.event_respond(event=past, by=officer, text=XSS)
    a = make_user(display_name=XSS)
    services.registration_create(event=e, user=a)
    pages = [reverse("events:ward", args=[NORTH]), reverse("events:detail", args=[e.pk]),
             reverse("events:detail", args=[past.pk]), reverse("surveys:ward", args=[NORTH])]
    client.force_login(officer)
    pages += [reverse("events:manage", args=[e.pk]), reverse("events:team"),
              reverse("events:scorecard_engagement", args=["X09000001"])]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.content.decode()
        assert XSS not in body, url
        assert r["Cache-Control"].startswith("max-age=0"), url
    detail = client.get(reverse("events:detail", args=[past.pk])).content.decode()
    assert "Very useful" in detail and "&lt;script&gt;" in detail
    assert "3 / 5" in detail  # good job: agreeing / answered
    manage = client.get(reverse("events:manage", args=[e.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in manage  # the registrant's name, escaped
    ward = client.get(reverse("events:ward", args=[NORTH])).content.decode()
    assert "police.uk" in ward  # the force's published events beside them


def test_register_through_the_page_then_the_waitlist(client, use_lake, officer):
    e = hold(officer, capacity=1)
    first, second = make_user(), make_user()
    client.force_login(first)
    assert "Register" in client.get(e.get_absolute_url()).content.decode()
    r = client.post(reverse("events:register", args=[e.pk]), follow=True)
    assert "Place confirmed" in r.content.decode()
    client.force_login(second)
    assert "Join the waitlist" in client.get(e.get_absolute_url()).content.decode()
    r = client.post(reverse("events:register", args=[e.pk]), follow=True)
    assert "You are number 1" in r.content.decode()
    client.force_login(first)
    client.post(reverse("events:cancel", args=[e.pk]))
    assert Registration.objects.get(event=e, user=second).status == "confirmed"


def test_the_trust_question_names_the_force_it_asks_about():
    from openbeat.events.questions import BY_NAME

    trust = BY_NAME["trust"]
    assert trust.asked(force_name="Metropolitan Police Service") == (
        "How much do you trust the Metropolitan Police Service?")  # the Public Attitude Survey's own words
    assert trust.asked(force_name="Northbridge Police (synthetic demo)") == (
        "How much do you trust Northbridge Police (synthetic demo)?")
    assert trust.asked(force_name="Police Service of Northern Ireland") == (
        "How much do you trust the Police Service of Northern Ireland?")
    assert trust.asked() == "How much do you trust your local police force?"
    # what the answers are stored and compared as does not change
    assert (trust.name, trust.measure, [v for v, _ in trust.choices]) == (
        "trust", "Trust MPS", ["great_deal", "fair_amount", "not_very_much", "not_at_all"])
    assert BY_NAME["fair"].asked(force_name="Kent Police") == BY_NAME["fair"].text


def test_the_feedback_and_pulse_forms_name_the_ward_s_force(client, demo_lake):
    from openbeat.areas import lookup

    ward = lookup.area_list(level="ward", limit=1)[0][0]
    organiser = make_user(home_ward_code=ward.code)
    starts = timezone.now() - dt.timedelta(days=2)
    e = Event.objects.create(organiser=organiser, force="northbridge", title="Ward panel", description="Plan.",
                             venue="Hall", address="1 Street", starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                             capacity=10)
    EventWard.objects.create(event=e, ward_code=ward.code)
    Registration.objects.create(event=e, user=organiser, status="confirmed", queued_at=starts, attended=True)
    client.force_login(organiser)
    asked = "How much do you trust Northbridge Police (synthetic demo)?"
    for url in (reverse("events:feedback", args=[e.pk]), reverse("surveys:answer", args=[ward.code])):
        page = client.get(url).content.decode()
        assert asked in page and "Metropolitan" not in page, url


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def test_coming_up_lists_openbeat_and_police_uk_events_and_the_past_apart(client, use_lake, officer):
    # North Ward's team published "Old meeting" (1 January 2020) and "Ward panel" (1 June 2099) on police.uk
    url = reverse("events:ward", args=[NORTH])
    html = client.get(url).content.decode()
    coming = _section(html, "upcoming-heading")
    assert _heading_levels(coming) == [(2, "Coming up"), (3, "Ward panel")]
    assert "Monday 1 June 2099, 18:30, Test Hall" in coming and "No events are planned" not in coming
    earlier = _section(html, "published-heading")
    assert [t for _, t in _heading_levels(earlier)] == ["Earlier events published by the force on police.uk"]
    assert "Old meeting" in earlier and "1 January 2020, 18:00" in earlier and "Ward panel" not in earlier

    soon = hold(officer, title="Street meeting", days=3)
    hold(officer, title="Last panel", days=-3)
    html = client.get(url).content.decode()
    assert _heading_levels(_section(html, "upcoming-heading")) == [
        (2, "Coming up"), (3, "Street meeting"), (3, "Ward panel")]
    assert soon.get_absolute_url() in _section(html, "upcoming-heading")
    assert [t for _, t in _heading_levels(_section(html, "past-heading"))] == [
        "Past events and what people said", "Last panel", "All feedback in North Ward"]


def test_a_police_uk_event_is_coming_up_until_it_ends_in_uk_time(use_lake):
    from zoneinfo import ZoneInfo

    from openbeat.areas import lookup

    area = lookup.area_get(code=NORTH)
    uk = ZoneInfo("Europe/London")
    # "Ward panel" runs 18:30 to 20:00 UK time (British Summer Time: 17:30 to 19:00 UTC) on 1 June 2099
    during = dt.datetime(2099, 6, 1, 18, 59, tzinfo=dt.UTC)
    after = dt.datetime(2099, 6, 1, 19, 1, tzinfo=dt.UTC)
    coming, _, earlier = selectors.ward_calendar(area=area, now=during)
    assert [(kind, p["title"], p["starts_at"]) for kind, p in coming] == [
        ("policeuk", "Ward panel", dt.datetime(2099, 6, 1, 18, 30, tzinfo=uk))]
    assert [p["title"] for p in earlier] == ["Old meeting"]
    coming, _, earlier = selectors.ward_calendar(area=area, now=after)
    assert coming == [] and [p["title"] for p in earlier] == ["Ward panel", "Old meeting"]


def _banners(html: str) -> list[tuple[str, str]]:
    """(title, text) of each notification banner on a page."""
    import re

    return re.findall(r'notification-banner__title" id="[^"]+">([^<]+)</h2></div>\s*'
                      r'<div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">'
                      r'([^<]+)</p>', html)


def test_cancel_through_the_page_before_the_event_promotes_the_waitlist(client, use_lake, officer):
    e = hold(officer, capacity=1)
    first, second = make_user(), make_user()
    for p in (first, second):
        services.registration_create(event=e, user=p)
    client.force_login(first)
    r = client.post(reverse("events:cancel", args=[e.pk]), follow=True)
    assert r.redirect_chain == [(e.get_absolute_url(), 302)]
    assert _banners(r.content.decode()) == [("Success", "Your registration is cancelled.")]
    assert dict(Registration.objects.filter(event=e).values_list("user_id", "status")) == {
        first.pk: "cancelled", second.pk: "confirmed"}


def test_cancel_through_the_page_after_the_start_or_without_a_place_is_refused(client, use_lake, officer):
    past = hold(officer, capacity=40, days=-40)
    came = make_user()
    Registration.objects.create(event=past, user=came, status="confirmed", queued_at=past.created_at, attended=True)
    client.force_login(came)
    r = client.post(reverse("events:cancel", args=[past.pk]), follow=True)
    assert r.redirect_chain == [(past.get_absolute_url(), 302)]
    assert _banners(r.content.decode()) == [
        ("Important", "This event has started, so your registration can no longer be cancelled.")]
    assert "1 of 40 taken" in r.content.decode()
    assert services.events_personal_data(user=came)["registrations"] == [
        {"event": past.title, "starts_at": past.starts_at.isoformat(), "status": "confirmed", "attended": True}]

    upcoming = hold(officer, capacity=2)
    client.force_login(make_user())
    r = client.post(reverse("events:cancel", args=[upcoming.pk]), follow=True)
    assert _banners(r.content.decode()) == [
        ("Important", "You have no place or waitlist place at this event, so there was nothing to cancel.")]
    assert not Registration.objects.filter(event=upcoming).exists()


def _heading_levels(html: str) -> list[tuple[int, str]]:
    """Every h1..h6 on a page, in order: (level, text)."""
    from html.parser import HTMLParser

    class Headings(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.open = [], None

        def handle_starttag(self, tag, attrs):
            if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                self.open = int(tag[1])
                self.found.append((self.open, ""))

        def handle_data(self, data):
            if self.open is not None:
                level, text = self.found[-1]
                self.found[-1] = (level, (text + data).strip())

        def handle_endtag(self, tag):
            if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                self.open = None

    parser = Headings()
    parser.feed(html)
    return parser.found


def test_event_pages_never_skip_a_heading_level(client, use_lake, officer):
    past = _past_with_feedback(officer, ANSWERS)
    for f in Feedback.objects.filter(event=past).exclude(text=""):
        services.feedback_text_approve(feedback=f, by=officer)
    upcoming = hold(officer, title="Next panel")
    client.force_login(officer)
    pages = {url: _heading_levels(client.get(url).content.decode()) for url in (
        past.get_absolute_url(), reverse("events:manage", args=[past.pk]), reverse("events:ward", args=[NORTH]),
        upcoming.get_absolute_url(), reverse("events:manage", args=[upcoming.pk]))}
    # the published comments are under the page's feedback heading, one level down
    assert (3, "What people said") in pages[past.get_absolute_url()]
    assert (3, "What people said") in pages[reverse("events:manage", args=[past.pk])]
    assert (4, "What people said") in pages[reverse("events:ward", args=[NORTH])]
    for url, headings in pages.items():
        assert [level for level, _ in headings].count(1) == 1, (url, headings)
        skips = [(a, b) for a, b in zip([(1, "")] + headings, headings, strict=False) if b[0] > a[0] + 1]
        assert skips == [], (url, headings)


def test_only_attendees_get_the_feedback_form(client, use_lake, officer):
    e = hold(officer, days=-2)
    came = make_user()
    Registration.objects.create(event=e, user=came, status="confirmed", queued_at=e.created_at, attended=True)
    client.force_login(make_user())
    assert client.get(reverse("events:feedback", args=[e.pk])).status_code == 403
    client.force_login(came)
    assert "Give feedback" in client.get(e.get_absolute_url()).content.decode()
    r = client.post(reverse("events:feedback", args=[e.pk]), {"rating": "5", "listen": "tend_to_agree"})
    assert r.status_code == 302
    f = Feedback.objects.get(event=e)
    assert (f.rating, f.listen, f.good_job) == (5, "tend_to_agree", "")


def test_engagement_counts_the_platform_records(use_lake, officer, chair):
    from openbeat.events.engagement import engagement
    from openbeat.priorities import services as priorities

    _past_with_feedback(officer, ANSWERS)
    hold(officer, days=3)  # not held yet
    p1 = priorities.priority_propose(user=make_user(), ward_code=NORTH, title="Bikes", description="Stolen",
                                     crime_types=["Bicycle theft"])
    priorities.priority_propose(user=make_user(), ward_code=NORTH, title="Noise", description="Late",
                                crime_types=["Anti-social behaviour"])
    priorities.priority_adopt(priority=p1, by=officer, until=timezone.localdate() + dt.timedelta(days=30))
    e = engagement(ward_codes=[NORTH], code=NORTH, name="North Ward")
    assert (e.events_held, e.attended, e.feedback) == (1, 6, 6)
    assert (e.good_job_yes, e.good_job_n) == (3, 5)
    assert (e.proposed, e.adopted, e.resolved, e.responded, e.waiting) == (2, 1, 0, 1, 1)
    assert e.median_days_to_response == pytest.approx(0, abs=0.01)


def test_engagement_gives_every_measure_per_ward_and_borough_over_the_period(use_lake, officer):
    from openbeat.areas.lookup import area_get
    from openbeat.events.engagement import area_engagement
    from tests.web.conftest import BOROUGH, SOUTH

    _past_with_feedback(officer, ANSWERS)  # North Ward, three days ago
    both = hold(officer, days=-2, wards=(NORTH, SOUTH))
    Registration.objects.create(event=both, user=make_user(), status="confirmed", queued_at=both.created_at,
                                attended=True)
    today = timezone.localdate()
    first, last = today - dt.timedelta(days=30), today
    [borough], wards = area_engagement(area=area_get(code=BOROUGH), first=first, last=last)
    north, south = sorted(wards, key=lambda r: r.code)
    # the event for both wards counts once in the borough, and once in each ward
    assert (borough.events_held, borough.attended, borough.feedback) == (2, 7, 6)
    assert (north.events_held, north.attended, south.events_held, south.attended) == (2, 7, 1, 1)
    assert (borough.first, borough.last, borough.collected, borough.partial) == (first, last, True, True)
    # every PAS question, against a hand count: good job 3 of 5 answered, fair 3 of 5, the rest unanswered
    got = {m.name: (m.yes, m.n) for m in north.measures}
    assert got == {"good_job": (3, 5), "relied_on": (0, 0), "fair": (3, 5), "listen": (0, 0), "deal": (0, 0),
                   "informed": (0, 0), "trust": (0, 0)}
    fair = north.measure("fair")
    assert (fair.low, fair.high) == pytest.approx(proportion_confint(3, 5, method="wilson"))
    assert [m.n for m in south.measures] == [0] * 7 and south.feedback == 0  # collected, and none: zeros
    # a period wholly before OpenBeat's records: not yet collected, which is not zero
    [old], _ = area_engagement(area=area_get(code=BOROUGH), first=dt.date(2024, 1, 1), last=dt.date(2024, 12, 31))
    assert not old.collected and old.records_begin == (timezone.localtime(timezone.now()) - dt.timedelta(days=3)).date()


def test_the_scorecard_engagement_fragment_states_its_period(client, use_lake, officer):
    from tests.web.conftest import BOROUGH

    _past_with_feedback(officer, ANSWERS)
    url = reverse("events:scorecard_engagement", args=[BOROUGH])
    old = client.get(url, {"from": "2024-01", "to": "2024-12"}).content.decode()
    assert "from 1 January 2024 to 31 December 2024, the scorecard’s period" in old
    assert "Not yet collected: OpenBeat’s records begin" in old
    assert "The latest 12 months, for reference" in old and "Treat everyone fairly" in old
    assert client.get(url, {"from": "2024-13", "to": "2024-12"}).status_code == 400
    assert client.get(url, {"from": "2024-12", "to": "2024-01"}).status_code == 400
    since = (timezone.localdate() - dt.timedelta(days=3)).strftime("%Y-%m")  # the event's month
    now = client.get(url, {"from": since, "to": timezone.localdate().strftime("%Y-%m")}).content.decode()
    assert "Not yet collected" not in now and "60% (23% to 88%), 3 of 5" in now
