"""A person's priorities, supports, comments and reports are in their download, and go (or stay
as "a former resident") when they delete their account."""

from __future__ import annotations

import pytest

from openbeat.accounts.services import account_delete, account_export
from openbeat.comments.models import Comment
from openbeat.moderation.models import Report
from openbeat.moderation.services import report_create
from openbeat.priorities import services
from openbeat.priorities.models import Priority, Support
from tests.priorities.conftest import make_user, propose

pytestmark = pytest.mark.django_db


def _story():
    author, other = make_user("Author"), make_user("Other")
    p = propose(author)
    services.support_add(priority=p, user=author)
    c = services.priority_comment_add(priority=p, author=author, body="My words")
    services.priority_comment_add(priority=p, author=other, body="A reply", parent=c)
    report_create(reporter=author, item=propose(other, title="Spam"), reason="spam")
    return author, other, p, c


def test_the_download_holds_what_they_wrote(use_lake):
    author, _, p, c = _story()
    data = account_export(user=author)
    assert [x["title"] for x in data["priorities"]["proposed"]] == ["Burglary on Test Street"]
    assert [x["priority_id"] for x in data["priorities"]["supported"]] == [p.pk]
    assert [x["body"] for x in data["comments"]] == ["My words"]
    assert [x["reason"] for x in data["moderation"]["reports"]] == ["spam"]


def test_deleting_keeps_the_words_as_a_former_resident(use_lake, client):
    author, other, p, c = _story()
    account_delete(user=author, keep_text=True)
    p.refresh_from_db()
    c.refresh_from_db()
    assert p.proposed_by is None and p.title == "Burglary on Test Street" and c.body == "My words"
    assert not Support.objects.exists() and not Report.objects.exists()
    html = client.get(p.get_absolute_url()).content.decode()
    assert "Proposed by <strong>a former resident</strong>" in html and "My words" in html


def test_deleting_can_remove_the_words(use_lake, client):
    author, other, p, c = _story()
    account_delete(user=author, keep_text=False)
    c.refresh_from_db()
    p.refresh_from_db()
    assert (c.body, c.author, c.visibility) == ("", None, "removed")
    assert (p.title, p.description, p.visibility) == ("Withdrawn by its author", "", "removed")
    # others' replies stay, under the notice where the comment was
    assert Comment.objects.get(author=other).body == "A reply"
    assert Priority.objects.filter(proposed_by=other).count() == 1
    html = client.get(p.get_absolute_url()).content.decode()
    assert "Deleted by its author." in html and "Sheds broken into" not in html
