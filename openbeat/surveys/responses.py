"""The responses file the trust figures read: the weighted pulse answers beside any imported
survey, written by the worker after new answers.

Imports go one way: ``services`` (an answer) queues ``tasks.pulse_responses_refresh``, which
runs :func:`pulse_responses_write` here; this module imports neither of them.
"""

from __future__ import annotations

from openbeat.surveys.models import PulseAnswer


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

    quarter = quarter or selectors.this_quarter()
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
