"""Writes about the trust pulse: one answer per account per quarter, for the home ward."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openbeat.events.questions import QUESTIONS
from openbeat.surveys.models import AGE_BANDS, SEXES, PulseAnswer


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def this_quarter() -> str:
    return quarter_of(timezone.localdate())


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
    quarter = quarter or this_quarter()
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


def pulse_responses_write(*, quarter: str | None = None) -> str | None:
    """Write the weighted pulse answers (wards with enough of them) beside the imported
    survey's rows to a CSV named by a hash of what went in, and point the trust figures at
    it. Run by the worker after each answer. Returns the path (None without answers)."""
    import hashlib
    import json
    from pathlib import Path

    import pandas as pd
    from django.conf import settings
    from django.db.models import Count, Max

    from openbeat.surveys import selectors

    quarter = quarter or this_quarter()
    imported = settings.OPENBEAT_WARD_SURVEY
    stamp = PulseAnswer.objects.aggregate(n=Count("pk"), last=Max("pk"))
    if not stamp["n"]:
        return None
    profile = selectors.ward_profile_path()
    key = repr((quarter, stamp["n"], stamp["last"], imported, str(profile),
                profile.stat().st_mtime if profile and profile.exists() else None))
    folder = Path(settings.OPENBEAT_DERIVED_DIR)
    path = folder / f"ward-survey-{hashlib.sha256(key.encode()).hexdigest()[:16]}.csv"
    if not path.exists():
        weighted = selectors.pulse_weighted(quarter=quarter)
        parts = [weighted[weighted["used"]][["ward_code", "measure", "yes", "n"]]]
        if imported:
            from openbeat.analytics.trust import ALIASES

            df = pd.read_csv(imported, dtype={"ward_code": str, "ward": str})
            df = df.rename(columns={k: v for k, v in ALIASES.items() if k in df.columns and v not in df.columns})
            parts.insert(0, df[[c for c in ("ward_code", "measure", "yes", "n") if c in df.columns]])
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        pd.concat(parts, ignore_index=True).to_csv(tmp, index=False)
        tmp.replace(path)  # whole or not at all: a reader never sees half a file
    pointer = selectors._pointer()
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(json.dumps({"path": str(path), "imported": imported, "quarter": quarter}))
    tmp.replace(pointer)
    return str(path)


def pulse_personal_data(*, user) -> list[dict]:
    return [{"ward_code": a.ward_code, "quarter": a.quarter, "age_band": a.age_band, "sex": a.sex,
             **{q.name: getattr(a, q.name) for q in QUESTIONS}}
            for a in PulseAnswer.objects.filter(user=user)]


def pulse_personal_data_erase(*, user, keep_text: bool) -> None:
    """Answers hold no text: they stay in the ward's figures without the account (and
    without the age band and sex, so nothing links back)."""
    PulseAnswer.objects.filter(user=user).update(user=None, age_band="", sex="")
