"""Residents' quarterly answers about policing in their ward."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openbeat.events.questions import QUESTIONS

AGE_BANDS = (("16-24", "16 to 24"), ("25-34", "25 to 34"), ("35-44", "35 to 44"), ("45-54", "45 to 54"),
             ("55-64", "55 to 64"), ("65+", "65 or over"))
SEXES = (("female", "Female"), ("male", "Male"))


class PulseAnswer(models.Model):
    """One account's answers for one ward in one quarter (``2026-Q4``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ward_code = models.CharField(max_length=12, db_index=True)
    quarter = models.CharField(max_length=7, db_index=True)
    age_band = models.CharField(max_length=5, choices=AGE_BANDS, blank=True)
    sex = models.CharField(max_length=6, choices=SEXES, blank=True)
    synthetic = models.BooleanField(default=False, help_text="made up for the demo")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "quarter"], name="pulse_once_per_account_quarter")]


for _q in QUESTIONS:
    PulseAnswer.add_to_class(_q.name, models.CharField(max_length=20, blank=True, choices=_q.choices,
                                                       verbose_name=_q.short))
