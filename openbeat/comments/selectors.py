"""Reads about comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from openbeat.accounts.selectors import users_badges
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


#: Top-level comments (each with all its replies) on one page of a priority or review.
COMMENTS_PER_PAGE = 50


@dataclass
class ThreadPage:
    """One page of a target's conversation: its threads and where it is among the pages."""

    threads: list[Thread]
    number: int
    pages: int
    per_page: int
    #: page numbers to link to, with None for a gap ("…")
    page_range: list[int | None] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def comment_thread_page(*, target_kind: str, target_id: int, viewer=None, moderator: bool = False,
                        page: str | int | None = None, comment: str | int | None = None,
                        per_page: int = COMMENTS_PER_PAGE) -> ThreadPage:
    """One page of :func:`comment_thread`: ``per_page`` top-level comments, oldest first, each
    with all its replies (a thread is never split). ``comment`` (a comment's number, as
    :meth:`Comment.get_absolute_url` links to it) picks the page that holds it; else
    ``page`` (1 when missing or not a page). Four queries, whatever the page holds: the
    count, the page's top-level comments, their replies, their authors' badges."""
    from django.core.paginator import Paginator

    visible = Comment.objects.filter(target_kind=target_kind, target_id=target_id).filter(_visible_to(viewer, moderator))
    tops = visible.filter(parent__isnull=True).select_related("author").order_by("created_at", "pk")
    paginator = Paginator(tops, per_page, allow_empty_first_page=True)
    number = _page_of(tops, comment, per_page) if comment else None
    got = paginator.get_page(number or page)
    threads = {c.pk: Thread(c) for c in got.object_list}
    if threads:
        for r in visible.filter(parent_id__in=list(threads)).select_related("author").order_by("created_at", "pk"):
            threads[r.parent_id].replies.append(r)
    users_badges(users=[c.author for t in threads.values() for c in (t.comment, *t.replies)])
    shown = [None if n == Paginator.ELLIPSIS else n
             for n in paginator.get_elided_page_range(got.number, on_each_side=2, on_ends=1)]
    return ThreadPage(threads=list(threads.values()), number=got.number, pages=paginator.num_pages,
                      per_page=per_page, page_range=shown)


def _page_of(tops, comment: str | int, per_page: int) -> int | None:
    """The page holding ``comment`` (or its thread) among ``tops``; None if it is not there."""
    try:
        pk = int(comment)
    except (TypeError, ValueError):
        return None
    found = Comment.objects.filter(pk=pk).values("pk", "parent_id").first()
    # ``tops`` holds the target's top-level comments this viewer may see: another page's
    # comment, or a held one, is not found there
    top = tops.filter(pk=found["parent_id"] or found["pk"]).values("created_at", "pk").first() if found else None
    if top is None:
        return None
    before = tops.filter(Q(created_at__lt=top["created_at"]) | Q(created_at=top["created_at"], pk__lt=top["pk"]))
    return before.count() // per_page + 1


def comment_list(*, target_kind: str, target_id: int) -> list[Comment]:
    """Every comment the public may know of (held ones are not), oldest first."""
    return list(Comment.objects.filter(target_kind=target_kind, target_id=target_id)
                .exclude(visibility=Visibility.HELD).select_related("author"))


def comment_count(*, target_kind: str, target_id: int) -> int:
    return Comment.objects.filter(target_kind=target_kind, target_id=target_id,
                                  visibility=Visibility.VISIBLE).count()


def comment_get(*, pk: int) -> Comment | None:
    return Comment.objects.filter(pk=pk).first()
