"""Writes about follows and notifications. Emails are queued for the worker, never sent here.

Imports go one way: ``notification_announce`` queues ``tasks.notification_fan_out``, which
runs ``delivery.notification_send``; nothing a task runs imports this module."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from openbeat.notifications.delivery import check_target_kind, notification_emails_queue
from openbeat.notifications.models import DigestDelivery, Follow, Notification


@transaction.atomic
def follow_create(*, user, target_kind: str, target_code: str) -> Follow:
    """Follow a target; following it again changes nothing."""
    check_target_kind(target_kind)
    follow, _ = Follow.objects.get_or_create(user=user, target_kind=target_kind, target_code=str(target_code))
    return follow


@transaction.atomic
def follow_delete(*, user, target_kind: str, target_code: str) -> int:
    """Stop following; returns how many follows went (0 or 1)."""
    deleted, _ = Follow.objects.filter(user=user, target_kind=target_kind, target_code=str(target_code)).delete()
    return deleted


def notification_announce(*, target_kind: str, target_code: str, subject: str, body: str, url: str,
                          actor=None, also_following: Iterable[tuple[str, str]] = ()) -> None:
    """What a request calls on a change: queue ONE task, whatever the number of followers,
    that the worker runs as :func:`notification_send` (who follows, a notification each,
    their emails). The task is a row written in the caller's transaction, so it is queued
    exactly when the change is committed, and the request pays one insert, not a query for
    the followers, an insert of their notifications and a task per email."""
    from openbeat.notifications.tasks import notification_fan_out

    check_target_kind(target_kind)
    notification_fan_out.enqueue(target_kind=target_kind, target_code=str(target_code), subject=subject,
                                 body=body, url=url, actor_id=getattr(actor, "pk", None),
                                 also_following=[[k, str(c)] for k, c in also_following])


@transaction.atomic(savepoint=False)
def notification_tell(*, user, target_kind: str, target_code: str, subject: str, body: str, url: str) -> bool:
    """Tell one person about something of theirs (e.g. their comment shown again after a
    moderator's review), whether or not they follow it. False when they cannot be told
    (gone, or suspended)."""
    from openbeat.accounts.models import User

    check_target_kind(target_kind)
    if user is None or not user.is_active or user.suspended_at:
        return False
    made = Notification.objects.create(user=user, target_kind=target_kind, target_code=str(target_code),
                                       subject=subject[:200], body=body, url=url)
    if user.notify_frequency == User.NotifyFrequency.IMMEDIATE:
        transaction.on_commit(lambda: notification_emails_queue([made.pk]))
    return True


def notification_digests_enqueue(*, now=None, hour: int | None = None) -> int:
    """Queue today's digest for every daily-digest user with something unsent, once a day
    after ``hour`` (local time; OPENBEAT_DIGEST_HOUR). Safe to call from several workers:
    the (user, day) row is claimed before the email is queued. Returns how many were queued."""
    from django.conf import settings

    from openbeat.accounts.models import User
    from openbeat.notifications.emails import notification_email_send

    now = timezone.localtime(now or timezone.now())
    hour = settings.OPENBEAT_DIGEST_HOUR if hour is None else hour
    if now.hour < hour:
        return 0
    today = now.date()
    pending = (Notification.objects
               .filter(emailed_at__isnull=True, user__notify_frequency=User.NotifyFrequency.DAILY,
                       user__is_active=True, user__suspended_at__isnull=True)
               .exclude(user__in=DigestDelivery.objects.filter(day=today).values("user")))
    by_user: dict[int, list[int]] = {}
    for user_id, pk in pending.order_by("user_id", "created_at", "pk").values_list("user_id", "pk"):
        by_user.setdefault(user_id, []).append(pk)
    queued = 0
    for user_id, pks in by_user.items():
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(user_id=user_id, day=today)
                ids = list(pks)
                transaction.on_commit(lambda ids=ids: notification_email_send.enqueue(notification_ids=ids))
        except IntegrityError:
            continue  # another worker claimed this user's digest today
        queued += 1
    return queued


@transaction.atomic
def notifications_unsubscribe(*, user) -> None:
    """One-click unsubscribe: no more emails (notifications stay visible on the site)."""
    from openbeat.accounts.models import User

    user.notify_frequency = User.NotifyFrequency.NONE
    user.save(update_fields=["notify_frequency"])


@transaction.atomic
def notifications_mark_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def notifications_personal_data(*, user) -> dict:
    return {
        "follows": [{"target_kind": f.target_kind, "target_code": f.target_code,
                     "created_at": f.created_at.isoformat()}
                    for f in Follow.objects.filter(user=user).order_by("created_at", "pk")],
        "notifications": [{"subject": n.subject, "body": n.body, "url": n.url,
                           "created_at": n.created_at.isoformat(),
                           "emailed_at": n.emailed_at.isoformat() if n.emailed_at else None}
                          for n in Notification.objects.filter(user=user).order_by("created_at", "pk")],
    }


def notifications_personal_data_erase(*, user, keep_text: bool) -> None:
    # follows and notifications are only about this person: they always go
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    DigestDelivery.objects.filter(user=user).delete()
