"""Background tasks run by ``openbeat worker`` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def notification_email_send(*, notification_ids: list[int]) -> int:
    """Email one notification (immediate) or several (a digest) to their one recipient.
    Already-emailed notifications are skipped, so a retried task sends nothing twice.
    Returns how many notifications the email carried."""
    from openbeat.notifications.emails import notifications_email

    return notifications_email(notification_ids=notification_ids)


@task()
def notification_fan_out(*, target_kind: str, target_code: str, subject: str, body: str, url: str,
                         actor_id: int | None = None, also_following: list[list[str]] | None = None) -> int:
    """Tell the followers of a change (queued once per change by ``notification_announce``):
    a notification each and, for those who chose it, an immediate email. Returns how many
    were told."""
    from openbeat.accounts.models import User
    from openbeat.notifications.services import notification_send

    return notification_send(target_kind=target_kind, target_code=target_code, subject=subject, body=body,
                             url=url, actor=User(pk=actor_id) if actor_id is not None else None,
                             also_following=[(k, c) for k, c in also_following or ()])
