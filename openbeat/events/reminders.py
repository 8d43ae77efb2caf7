"""The day-before reminder's write: mark a confirmed place reminded, once.

Imports go one way: ``services`` (a place confirmed) queues ``tasks.event_reminder_send``,
which runs :func:`registration_remind` here and then the email; this module imports neither.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from openbeat.events.models import Registration


@transaction.atomic
def registration_remind(*, registration_id: int) -> bool:
    """Mark a confirmed place reminded (once); True when the reminder should be emailed now."""
    registration = Registration.objects.select_for_update().filter(pk=registration_id).select_related(
        "event").first()
    if registration is None or registration.status != Registration.Status.CONFIRMED or registration.reminded_at:
        return False
    now = timezone.now()
    if registration.event.starts_at <= now:
        return False
    registration.reminded_at = now
    registration.save(update_fields=["reminded_at"])
    return True
