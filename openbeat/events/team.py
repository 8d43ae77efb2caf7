"""What a neighbourhood team's page shows for each ward its member serves."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from openbeat.events import selectors
from openbeat.events.engagement import Engagement, engagement
from openbeat.events.models import Event, Feedback


@dataclass
class TeamWard:
    area: object
    upcoming: list[Event]
    priorities: list = field(default_factory=list)  # (priority, evidence)
    awaiting_reply: list[Event] = field(default_factory=list)  # past events with feedback and no team reply
    awaiting_text: int = 0  # comments waiting to be published
    engagement: list[Engagement] = field(default_factory=list)  # the ward's one row


def served_wards(*, user) -> list[str]:
    """Ward codes of the user's verified officer and panel roles (a neighbourhood counts as
    the ward it covers most of)."""
    from openbeat.accounts.selectors import role_list
    from openbeat.areas import lookup, teams

    codes = []
    for role in role_list(user=user):
        if role.kind not in ("officer", "panel_chair", "panel_member") or not role.area_code:
            continue
        area = lookup.area_get(code=role.area_code)
        code = area.code if area is not None and area.level == "ward" else (
            teams.neighbourhood_ward(force=role.force, neighbourhood_id=role.area_code) if role.force else None)
        if code and code not in codes:
            codes.append(code)
    return codes


def team_wards(*, user) -> list[TeamWard]:
    from openbeat.areas import lookup
    from openbeat.priorities.evidence import priority_evidence
    from openbeat.priorities.selectors import ward_priorities

    out = []
    for code in served_wards(user=user):
        area = lookup.area_get(code=code)
        if area is None:
            continue
        upcoming, past = selectors.ward_events(ward_code=code)
        pri = ward_priorities(area=area, viewer=user)
        awaiting = [e for e in past if e.feedback_n and not e.team_response]
        out.append(TeamWard(
            area=area, upcoming=upcoming,
            priorities=[(p, priority_evidence(priority=p) if p.is_shown else []) for p in pri.active]
            + [(p, []) for p in pri.proposed],
            awaiting_reply=awaiting,
            awaiting_text=Feedback.objects.filter(event__wards__ward_code=code, text_approved_at__isnull=True)
            .exclude(text="").count(),
            engagement=[engagement(ward_codes=[code], code=code, name=area.name, today=timezone.localdate())]))
    return out
