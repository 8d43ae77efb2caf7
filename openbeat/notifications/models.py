"""Who follows what, what they were told, and when it was emailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TargetKind(models.TextChoices):
    WARD = "ward", "Ward"
    PRIORITY = "priority", "Priority"
    AREA = "area", "Area"
    REVIEW = "review", "Review"


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    #: ward GSS code, priority id, area code or review id, as text
    target_code = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target_kind", "target_code"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["target_kind", "target_code"])]


class Notification(models.Model):
    """One thing one person is told. Emailed by the worker: at once, or in the daily digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_code = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    #: path on this site (e.g. /wards/E05.../priorities/3/); made absolute in emails
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "emailed_at"])]
        ordering = ["-created_at", "-pk"]


class DigestDelivery(models.Model):
    """A user's daily digest for one day; the unique day stops two workers sending it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]
