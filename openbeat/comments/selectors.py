"""Reads about comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from openbeat.comments.models import Comment
from openbeat.moderation.models import Visibility


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def _visible_to(viewer, moderator: bool = False):
    """Everything but held comments, and the viewer's own held ones (marked as waiting);
    everything for the target's moderators."""
    if moderator:
        return Q()
    cond = ~Q(visibility=Visibility.HELD)
    if viewer is not None and viewer.is_authenticated:
        cond |= Q(author=viewer)
    return cond


def comment_thread(*, target_kind: str, target_id: int, viewer=None, moderator: bool = False) -> list[Thread]:
    """Top-level comments, oldest first, each with its replies; removed ones keep their place
    (their notice shown instead of their words) so the conversation still reads."""
    rows = list(Comment.objects.filter(target_kind=target_kind, target_id=target_id).filter(_visible_to(viewer, moderator))
                .select_related("author"))
    threads = {c.pk: Thread(c) for c in rows if c.parent_id is None}
    for c in rows:
        if c.parent_id is not None and c.parent_id in threads:
            threads[c.parent_id].replies.append(c)
    return list(threads.values())


def comment_list(*, target_kind: str, target_id: int) -> list[Comment]:
    """Every comment the public may know of (held ones are not), oldest first."""
    return list(Comment.objects.filter(target_kind=target_kind, target_id=target_id)
                .exclude(visibility=Visibility.HELD).select_related("author"))


def comment_count(*, target_kind: str, target_id: int) -> int:
    return Comment.objects.filter(target_kind=target_kind, target_id=target_id,
                                  visibility=Visibility.VISIBLE).count()


def comment_get(*, pk: int) -> Comment | None:
    return Comment.objects.filter(pk=pk).first()
