"""Background tasks run by ``openbeat worker`` (django-tasks, database backend).

Imports go one way: ``services.notification_announce`` queues :func:`notification_fan_out`,
which runs :func:`openbeat.notifications.delivery.notification_send`; a task never imports the
services that queue it. The email task, ``notification_email_send``, is queued by that
delivery, so it sits below it, in :mod:`openbeat.notifications.emails` beside the email it sends.
"""

from __future__ import annotations

from django_tasks import task


@task()
def notification_fan_out(*, target_kind: str, target_code: str, subject: str, body: str, url: str,
                         actor_id: int | None = None, also_following: list[list[str]] | None = None) -> int:
    """Tell the followers of a change (queued once per change by ``notification_announce``):
    a notification each and, for those who chose it, an immediate email. Returns how many
    were told."""
    from openbeat.accounts.models import User
    from openbeat.notifications.delivery import notification_send

    return notification_send(target_kind=target_kind, target_code=target_code, subject=subject, body=body,
                             url=url, actor=User(pk=actor_id) if actor_id is not None else None,
                             also_following=[(k, c) for k, c in also_following or ()])
