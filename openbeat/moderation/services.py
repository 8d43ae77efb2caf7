"""Writes about moderation: reports, hide and restore, holds, suspensions; every one logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openbeat.accounts.selectors import user_has_role
from openbeat.moderation.models import ModerationAction, Report, Visibility

#: Open reports from this many different people hide an item until a moderator reviews it.
REPORTS_TO_HIDE = 3


def _locked(item):
    """The item's row, locked for this transaction, so concurrent reports count right."""
    return type(item).objects.select_for_update().get(pk=item.pk)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason: it is shown to everyone.")
    if len(reason) > 500:
        raise ValidationError("Keep the reason under 500 characters.")
    return reason


def _require_moderator(user, force: str) -> None:
    if not user_has_role(user=user, kinds={"moderator"}, force=force):
        raise PermissionDenied("Only a moderator for this force can do that.")


def _log(*, kind: str, moderator=None, item=None, account=None, force: str = "", reason: str = "") -> ModerationAction:
    return ModerationAction.objects.create(
        kind=kind, moderator=moderator, target_kind=item.moderation_kind if item is not None else "",
        target_id=item.pk if item is not None else None, account=account,
        force=item.force if item is not None else force, reason=reason)


def open_reports(item):
    return Report.objects.filter(target_kind=item.moderation_kind, target_id=item.pk, closed_at__isnull=True)


@transaction.atomic
def report_create(*, reporter, item, reason: str, flood: bool = False) -> Report:
    """``reporter`` reports ``item``. The third open report (from three people, none in a
    flood) hides it until a moderator reviews them."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say what is wrong with it, so a moderator can judge.")
    if len(reason) > 500:
        raise ValidationError("Keep the reason under 500 characters.")
    item = _locked(item)
    try:
        with transaction.atomic():
            report = Report.objects.create(target_kind=item.moderation_kind, target_id=item.pk, force=item.force,
                                           reporter=reporter, reason=reason, flood=flood)
    except IntegrityError:
        raise ValidationError("You have already reported this; a moderator will look at it.") from None
    counted = open_reports(item).filter(flood=False).values("reporter").distinct().count()
    if counted >= REPORTS_TO_HIDE and item.visibility == Visibility.VISIBLE:
        item.visibility = Visibility.REPORTED
        item.moderated_at = timezone.now()
        item.save(update_fields=["visibility", "moderated_at"])
        _log(kind=ModerationAction.Kind.AUTO_HIDE, item=item,
             reason=f"{counted} open reports: hidden until a moderator reviews them")
    return report


@transaction.atomic
def item_hold(*, item, reason: str) -> None:
    """Keep ``item`` out of sight until a moderator checks it (posted over a rate limit)."""
    item = _locked(item)
    item.visibility = Visibility.HELD
    item.moderated_at = timezone.now()
    item.save(update_fields=["visibility", "moderated_at"])
    _log(kind=ModerationAction.Kind.HOLD, item=item, reason=reason[:500])


def _close_reports(item, *, by, outcome: str) -> None:
    open_reports(item).update(closed_at=timezone.now(), closed_by=by, outcome=outcome)


@transaction.atomic
def item_hide(*, moderator, item, reason: str):
    """Remove ``item`` from view; everyone sees "Removed by a moderator: <reason>"."""
    _require_moderator(moderator, item.force)
    reason = _reason(reason)
    item = _locked(item)
    item.visibility = Visibility.REMOVED
    item.moderation_reason = reason
    item.moderated_at = timezone.now()
    item.save(update_fields=["visibility", "moderation_reason", "moderated_at"])
    _close_reports(item, by=moderator, outcome=Report.Outcome.UPHELD)
    _log(kind=ModerationAction.Kind.HIDE, moderator=moderator, item=item, reason=reason)
    return item


@transaction.atomic
def item_restore(*, moderator, item, reason: str):
    """Show ``item`` again (after reports, a hold or a removal), closing its open reports.
    Its author is told; when it was held (never shown), so are the people its app tells
    about a new one (e.g. the followers of the priority a comment is on)."""
    from openbeat.moderation import registry

    _require_moderator(moderator, item.force)
    reason = _reason(reason)
    item = _locked(item)
    was = item.visibility
    item.visibility = Visibility.VISIBLE
    item.moderation_reason = ""
    item.moderated_at = timezone.now()
    item.save(update_fields=["visibility", "moderation_reason", "moderated_at"])
    _close_reports(item, by=moderator, outcome=Report.Outcome.DISMISSED)
    _log(kind=ModerationAction.Kind.RESTORE, moderator=moderator, item=item, reason=reason)
    if was != Visibility.VISIBLE:
        registry.item_shown(item, was=was)
    return item


@transaction.atomic
def account_suspend(*, moderator, account, force: str, reason: str):
    """A moderator of ``force`` suspends ``account`` (``openbeat.accounts.services.account_suspend``
    does it); logged under ``force``, as every moderation action is."""
    from openbeat.accounts import services as accounts

    _require_moderator(moderator, force)
    reason = _reason(reason)
    account = accounts.account_suspend(by=moderator, user=account, reason=reason)
    _log(kind=ModerationAction.Kind.SUSPEND, moderator=moderator, account=account, force=force, reason=reason)
    return account


@transaction.atomic
def account_unsuspend(*, moderator, account, force: str, reason: str):
    from openbeat.accounts import services as accounts

    _require_moderator(moderator, force)
    reason = _reason(reason)
    account = accounts.account_unsuspend(by=moderator, user=account, reason=reason)
    _log(kind=ModerationAction.Kind.UNSUSPEND, moderator=moderator, account=account, force=force, reason=reason)
    return account


# ---- privacy (openbeat.accounts.privacy) ------------------------------------------------------


def moderation_personal_data(*, user) -> dict:
    return {"reports": [
        {"target_kind": r.target_kind, "target_id": r.target_id, "reason": r.reason,
         "created_at": r.created_at.isoformat(), "outcome": r.outcome or "open"}
        for r in Report.objects.filter(reporter=user).order_by("created_at", "pk")]}


def moderation_personal_data_erase(*, user, keep_text: bool) -> None:
    # a report only makes sense with its reporter; the log keeps what moderators did
    Report.objects.filter(reporter=user, closed_at__isnull=True).delete()
    Report.objects.filter(reporter=user).update(reporter=None)
