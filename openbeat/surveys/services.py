"""Writes about the trust pulse: one answer per account per quarter, for the home ward.

Imports go one way: an answer queues ``tasks.pulse_responses_refresh``, which runs
``responses.pulse_responses_write``; nothing a task runs imports this module."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from openbeat.events.questions import QUESTIONS
from openbeat.surveys import selectors
from openbeat.surveys.models import AGE_BANDS, SEXES, PulseAnswer


def pulse_answer_create(*, user, ward_code: str = "", age_band: str = "", sex: str = "", quarter: str | None = None,
                        synthetic: bool = False, refresh: bool = True, **answers: str) -> PulseAnswer:
    """Record ``user``'s answers for their home ward this quarter. A second answer in the
    same quarter is refused (the database's unique constraint decides, so two at once
    cannot both get in). The worker then rewrites the responses file (``refresh=False``:
    the caller writes it once after many answers, as the demo does)."""
    home = getattr(user, "home_ward_code", "")
    if not home:
        raise PermissionDenied("Set your home ward first: the pulse asks about policing where you live.")
    if ward_code and ward_code != home:
        raise PermissionDenied("You can answer the pulse for your home ward only.")
    if age_band and age_band not in dict(AGE_BANDS):
        raise ValidationError({"age_band": "Choose an age band from the list, or leave it empty."})
    if sex and sex not in dict(SEXES):
        raise ValidationError({"sex": "Choose from the list, or leave it empty."})
    clean = {}
    for q in QUESTIONS:
        a = (answers.pop(q.name, "") or "").strip()
        if a and a not in dict(q.choices):
            raise ValidationError({q.name: f"{a!r} is not an answer to this question."})
        clean[q.name] = a
    if answers:
        raise ValidationError(f"Unknown question(s): {', '.join(sorted(answers))}")
    if not any(clean.values()):
        raise ValidationError("Answer at least one question.")
    quarter = quarter or selectors.this_quarter()
    try:
        with transaction.atomic():
            answer = PulseAnswer.objects.create(user=user, ward_code=home, quarter=quarter, age_band=age_band,
                                                sex=sex, synthetic=synthetic, **clean)
    except IntegrityError:
        raise ValidationError(f"You have already answered the pulse for {quarter}. You can answer again next "
                              "quarter.") from None
    if refresh:
        transaction.on_commit(_refresh_later)
    return answer


def _refresh_later() -> None:
    from openbeat.surveys.tasks import pulse_responses_refresh

    pulse_responses_refresh.enqueue()


def pulse_personal_data(*, user) -> list[dict]:
    return [{"ward_code": a.ward_code, "quarter": a.quarter, "age_band": a.age_band, "sex": a.sex,
             **{q.name: getattr(a, q.name) for q in QUESTIONS}}
            for a in PulseAnswer.objects.filter(user=user)]


def pulse_personal_data_erase(*, user, keep_text: bool) -> None:
    """Answers hold no text: they stay in the ward's figures without the account (and
    without the age band and sex, so nothing links back)."""
    PulseAnswer.objects.filter(user=user).update(user=None, age_band="", sex="")
