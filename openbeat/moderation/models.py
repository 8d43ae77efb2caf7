"""Reports, the moderation log, and the fields every moderated model shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Visibility(models.TextChoices):
    VISIBLE = "visible", "Shown"
    #: posted while its author or address was over a rate limit: a moderator checks it first
    HELD = "held", "Held for a moderator to check"
    #: three people reported it: hidden until a moderator reviews the reports
    REPORTED = "reported", "Hidden while a moderator reviews reports"
    REMOVED = "removed", "Removed by a moderator"


#: ``moderation_reason`` of text its author removed when deleting their account.
DELETED_BY_AUTHOR = "deleted by its author"


class Moderated(models.Model):
    """Fields and wording shared by everything people write that others can report.

    A subclass has a ``force`` field (the police.uk force whose moderators look after it),
    an ``author`` property and a ``get_absolute_url``; ``moderation_kind`` is set when it
    is registered.
    """

    moderation_kind = ""

    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE,
                                  db_index=True)
    #: shown to everyone when a moderator removed it ("Removed by a moderator: <reason>")
    moderation_reason = models.CharField(max_length=500, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_shown(self) -> bool:
        return self.visibility == Visibility.VISIBLE

    @property
    def public_notice(self) -> str:
        """What the public sees instead of the text when it is not shown."""
        if self.visibility == Visibility.REMOVED and self.moderation_reason == DELETED_BY_AUTHOR:
            return "Deleted by its author."
        if self.visibility == Visibility.REMOVED:
            return f"Removed by a moderator: {self.moderation_reason}"
        if self.visibility == Visibility.REPORTED:
            return "Hidden while a moderator reviews reports about it."
        if self.visibility == Visibility.HELD:
            return "Waiting for a moderator to check it."
        return ""


class Report(models.Model):
    """Someone signed in says an item breaks the rules. Open until a moderator decides."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Upheld: the item was removed"
        DISMISSED = "dismissed", "Dismissed: the item stays"

    target_kind = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    #: police.uk force slug whose moderators see it
    force = models.CharField(max_length=64, db_index=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="reports_made")
    reason = models.CharField(max_length=500)
    #: made while the reporter was over the rate limit: shown to moderators, but it does
    #: not count towards the three reports that hide an item
    flood = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target_kind", "target_id", "reporter"], condition=Q(closed_at__isnull=True),
                                    name="report_open_once_per_person"),
        ]
        indexes = [models.Index(fields=["target_kind", "target_id"])]
        ordering = ["created_at", "pk"]


class ModerationAction(models.Model):
    """One line of the moderation log. ``moderator`` is None for what the site did itself
    (three reports hid an item; a flood held it)."""

    class Kind(models.TextChoices):
        HIDE = "hide", "Removed"
        RESTORE = "restore", "Restored"
        AUTO_HIDE = "auto_hide", "Hidden after three reports"
        HOLD = "hold", "Held: posted in a flood"
        SUSPEND = "suspend", "Account suspended"
        UNSUSPEND = "unsuspend", "Suspension lifted"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    target_kind = models.CharField(max_length=20, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    #: the account suspended (or whose suspension was lifted)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    force = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
