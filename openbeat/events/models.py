"""Events for wards, who registered, who came, and what they said afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from openbeat.events.questions import QUESTIONS

TITLE_MAX = 120
TEXT_MAX = 4000


class Event(models.Model):
    """A meeting the neighbourhood team or ward panel holds for one or more wards."""

    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=TEXT_MAX)
    venue = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    step_free = models.BooleanField("step-free access", default=False)
    hearing_loop = models.BooleanField(default=False)
    #: languages interpreted or spoken, in the organiser's words ("Turkish, BSL")
    language_support = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    online_link = models.URLField(blank=True)
    #: police.uk force whose team holds it (its moderators look after the feedback text)
    force = models.CharField(max_length=64, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="events_organised")
    #: what the team says it will do after hearing the feedback (public)
    team_response = models.TextField(max_length=TEXT_MAX, blank=True)
    team_response_at = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(default=False, help_text="made up for the demo")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def ward_codes(self) -> list[str]:
        return [w.ward_code for w in self.wards.all()]


class EventWard(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="wards")
    #: ward GSS code (checked through openbeat.areas.lookup)
    ward_code = models.CharField(max_length=12, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "ward_code"], name="event_ward_once")]


class Registration(models.Model):
    """One account's place at an event: confirmed, on the waitlist, or cancelled."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Place confirmed"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    #: when they joined the queue: the waitlist is served in this order
    queued_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    #: recorded by the organiser after the event (None: not recorded)
    attended = models.BooleanField(null=True, blank=True)
    feedback_asked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_account")]


class Message(models.Model):
    """An organiser's message to everyone registered."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)


class Feedback(models.Model):
    """An attendee's answers after an event. The free text is public only once approved."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    rating = models.PositiveSmallIntegerField(help_text="overall, 1 (poor) to 5 (excellent)")
    text = models.TextField(max_length=TEXT_MAX, blank=True)
    text_approved_at = models.DateTimeField(null=True, blank=True)
    text_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="feedback_once_per_account")]


for _q in QUESTIONS:
    Feedback.add_to_class(_q.name, models.CharField(max_length=20, blank=True, choices=_q.choices,
                                                    verbose_name=_q.short))
