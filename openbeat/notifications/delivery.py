"""Telling followers: the notifications a change makes, and the immediate emails they queue.

Imports go one way: ``services.notification_announce`` (a request's change) queues
``tasks.notification_fan_out``, which runs :func:`notification_send` here; this queues
``emails.notification_email_send``. Nothing here imports ``services`` or ``tasks``.
Other apps' services may also call :func:`notification_send` directly (a review published
by the CLI or a task tells its followers at once).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from openbeat.notifications.models import Notification, TargetKind


def check_target_kind(target_kind: str) -> None:
    if target_kind not in TargetKind.values:
        raise ValidationError(f"{target_kind!r} cannot be followed; choose one of {', '.join(TargetKind.values)}")


@transaction.atomic(savepoint=False)
def notification_send(*, target_kind: str, target_code: str, subject: str, body: str, url: str,
                      actor=None, also_following: Iterable[tuple[str, str]] = ()) -> int:
    """Tell everyone who follows ``target_kind``/``target_code`` (and, once only, anyone
    following a target in ``also_following``, e.g. a priority's ward) except ``actor``.

    Records one Notification each; for people who chose immediate email, queues the email
    for the worker once this transaction commits. Returns how many were recorded.
    """
    from django.db.models import Q

    from openbeat.accounts.models import User

    check_target_kind(target_kind)
    targets = [(target_kind, str(target_code)), *((k, str(c)) for k, c in also_following)]
    followed = Q()
    for kind, code in targets:
        followed |= Q(follows__target_kind=kind, follows__target_code=code)
    people = User.objects.filter(followed, is_active=True, suspended_at__isnull=True).distinct()
    if actor is not None and actor.pk is not None:
        people = people.exclude(pk=actor.pk)
    # (id, frequency) pairs, not model instances: nothing else of a follower is needed
    people = list(people.values_list("pk", "notify_frequency"))
    made = Notification.objects.bulk_create([
        Notification(user_id=pk, target_kind=target_kind, target_code=str(target_code),
                     subject=subject[:200], body=body, url=url)
        for pk, _ in people
    ])
    immediate = [n.pk for n, (_, frequency) in zip(made, people, strict=True)
                 if frequency == User.NotifyFrequency.IMMEDIATE]
    if immediate:
        transaction.on_commit(lambda: notification_emails_queue(immediate))
    return len(made)


def notification_emails_queue(notification_ids: list[int]) -> None:
    """Queue one email each (immediate email); called once the transaction commits."""
    from openbeat.notifications.emails import notification_email_send

    for pk in notification_ids:
        notification_email_send.enqueue(notification_ids=[pk])
