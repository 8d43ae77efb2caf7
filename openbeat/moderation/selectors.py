"""Reads about moderation: the per-force queue, the log, who moderates where."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from openbeat.accounts.selectors import user_has_role
from openbeat.moderation import registry
from openbeat.moderation.models import ModerationAction, Report, Visibility


@dataclass
class QueueItem:
    item: object
    kind: str
    reports: list[Report] = field(default_factory=list)

    @property
    def counted_reports(self) -> int:
        return len({r.reporter_id for r in self.reports if not r.flood})


def moderation_forces(*, user) -> list[str]:
    """Forces whose queue ``user`` may see: where they are a verified moderator (an
    administrator sees every force with something in its queue)."""
    from openbeat.accounts.models import Role

    forces = set(Role.objects.filter(user=user, kind="moderator", verified_at__isnull=False)
                 .values_list("force", flat=True))
    if user_has_role(user=user, kinds={"administrator"}):
        forces |= set(Report.objects.values_list("force", flat=True))
        for kind in registry.kinds():
            model = registry.model_for(kind)
            forces |= set(model.objects.exclude(visibility=Visibility.VISIBLE).values_list("force", flat=True))
    return sorted(f for f in forces if f and user_has_role(user=user, kinds={"moderator"}, force=f))


def moderation_queue(*, force: str) -> list[QueueItem]:
    """Items of ``force`` that need a decision: open reports, held, or hidden by reports;
    most-reported first."""
    out: dict[tuple[str, int], QueueItem] = {}
    reports = list(Report.objects.filter(force=force, closed_at__isnull=True).select_related("reporter"))
    for kind in registry.kinds():
        model = registry.model_for(kind)
        ids = {r.target_id for r in reports if r.target_kind == kind}
        items = model.objects.filter(force=force).filter(
            Q(pk__in=ids) | Q(visibility__in=[Visibility.HELD, Visibility.REPORTED]))
        for item in items:
            out[(kind, item.pk)] = QueueItem(item=item, kind=kind)
    for r in reports:
        if (r.target_kind, r.target_id) in out:
            out[(r.target_kind, r.target_id)].reports.append(r)
    return sorted(out.values(), key=lambda q: (-q.counted_reports, q.item.pk))


def moderation_log(*, force: str, limit: int = 100) -> list[ModerationAction]:
    return list(ModerationAction.objects.filter(force=force).select_related("moderator", "account")[:limit])


def report_open_exists(*, reporter, item) -> bool:
    return Report.objects.filter(target_kind=item.moderation_kind, target_id=item.pk, reporter=reporter,
                                 closed_at__isnull=True).exists()
