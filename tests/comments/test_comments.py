"""Comments on their own: the rules comment_create keeps, threads, who sees a held comment,
and a person's comments in their download and after they leave.

The targets here are bare (kind, id) pairs: the comments app knows nothing of priorities or
reviews, which test their comments in tests/priorities and tests/reviews.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from openbeat.comments.models import MAX_LENGTH
from openbeat.comments.selectors import comment_count, comment_list, comment_thread
from openbeat.comments.services import comment_create, comments_personal_data, comments_personal_data_erase
from openbeat.moderation.models import Visibility
from tests.priorities.conftest import make_user

pytestmark = pytest.mark.django_db

ON = {"target_kind": "priority", "target_id": 7, "target_url": "/priorities/7/", "force": "testforce"}
ELSEWHERE = {**ON, "target_id": 8, "target_url": "/priorities/8/"}


def refused(**kw) -> list[str]:
    """comment_create's messages when it refuses (in a savepoint of its own: it joins its caller's transaction)."""
    with pytest.raises(ValidationError) as refusal, transaction.atomic():
        comment_create(**kw)
    return refusal.value.messages


def test_a_comment_needs_words_within_the_limit():
    ada = make_user("Ada")
    assert refused(author=ada, body="   ", **ON) == ["Write your comment first."]
    assert refused(author=ada, body="x" * (MAX_LENGTH + 1), **ON) == [
        f"Keep comments under 2,000 characters (this one has {MAX_LENGTH + 1:,})."]
    c = comment_create(author=ada, body="  Thank you  ", **ON)
    assert (c.body, c.visibility, c.get_absolute_url()) == ("Thank you", Visibility.VISIBLE,
                                                             f"/priorities/7/?comment={c.pk}#comment-{c.pk}")


def test_a_reply_to_a_reply_joins_the_thread_and_a_reply_stays_on_its_page():
    ada, bo = make_user("Ada"), make_user("Bo")
    top = comment_create(author=ada, body="First", **ON)
    reply = comment_create(author=bo, body="Reply", parent=top, **ON)
    deeper = comment_create(author=ada, body="Reply to the reply", parent=reply, **ON)
    assert (reply.parent_id, deeper.parent_id) == (top.pk, top.pk)
    assert refused(author=bo, body="Lost", parent=top, **ELSEWHERE) == ["That reply belongs to another page."]
    threads = comment_thread(target_kind="priority", target_id=7)
    assert [(t.comment.body, [r.body for r in t.replies]) for t in threads] == [
        ("First", ["Reply", "Reply to the reply"])]
    assert comment_count(target_kind="priority", target_id=8) == 0


def test_a_held_comment_is_seen_by_its_author_and_moderators_only():
    ada, bo = make_user("Ada"), make_user("Bo")
    comment_create(author=ada, body="Shown", **ON)
    held = comment_create(author=bo, body="Waiting", held_reason="new account", **ON)
    assert held.visibility == Visibility.HELD

    def bodies(**who):
        return [t.comment.body for t in comment_thread(target_kind="priority", target_id=7, **who)]

    assert bodies() == ["Shown"]
    assert bodies(viewer=ada) == ["Shown"]
    assert bodies(viewer=bo) == ["Shown", "Waiting"]
    assert bodies(moderator=True) == ["Shown", "Waiting"]
    assert [c.body for c in comment_list(target_kind="priority", target_id=7)] == ["Shown"]
    assert comment_count(target_kind="priority", target_id=7) == 1


def test_a_persons_comments_are_in_their_download_and_go_or_stay_when_they_leave():
    ada, bo = make_user("Ada"), make_user("Bo")
    mine = comment_create(author=ada, body="My words", **ON)
    theirs = comment_create(author=bo, body="A reply", parent=mine, **ON)
    [data] = comments_personal_data(user=ada)
    assert data == {"id": mine.pk, "on": "priority 7", "reply_to": None, "body": "My words",
                    "created_at": mine.created_at.isoformat(), "visibility": Visibility.VISIBLE}

    comments_personal_data_erase(user=ada, keep_text=True)
    mine.refresh_from_db()
    assert (mine.author, mine.body, mine.visibility) == (None, "My words", Visibility.VISIBLE)

    again = comment_create(author=bo, body="Gone soon", **ELSEWHERE)
    comments_personal_data_erase(user=bo, keep_text=False)
    again.refresh_from_db()
    theirs.refresh_from_db()
    assert [(c.author, c.body, c.visibility) for c in (again, theirs)] == [(None, "", Visibility.REMOVED)] * 2
    mine.refresh_from_db()
    assert mine.body == "My words"  # Ada's words, kept when she left, stay when Bo leaves
    assert comments_personal_data(user=bo) == []
