"""Background tasks run by ``openbeat worker`` (django-tasks, database backend).

Reminders are scheduled when a place is confirmed: a task with ``run_after`` one day before
the start (or at once, for a place confirmed later than that). The worker runs it when it
falls due, so ``make demo`` (which starts the worker) needs nothing more.

Imports go one way: ``services`` queues these tasks; they run the work below both
(``reminders.registration_remind``, ``emails.event_email``) and never import ``services``.
"""

from __future__ import annotations

from django_tasks import task


@task()
def event_email_send(*, registration_id: int, kind: str, message_id: int | None = None) -> bool:
    """Email one person about their place: confirmed, waitlisted, promoted, a message from
    the organiser, or the feedback form. Returns whether an email went."""
    from openbeat.events.emails import event_email

    return event_email(registration_id=registration_id, kind=kind, message_id=message_id)


@task()
def event_reminder_send(*, registration_id: int) -> bool:
    """The day-before reminder, once per place, only while the place is still confirmed."""
    from openbeat.events.emails import event_email
    from openbeat.events.reminders import registration_remind

    if not registration_remind(registration_id=registration_id):
        return False
    return event_email(registration_id=registration_id, kind="reminder")
