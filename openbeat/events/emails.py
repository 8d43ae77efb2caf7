"""Emails about a person's place at an event (plain text with an HTML alternative). Built and
sent by the worker only."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from openbeat.notifications.emails import absolute_url, multipart_email

SUBJECTS = {
    "confirmed": "Your place at {title} is confirmed",
    "waitlisted": "You are on the waitlist for {title}",
    "promoted": "A place at {title} is now yours",
    "reminder": "Reminder: {title} is tomorrow",
    "feedback": "How was {title}? Tell the team",
    "message": "{subject} ({title})",
}


def event_email(*, registration_id: int, kind: str, message_id: int | None = None) -> bool:
    from openbeat.events.models import Message, Registration

    registration = Registration.objects.select_related("event", "user").filter(pk=registration_id).first()
    if registration is None or kind not in SUBJECTS:
        return False
    user, event = registration.user, registration.event
    if not user.is_active or not user.email:
        return False
    message = Message.objects.filter(pk=message_id, event=event).first() if message_id else None
    if kind == "message" and message is None:
        return False
    subject = SUBJECTS[kind].format(title=event.title, subject=message.subject if message else "")
    multipart_email(subject=f"OpenBeat: {subject}"[:200], template="events/email", to=[user.email],
                    headers={"Auto-Submitted": "auto-generated"}, context={
        "kind": kind, "event": event, "registration": registration, "message": message,
        "starts": timezone.localtime(event.starts_at), "ends": timezone.localtime(event.ends_at),
        "url": absolute_url(event.get_absolute_url()),
        "ics_url": absolute_url(reverse("events:ics", kwargs={"pk": event.pk})),
        "feedback_url": absolute_url(reverse("events:feedback", kwargs={"pk": event.pk})),
    }).send()
    return True
