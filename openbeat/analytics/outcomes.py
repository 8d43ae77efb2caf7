"""police.uk outcome categories grouped into what residents ask: was anyone charged?

police.uk publishes about thirty outcome strings (the street files' *Last outcome
category* and the outcomes files' *Outcome type*, which name the same outcomes). They are
grouped here, in the spirit of the Home Office's outcome framework, into six groups that
are stable across releases. A crime's outcome is its latest row in ``outcomes`` (linked by
Crime ID); where a crime has none there, the street file's last outcome category is used.
A crime can have two outcomes in the same month (real Met files do: "Investigation
complete; no suspect identified" and "Suspect charged" for one burglary); the more
conclusive one counts (:data:`CONCLUSIVENESS`), then the name, so the choice never
depends on row order.
"""

from __future__ import annotations

#: (group, label shown to users), in the order tables show them.
GROUPS = [
    ("charged", "Charged or summonsed"),
    ("out_of_court", "Caution, penalty or other out-of-court resolution"),
    ("suspect_no_action", "Suspect identified, no further action"),
    ("no_suspect", "Investigation complete, no suspect identified"),
    ("under_investigation", "Under investigation"),
    ("unavailable", "Status update unavailable"),
    ("other", "Other outcome"),
    ("none", "No outcome recorded (e.g. anti-social behaviour)"),
]
LABELS = dict(GROUPS)

EXACT = {
    "Suspect charged": "charged",
    "Suspect charged as part of another case": "charged",
    "Awaiting court outcome": "charged",
    "Court result unavailable": "charged",
    "Court case unable to proceed": "charged",
    "Unable to proceed": "charged",
    "Offender given a caution": "out_of_court",
    "Offender given a drugs possession warning": "out_of_court",
    "Offender given penalty notice": "out_of_court",
    "Local resolution": "out_of_court",
    "Unable to prosecute suspect": "suspect_no_action",
    "Formal action is not in the public interest": "suspect_no_action",
    "Further investigation is not in the public interest": "suspect_no_action",
    "Further action is not in the public interest": "suspect_no_action",
    "Action to be taken by another organisation": "suspect_no_action",
    "Investigation complete; no suspect identified": "no_suspect",
    "Under investigation": "under_investigation",
    "Status update unavailable": "unavailable",
}
#: Court results all follow a charge: "Offender sent to prison", "Defendant found not guilty" …
PREFIXES = {"Offender ": "charged", "Defendant ": "charged"}


#: Which outcome counts when a crime has several in its latest month: the higher, the more
#: conclusive (a charge outranks "no suspect identified" for a crime with two suspects).
CONCLUSIVENESS = {"charged": 7, "out_of_court": 6, "suspect_no_action": 5, "no_suspect": 4, "other": 3,
                  "under_investigation": 2, "unavailable": 1, "none": 0}


def latest_outcome_key_sql(outcome: str, month: str) -> str:
    """A sortable key: latest month first, then the most conclusive outcome, then the name."""
    rank = "CASE " + " ".join(f"WHEN {outcome_group_sql(outcome)} = '{g}' THEN {r}"
                              for g, r in CONCLUSIVENESS.items()) + " END"
    return f"(strftime({month}, '%Y-%m') || ({rank})::VARCHAR || {outcome})"


def outcome_group(outcome: str | None) -> str:
    if not outcome:
        return "none"
    if outcome in EXACT:
        return EXACT[outcome]
    for prefix, group in PREFIXES.items():
        if outcome.startswith(prefix):
            return group
    return "other"


def outcome_group_sql(expr: str) -> str:
    """The same grouping as a SQL CASE over ``expr``."""
    def q(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    whens = [f"WHEN {expr} IS NULL OR {expr} = '' THEN 'none'"]
    by_group: dict[str, list[str]] = {}
    for outcome, group in EXACT.items():
        by_group.setdefault(group, []).append(q(outcome))
    whens += [f"WHEN {expr} IN ({', '.join(v)}) THEN {q(g)}" for g, v in by_group.items()]
    whens += [f"WHEN starts_with({expr}, {q(p)}) THEN {q(g)}" for p, g in PREFIXES.items()]
    return "CASE " + " ".join(whens) + " ELSE 'other' END"
