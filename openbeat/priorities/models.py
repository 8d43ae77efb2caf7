"""Priorities, who supports them, and the timeline of what happened to each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from openbeat.moderation.models import Moderated

TITLE_MAX = 120
DESCRIPTION_MAX = 4000
TEXT_MAX = 4000


class Priority(Moderated):
    """A problem residents want their neighbourhood team to work on, in one ward."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ADOPTED = "adopted", "Adopted"
        DECLINED = "declined", "Declined"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        NOT_RESOLVED = "not_resolved", "Not resolved"

    #: ward GSS code (areas stay in the lake; checked through openbeat.areas.lookup)
    ward_code = models.CharField(max_length=12, db_index=True)
    #: police.uk force whose team and moderators look after the ward
    force = models.CharField(max_length=64, db_index=True)
    title = models.CharField(max_length=TITLE_MAX)
    #: what and where, in the proposer's words
    description = models.TextField(max_length=DESCRIPTION_MAX)
    #: police.uk crime types it concerns (openbeat.analytics.harm.CRIME_TYPES)
    crime_types = models.JSONField(default=list)
    #: an optional point inside the ward (WGS84)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="priorities_proposed")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED, db_index=True)
    #: the period it is adopted for
    adopted_on = models.DateField(null=True, blank=True)
    adopted_until = models.DateField(null=True, blank=True)
    #: why it was declined (public)
    decline_reason = models.TextField(max_length=TEXT_MAX, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    #: the panel's closing summary
    summary = models.TextField(max_length=TEXT_MAX, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.title} ({self.ward_code})"

    def get_absolute_url(self) -> str:
        return reverse("priorities:detail", kwargs={"pk": self.pk})

    @property
    def author(self):
        return self.proposed_by

    @property
    def moderation_excerpt(self) -> str:
        return f"{self.title}: {self.description[:400]}"

    @property
    def is_active(self) -> bool:
        """Counts towards the ward's limit of adopted priorities."""
        return self.state in (self.State.ADOPTED, self.State.IN_PROGRESS)


class PriorityWard(models.Model):
    """One row per ward with priorities: the row locked while adopting, so the ward's limit
    holds when two people adopt at once (a count alone cannot be locked)."""

    ward_code = models.CharField(max_length=12, unique=True)
    force = models.CharField(max_length=64)


class Support(models.Model):
    """One account supports one priority at most (the constraint holds under concurrent requests)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["priority", "user"], name="support_once_per_account")]


class TimelineEntry(models.Model):
    """Something that happened to a priority: a change of state, an action or an update."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ADOPTED = "adopted", "Adopted"
        DECLINED = "declined", "Declined"
        STARTED = "started", "Work started"
        ACTION = "action", "Action"
        UPDATE = "update", "Progress update"
        CLOSED = "closed", "Closed"

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    #: the capacity they acted in, as it was then ("Verified officer", "Ward panel chair", "Resident")
    actor_role = models.CharField(max_length=40, blank=True)
    text = models.TextField(max_length=TEXT_MAX, blank=True)
    #: when it happened (an action's own date may be before it was posted)
    happened_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["happened_on", "created_at", "pk"]
        verbose_name_plural = "timeline entries"

    @property
    def is_action(self) -> bool:
        return self.kind in (self.Kind.ACTION, self.Kind.UPDATE)
