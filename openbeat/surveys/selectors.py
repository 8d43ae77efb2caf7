"""Reads about the trust pulse, and the responses file the analytics reads.

The analytics library never imports Django, so the pulse reaches it as a file: each
resident's latest answer in the last four quarters is exported from the app database,
weighted (:func:`openbeat.analytics.trust.pulse_responses`) and written by the worker, beside
the rows of any imported survey (``OPENBEAT_WARD_SURVEY``), to a CSV named by a hash of what
went in. New answers give a new file name, so figures computed from an older file are never
reused; pages kept in the lake-state cache pick the new file up the next day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.utils import timezone

from openbeat.events.questions import QUESTIONS, agrees
from openbeat.surveys.models import PulseAnswer


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def this_quarter() -> str:
    return quarter_of(timezone.localdate())


#: Quarters of answers an estimate pools (each resident counted once: their latest answer).
POOLED_QUARTERS = 4


def _quarters_back(quarter: str, n: int) -> list[str]:
    year, q = int(quarter[:4]), int(quarter[-1])
    out = []
    for _ in range(n):
        out.append(f"{year}-Q{q}")
        q -= 1
        if q == 0:
            year, q = year - 1, 4
    return out


def pulse_exists(*, user, quarter: str) -> bool:
    return getattr(user, "is_authenticated", False) and PulseAnswer.objects.filter(user=user, quarter=quarter).exists()


def pulse_answers(*, quarter: str, ward_code: str | None = None) -> pd.DataFrame:
    """Latest answer per resident over the pooled quarters ending at ``quarter``: one row per
    respondent, 1/0/NaN per PAS measure (questions without a published measure left out)."""
    qs = PulseAnswer.objects.filter(quarter__in=_quarters_back(quarter, POOLED_QUARTERS))
    if ward_code:
        qs = qs.filter(ward_code=ward_code)
    seen, rows = set(), []
    for a in qs.order_by("-quarter", "-pk"):
        who = a.user_id if a.user_id is not None else f"gone-{a.pk}"
        if who in seen:
            continue
        seen.add(who)
        row = {"ward_code": a.ward_code, "age_band": a.age_band, "sex": a.sex}
        for q in QUESTIONS:
            if q.measure:
                v = agrees(q, getattr(a, q.name))
                row[q.measure] = float("nan") if v is None else float(v)
        rows.append(row)
    cols = ["ward_code", "age_band", "sex", *(q.measure for q in QUESTIONS if q.measure)]
    return pd.DataFrame(rows, columns=cols)


def ward_profile_path() -> Path | None:
    """The ward age × sex table (``OPENBEAT_WARD_PROFILE``; in the demo, its synthetic one)."""
    path = getattr(settings, "OPENBEAT_WARD_PROFILE", None)
    if path:
        return Path(path)
    demo = Path(settings.OPENBEAT_DERIVED_DIR) / "ward_profile_synthetic.csv"
    return demo if settings.OPENBEAT_DEMO and demo.exists() else None


def ward_profiles() -> pd.DataFrame | None:
    path = ward_profile_path()
    if path is None or not path.exists():
        return None
    df = pd.read_csv(path, dtype={"ward_code": str, "age_band": str, "sex": str})
    missing = {"ward_code", "age_band", "sex", "population"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: ward profile lacks column(s) {sorted(missing)}")
    return df


def pulse_weighted(*, quarter: str, ward_code: str | None = None) -> pd.DataFrame:
    from openbeat.analytics.trust import pulse_responses

    return pulse_responses(pulse_answers(quarter=quarter, ward_code=ward_code), ward_profiles())


def _pointer() -> Path:
    return Path(settings.OPENBEAT_DERIVED_DIR) / "ward-survey-current.json"


def ward_survey_file(*, imported: str | None) -> str | None:
    """The responses file the trust figures read: the latest one the pulse wrote
    (:func:`openbeat.surveys.responses.pulse_responses_write`), which holds the imported
    survey's rows too; else the imported file as it is. Reads no database, so pages built
    from the lake stay as fast as before."""
    import json

    try:
        current = json.loads(_pointer().read_text())
    except (OSError, ValueError):
        return imported
    if current.get("imported") != imported or not Path(current.get("path", "")).exists():
        return imported
    return current["path"]
