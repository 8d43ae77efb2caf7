"""Synthetic events, feedback and trust-pulse answers for the demo, dated around today and
labelled synthetic: two past meetings with attendance and feedback (one answered by the
team), upcoming ones with registrations, one full with a waitlist; and pulse answers that
make trust differ between wards of one borough, weighted to a synthetic age × sex profile
(the lake holds Census 2021 totals only).

Run by ``openbeat serve --demo`` after the demo accounts and priorities
(``openbeat.web.server.DEMO_SEEDERS``); running it again changes nothing. Reminders are
queued for the worker ``make demo`` starts, one day before each event; the seeded
registrations send no confirmation emails, so the worker starts with nothing to send at once.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

MARK = "(synthetic)"
AGE_SHARES = {"16-24": .12, "25-34": .22, "35-44": .19, "45-54": .17, "55-64": .14, "65+": .16}


def _demo_user(local: str):
    from openbeat.accounts.demo import DEMO_DOMAIN
    from openbeat.accounts.models import User

    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _extra(local: str, name: str, ward: str = ""):
    """A synthetic person who never signs in (no usable password)."""
    from openbeat.accounts.demo import DEMO_DOMAIN
    from openbeat.accounts.models import User

    email = f"{local}@{DEMO_DOMAIN}"
    return User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=None, display_name=name, home_ward_code=ward)


def _at(day: dt.date, hour: int):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@transaction.atomic
def demo_events_seed() -> str:
    from django.utils import timezone

    from openbeat.areas import lookup
    from openbeat.events import services
    from openbeat.events.models import Event, EventWard, Feedback, Registration
    from openbeat.events.questions import QUESTIONS

    if Event.objects.filter(synthetic=True).exists():
        return "demo events: already seeded"
    officer, chair = _demo_user("officer1"), _demo_user("chair")
    if officer is None or chair is None or not chair.home_ward_code:
        return "demo events: skipped (no demo accounts)"
    home = lookup.area_get(code=chair.home_ward_code)
    rng = random.Random(20261206)
    today = timezone.localdate()
    residents = [u for u in (_demo_user(f"resident{i}") for i in range(1, 7)) if u is not None]
    made = []

    def event(title, days, capacity, **kw):
        start = _at(today + dt.timedelta(days=days), 18 if days else 20)
        fields = dict(title=f"{title} {MARK}", description=kw.pop("description", "Hear the neighbourhood plan, meet "
                      "your officers and tell them what matters here. Tea and biscuits."), venue="Memorial Hall",
                      address="Church Street (synthetic address)", starts_at=start,
                      ends_at=start + dt.timedelta(hours=2), capacity=capacity, step_free=True, hearing_loop=True,
                      language_support=kw.pop("language_support", "Turkish, Somali, BSL on request"),
                      synthetic=True)
        fields.update(kw)
        if days > 0:
            e = services.event_create(by=officer, ward_codes=[home.code], **fields)
        else:  # the past cannot be booked through the service
            e = Event.objects.create(organiser=officer, force=services._force_of(home.code), **fields)
            EventWard.objects.create(event=e, ward_code=home.code)
        made.append(e)
        return e

    # past: attendance and feedback, leaning positive in the first, mixed in the second
    for title, days, came, lean, reply in (
        ("Ward panel meeting: the neighbourhood plan", -40, 14, .75,
         "You told us burglary on the estate and speeding on Station Road matter most. We have added evening "
         "patrols on the estate and asked the council for speed checks; we report back at the next meeting."),
        ("Street briefing: bike theft", -9, 8, .5, ""),
    ):
        e = event(title, days, 40)
        if reply and residents:
            # a demo resident who came and has not answered yet: the feedback form is theirs to try
            Registration.objects.create(event=e, user=residents[0], status="confirmed", attended=True,
                                        queued_at=e.starts_at - dt.timedelta(days=7))
        for i in range(came):
            u = _extra(f"attendee{-days}-{i}", f"Attendee {i + 1} {MARK}")
            Registration.objects.create(event=e, user=u, status="confirmed", queued_at=e.starts_at
                                        - dt.timedelta(days=7), attended=rng.random() < .9 or i < 3)
        for r in Registration.objects.filter(event=e, attended=True).exclude(user__in=residents):
            if rng.random() > .8:
                continue
            answers = {}
            for q in QUESTIONS:
                values = [v for v, _ in q.choices]
                agree = [v for v in values if v in q.agreeing]
                other = [v for v in values if v not in q.agreeing]
                answers[q.name] = rng.choice(agree if rng.random() < lean else other) if rng.random() < .95 else ""
            Feedback.objects.create(event=e, user=r.user, rating=rng.choice([5, 4, 4, 3] if lean > .6 else [4, 3, 2]),
                                    text="", **answers)
        f = Feedback.objects.filter(event=e).first()
        if f is not None:
            f.text = ("Good to meet the team. Please keep us updated on the estate patrols." if lean > .6
                      else "Useful, but the meeting started late and the room was hard to find.") + f" {MARK}"
            f.text_approved_at = timezone.now() if reply else None
            f.save()
        if reply:
            services.event_respond(event=e, by=officer, text=f"{reply} {MARK}")

    # upcoming: registrations; one small one full with a waitlist
    big = event("Ward panel meeting: winter priorities", 12, 60, online_link="https://meet.example.org/ward-panel")
    for u in residents[:4]:
        services.registration_create(event=big, user=u, email=False)
    full = event("Coffee with your officers", 3, 3, venue="Corner Café", language_support="")
    for u in residents[:5]:
        services.registration_create(event=full, user=u, email=False)
    event("Community walkabout", 1, 15, venue="Meet at the library steps", step_free=False, hearing_loop=False)
    pulse = _pulse_seed(home, rng)
    return (f"demo events: {len(made)} synthetic events in {home.name} (2 past with feedback, 1 full with a "
            f"waitlist); {pulse}")


def _pulse_seed(home, rng: random.Random) -> str:
    """Answers for three wards of one borough: one trusting, one much less so, one with too
    few answers (it shows the borough's figure)."""
    from django.conf import settings

    from openbeat.areas import lookup
    from openbeat.events.questions import QUESTIONS
    from openbeat.surveys.models import AGE_BANDS, SEXES
    from openbeat.surveys.responses import pulse_responses_write
    from openbeat.surveys.selectors import this_quarter
    from openbeat.surveys.services import pulse_answer_create

    wards, _ = lookup.area_list(level="ward", parent=home.borough_code, limit=50)
    others = [w for w in wards if w.code != home.code]
    plan = [(home, 36, .85)] + [(w, n, p) for w, (n, p) in zip(others, [(30, .45), (6, .7)])]
    quarter = this_quarter()
    profile_rows = []
    for ward, n, lean in plan:
        young = rng.uniform(.8, 1.3)
        for band, share in AGE_SHARES.items():
            for sex, s_share in (("female", .51), ("male", .49)):
                profile_rows.append({"ward_code": ward.code, "age_band": band, "sex": sex, "source": "synthetic",
                                     "population": round(9000 * share * s_share * (young if band < "35" else 1))})
        for i in range(n):
            u = _extra(f"pulse-{ward.code}-{i}", f"Pulse respondent {i + 1} {MARK}", ward=ward.code)
            # online samples lean older and female: the weighting has something to correct
            band = rng.choices([b for b, _ in AGE_BANDS], weights=[.05, .12, .18, .22, .2, .23])[0]
            sex = rng.choices([s for s, _ in SEXES], weights=[.6, .4])[0]
            p = lean - (.15 if band in ("16-24", "25-34") else 0)
            answers = {}
            for q in QUESTIONS:
                values = [v for v, _ in q.choices]
                agree = [v for v in values if v in q.agreeing]
                other = [v for v in values if v not in q.agreeing]
                answers[q.name] = rng.choice(agree if rng.random() < p else other)
            pulse_answer_create(user=u, quarter=quarter, age_band=band if rng.random() < .9 else "",
                                sex=sex if rng.random() < .9 else "", synthetic=True, refresh=False, **answers)
    import pandas as pd
    from pathlib import Path

    folder = Path(settings.OPENBEAT_DERIVED_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(profile_rows).to_csv(folder / "ward_profile_synthetic.csv", index=False)
    transaction.on_commit(pulse_responses_write)
    return (f"trust pulse: {sum(n for _, n, _ in plan)} synthetic answers in {len(plan)} wards of one borough, "
            "weighted to a synthetic age × sex profile")
