"""Writes about comments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from openbeat.comments.models import MAX_LENGTH, Comment
from openbeat.moderation.models import DELETED_BY_AUTHOR, Visibility
from openbeat.moderation.services import item_hold


@transaction.atomic(savepoint=False)  # inside a caller's transaction: no savepoint round trips
def comment_create(*, author, target_kind: str, target_id: int, target_url: str, force: str, body: str,
                   parent: Comment | None = None, held_reason: str = "") -> Comment:
    """``author`` comments on the target, or replies to ``parent`` (a reply to a reply joins
    the same thread: one level is enough to follow). ``held_reason`` holds it for a moderator."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write your comment first.")
    if len(body) > MAX_LENGTH:
        raise ValidationError(f"Keep comments under {MAX_LENGTH:,} characters (this one has {len(body):,}).")
    if parent is not None:
        if (parent.target_kind, parent.target_id) != (target_kind, target_id):
            raise ValidationError("That reply belongs to another page.")
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment.objects.create(author=author, target_kind=target_kind, target_id=target_id,
                                     target_url=target_url, force=force, body=body, parent=parent)
    if held_reason:
        item_hold(item=comment, reason=held_reason)
        comment.refresh_from_db()
    return comment


@transaction.atomic(savepoint=False)
def comment_post(*, author, target_kind: str, target_id: int, target_url: str, force: str, title: str, body: str,
                 parent: Comment | None = None, held_reason: str = "") -> Comment:
    """:func:`comment_create`, then tell the people following the target (a shown comment only)."""
    from openbeat.notifications.services import notification_announce

    comment = comment_create(author=author, target_kind=target_kind, target_id=target_id, target_url=target_url,
                             force=force, body=body, parent=parent, held_reason=held_reason)
    if comment.is_shown:
        what = "New reply" if comment.parent_id else "New comment"
        notification_announce(target_kind=target_kind, target_code=str(target_id), subject=f"{what}: {title}",
                              body=comment.body[:500], url=comment.get_absolute_url(), actor=author)
    return comment


def comment_shown(comment: Comment, *, was: str) -> None:
    """A moderator showed ``comment`` again (``openbeat.moderation.registry``): its author is
    told; if it was held, nobody has seen it yet, so the followers of what it is on are told
    as they are of any new comment (not after a report or removal: they were told then)."""
    from openbeat.notifications.models import TargetKind
    from openbeat.notifications.selectors import target_name
    from openbeat.notifications.services import notification_announce, notification_tell

    if comment.target_kind not in TargetKind.values:
        return
    what = "reply" if comment.parent_id else "comment"
    on = target_name(target_kind=comment.target_kind, target_code=str(comment.target_id)) or comment.target_kind
    first = was == Visibility.HELD
    if comment.author is not None:
        notification_tell(
            user=comment.author, target_kind=comment.target_kind, target_code=str(comment.target_id),
            subject=(f"Your {what} is now shown: {on}" if first else f"Your {what} is shown again: {on}"),
            body=("A moderator checked it and it is now shown to everyone." if first else
                  "A moderator reviewed it and it is shown to everyone again."),
            url=comment.get_absolute_url())
    if first:
        notification_announce(target_kind=comment.target_kind, target_code=str(comment.target_id),
                              subject=f"New {what}: {on}", body=comment.body[:500],
                              url=comment.get_absolute_url(), actor=comment.author)


def comments_personal_data(*, user) -> list[dict]:
    return [{"id": c.pk, "on": f"{c.target_kind} {c.target_id}", "reply_to": c.parent_id, "body": c.body,
             "created_at": c.created_at.isoformat(), "visibility": c.visibility}
            for c in Comment.objects.filter(author=user).order_by("created_at", "pk")]


def comments_personal_data_erase(*, user, keep_text: bool) -> None:
    mine = Comment.objects.filter(author=user)
    if keep_text:
        mine.update(author=None)
    else:
        # replies by others stay (their words), under a notice where the comment was
        mine.update(author=None, body="", visibility=Visibility.REMOVED,
                    moderation_reason=DELETED_BY_AUTHOR)
