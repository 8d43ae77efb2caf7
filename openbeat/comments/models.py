from __future__ import annotations

from django.conf import settings
from django.db import models

from openbeat.moderation.models import Moderated

MAX_LENGTH = 2000


class Comment(Moderated):
    """What someone said about a target; a reply names its top-level comment as ``parent``."""

    target_kind = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    #: the target's page, so a comment links back without knowing the target's app
    target_url = models.CharField(max_length=300)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    #: None once the author deleted their account and chose to keep their words
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="comments")
    body = models.TextField(max_length=MAX_LENGTH)
    #: police.uk force whose moderators look after it
    force = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["target_kind", "target_id", "created_at"])]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.target_kind} {self.target_id}"

    def get_absolute_url(self) -> str:
        """The target's page that holds this comment (comments are paged), at the comment."""
        return f"{self.target_url}?comment={self.pk}#comment-{self.pk}"

    @property
    def moderation_excerpt(self) -> str:
        return self.body[:500]
