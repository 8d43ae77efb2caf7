"""Synthetic priorities for the demo: one in every state, with actions, comments (one reported
three times, so hidden until the demo moderator reviews it), supports and follows, dated
relative to today and labelled synthetic.

Run by ``openbeat serve --demo`` after the demo accounts (``openbeat.web.server.DEMO_SEEDERS``);
running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

MARK = "(synthetic)"


def _demo_user(local: str):
    from openbeat.accounts.demo import DEMO_DOMAIN
    from openbeat.accounts.models import User

    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _evidence_start(today: dt.date) -> dt.date:
    """A start a year before today, or, when the demo lake ends earlier, eight months before
    its last month, so the closed priority has months of data to be judged on."""
    from openbeat.areas.area_figures import lake_months

    start = today - dt.timedelta(days=400)
    months = lake_months()
    if months:
        y, m = map(int, months[1].split("-"))
        y, m = (y, m - 8) if m > 8 else (y - 1, m + 4)
        start = min(start, dt.date(y, m, 1))
    return start


def _stamp(priority) -> None:
    """Date the rows' creation times (which the database stamps "now") on the story's days: the
    priority on the day it was proposed, each timeline entry on the day it happened."""
    from django.utils import timezone

    from openbeat.priorities.models import Priority, TimelineEntry

    def at(day: dt.date):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))

    entries = list(TimelineEntry.objects.filter(priority=priority).order_by("pk"))
    Priority.objects.filter(pk=priority.pk).update(created_at=at(entries[0].happened_on))
    for e in entries:
        TimelineEntry.objects.filter(pk=e.pk).update(created_at=at(e.happened_on))


@transaction.atomic
def demo_priorities_seed() -> str:
    from openbeat.moderation.services import report_create
    from openbeat.notifications.services import follow_create
    from openbeat.priorities import services
    from openbeat.priorities.models import Priority

    chair, officer = _demo_user("chair"), _demo_user("officer1")
    residents = [u for u in (_demo_user(f"resident{i}") for i in range(1, 7)) if u is not None]
    if chair is None or officer is None or len(residents) < 4 or not chair.home_ward_code:
        return "demo priorities: skipped (the demo accounts are not there)"
    ward = chair.home_ward_code
    if Priority.objects.filter(ward_code=ward, title__endswith=MARK).exists():
        return "demo priorities: already there"
    today = services.today()
    d = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    a, b, c, e = residents[:4]

    def propose(user, title, description, types):
        return services.priority_propose(user=user, ward_code=ward, title=f"{title} {MARK}",
                                         description=f"Synthetic demo. {description}", crime_types=types)

    on = services.as_of  # each step on its day in the story, so every date quoted agrees with the record

    # closed, resolved: old enough for the evidence to have months to judge
    start = _evidence_start(today)
    day = lambda n: start + dt.timedelta(days=n)  # noqa: E731
    with on(day(-20)):
        p1 = propose(a, "Burglaries around the allotments", "Sheds and garages broken into along Allotment Lane, "
                     "mostly at night.", ["Burglary"])
        for u in (b, c, e):
            services.support_add(priority=p1, user=u)
    with on(day(0)):
        services.priority_adopt(priority=p1, by=chair, until=day(182))
    for n, text in ((7, "Evening patrols along Allotment Lane, twice a week."),
                    (30, "Free shed alarms and property marking at the community centre: 48 households came.")):
        with on(day(n)):
            services.priority_action_add(priority=p1, by=officer, kind="action", text=text, happened_on=day(n))
    with on(day(190)):
        services.priority_close(priority=p1, by=chair, outcome="resolved",
                                summary="Reports of shed break-ins stopped after the second month; patrols "
                                        "continue as part of the usual route.")
    _stamp(p1)

    # in progress, with actions, an update and a conversation
    with on(d(75)):
        p2 = propose(b, "Drug dealing by the station underpass", "Dealing most evenings in the underpass by the "
                     "station's east entrance.", ["Drugs"])
        for u in (a, c):
            services.support_add(priority=p2, user=u)
    with on(d(60)):
        services.priority_adopt(priority=p2, by=chair, until=d(60) + dt.timedelta(days=180))
    with on(d(45)):
        services.priority_action_add(priority=p2, by=officer, kind="action", text="Plain-clothes patrols on three "
                                     "evenings; two people arrested for possession with intent to supply.",
                                     happened_on=d(45))
    with on(d(20)):
        services.priority_action_add(priority=p2, by=officer, kind="update", text="Lighting in the underpass "
                                     "reported to the council; repairs booked.", happened_on=d(20))
    _stamp(p2)
    top = services.priority_comment_add(priority=p2, author=c, body="Much quieter in the last fortnight, thank you.")
    services.priority_comment_add(priority=p2, author=officer, parent=top,
                                  body="Thanks for letting us know. Please keep reporting anything you see.")
    follow_create(user=c, target_kind="priority", target_code=str(p2.pk))

    # adopted, nothing done yet
    with on(d(30)):
        p3 = propose(c, "Anti-social behaviour in Riverside Park", "Groups gathering late, fires lit on the "
                     "benches.", ["Anti-social behaviour", "Criminal damage and arson"])
    with on(d(6)):
        services.priority_adopt(priority=p3, by=chair, until=d(6) + dt.timedelta(days=90))
    _stamp(p3)

    # declined, with the reason shown
    with on(d(50)):
        p4 = propose(e, "Cars parked on the pavement on Mill Road", "Pushchairs and wheelchairs have to go into "
                     "the road.", ["Other crime"])
    with on(d(40)):
        services.priority_decline(priority=p4, by=chair, reason="Pavement parking is enforced by the council, "
                                  "not the police: we have passed it to their parking team.")
    _stamp(p4)

    # proposed, supported, and a comment reported by three people (hidden until reviewed)
    with on(d(12)):
        p5 = propose(a, "Bikes stolen from the station racks", "Several bikes a week, even locked ones.",
                     ["Bicycle theft"])
    for u in (b, c, e):
        services.support_add(priority=p5, user=u)
        follow_create(user=u, target_kind="priority", target_code=str(p5.pk))
    _stamp(p5)
    services.priority_comment_add(priority=p5, author=b, body="Mine went last Tuesday. Cameras would help.")
    rude = services.priority_comment_add(priority=p5, author=e, body="Everyone round here is a thief, obviously "
                                         "(a made-up rude comment for the moderation demo).")
    for u in (a, b, c):
        report_create(reporter=u, item=rude, reason="Insults the whole neighbourhood.")
    return (f"demo priorities: 5 synthetic priorities in {ward} (closed, in progress, adopted, declined, proposed) "
            "with actions, comments and one hidden after three reports")
