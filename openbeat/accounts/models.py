"""People and their roles. Areas stay in the lake: roles name them by official code."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class AccountManager(UserManager):
    """Email is the sign-in; ``username`` is kept only because AbstractUser needs one and
    is set to the email, so nothing else has to know about it."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_superuser(email, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Shown publicly only by ``display_name``, never by real name
    or email."""

    class NotifyFrequency(models.TextChoices):
        IMMEDIATE = "immediate", "As soon as something happens"
        DAILY = "daily", "One email a day (daily digest)"
        NONE = "none", "No emails (see them on the site only)"

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=60, blank=True,
        help_text="The name shown beside what you write. Don't use your full real name.")
    home_ward_code = models.CharField(max_length=12, blank=True, help_text="Ward GSS code, e.g. E05013714")
    suspended_at = models.DateTimeField(null=True, blank=True)
    notify_frequency = models.CharField(
        max_length=10, choices=NotifyFrequency.choices, default=NotifyFrequency.IMMEDIATE)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = AccountManager()

    def __str__(self) -> str:
        # never the email: __str__ ends up in logs, admin breadcrumbs and templates
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or f"Resident {self.pk}"


class Role(models.Model):
    """A responsibility someone holds for an area. Counts only once verified."""

    class Kind(models.TextChoices):
        OFFICER = "officer", "Officer"
        PANEL_MEMBER = "panel_member", "Ward panel member"
        PANEL_CHAIR = "panel_chair", "Ward panel chair"
        MODERATOR = "moderator", "Moderator"
        ADMINISTRATOR = "administrator", "Administrator"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    #: ward GSS code or police.uk neighbourhood id (officer and panel roles); the force
    #: slug for moderators; blank for administrators
    area_code = models.CharField(max_length=64, blank=True)
    #: police.uk force slug (e.g. "metropolitan")
    force = models.CharField(max_length=64, blank=True)
    verified_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "area_code", "force"], name="role_once_per_area"),
        ]
        indexes = [models.Index(fields=["kind", "area_code"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.force}/{self.area_code}".rstrip("/ ")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
