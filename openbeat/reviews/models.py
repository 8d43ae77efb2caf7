"""A published review: figures frozen with the lake state they came from. Never edited;
publishing again for the same area and quarter makes the next version."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Review(models.Model):
    area_code = models.CharField(max_length=64, db_index=True)
    area_name = models.CharField(max_length=200)
    area_level = models.CharField(max_length=10)  # force, borough or ward
    #: police.uk force whose moderators look after the comments
    force = models.CharField(max_length=64)
    quarter = models.CharField(max_length=7)  # YYYY-Qn
    version = models.PositiveIntegerField()
    #: the lake figures (openbeat.analytics.review.review_figures), as computed
    figures = models.JSONField()
    #: engagement, trust pulse and priorities from this database, as they stood
    community = models.JSONField(default=dict)
    #: statements generated from the figures, each with its test or interval
    headlines = models.JSONField(default=list)
    #: since the previous review: each change tested; and its commitments, met or not
    changes = models.JSONField(default=list)
    commitments = models.JSONField(default=list)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    #: what the lake held (openbeat.analytics.review.lake_state)
    lake_state = models.JSONField()
    lake_signature = models.CharField(max_length=16)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    synthetic = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area_code", "quarter", "version"], name="review_version_once")]
        ordering = ["area_code", "-quarter", "-version"]

    def __str__(self) -> str:
        return f"Review of {self.area_name}, {self.quarter} (version {self.version})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reviews:detail", kwargs={"code": self.area_code, "quarter": self.quarter,
                                                 "version": self.version})

    @property
    def title(self) -> str:
        return f"{self.area_name}: progress review, {self.quarter}"
