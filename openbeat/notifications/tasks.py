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
