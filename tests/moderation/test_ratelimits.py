"""Rate limits per account and per address: over the limit, text is held for a moderator and
supports are refused, with a message; far over, everything is refused."""

from __future__ import annotations

import pytest

from openbeat.moderation.ratelimits import LIMITS, REFUSE_FACTOR, RateLimited, rate_limit
from openbeat.priorities.models import Priority
from tests.priorities.conftest import NORTH, make_user, propose

pytestmark = pytest.mark.django_db


def test_counts_per_account_and_per_address(resident):
    limit = LIMITS["comment"]
    for _ in range(limit.per_account):
        assert not rate_limit(action="comment", user=resident, address="10.0.0.1", now=1000).flood
    decision = rate_limit(action="comment", user=resident, address="10.0.0.1", now=1000)
    assert decision.flood
    assert decision.message == ("There have been 21 comments from your account in the last hour; the limit is 20. "
                                "Yours has been kept, and a moderator will check it before it is shown.")
    # the next hour starts again
    assert not rate_limit(action="comment", user=resident, address="10.0.0.1", now=1000 + 3600).flood
    # another account at the same address counts towards the address's limit
    others = [make_user() for _ in range(3)]
    n = limit.per_account + 1  # already made from 10.0.0.1 in the first hour
    while n < limit.per_address:
        rate_limit(action="comment", user=others[n % 3], address="10.0.0.1", now=1000)
        n += 1
    decision = rate_limit(action="comment", user=make_user(), address="10.0.0.1", now=1000)
    assert decision.flood and "from your internet connection" in decision.message


def test_supports_over_the_limit_are_refused_and_everything_far_over(resident):
    for _ in range(LIMITS["support"].per_account):
        rate_limit(action="support", user=resident, address=None, now=0)
    with pytest.raises(RateLimited) as exc:
        rate_limit(action="support", user=resident, address=None, now=0)
    assert exc.value.message == ("There have been 61 supports from your account in the last hour; the limit is 60. "
                                 "Please try again in about 60 minutes.")
    assert exc.value.retry_after == 3601
    for _ in range(LIMITS["proposal"].per_account * REFUSE_FACTOR):
        rate_limit(action="proposal", user=resident, address=None, now=0)
    with pytest.raises(RateLimited):
        rate_limit(action="proposal", user=resident, address=None, now=0)


def test_a_flood_of_proposals_is_held_for_review_not_dropped(client, use_lake, resident):
    client.force_login(resident)
    data = {"title": "Same again", "description": "Again.", "crime_types": ["Burglary"]}
    for _ in range(LIMITS["proposal"].per_account):
        assert client.post(f"/wards/{NORTH}/priorities/new/", data).status_code == 302
    r = client.post(f"/wards/{NORTH}/priorities/new/", data, follow=True)
    assert "a moderator will check it before it is shown" in r.content.decode()
    held = Priority.objects.filter(visibility="held")
    assert held.count() == 1
    # not listed for others, listed for its author as waiting, and in the force's queue
    from openbeat.moderation.selectors import moderation_queue

    assert [q.item.pk for q in moderation_queue(force="testforce")] == [held.get().pk]
    client.logout()
    assert client.get(f"/priorities/{held.get().pk}/").status_code == 404
    assert client.get(f"/api/priorities/{held.get().pk}").status_code == 404


def test_too_many_supports_get_a_429_with_the_reason(client, use_lake, resident, settings):
    from openbeat.moderation.ratelimits import Limit

    settings.OPENBEAT_RATE_LIMITS = {**LIMITS, "support": Limit(per_account=1, per_address=10, noun="supports")}
    p, q = propose(make_user()), propose(make_user(), title="Other")
    client.force_login(resident)
    assert client.post(f"/priorities/{p.pk}/support/").status_code == 302
    r = client.post(f"/priorities/{q.pk}/support/")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "There have been 2 supports from your account in the last hour; the limit is 1." in r.content.decode()
    assert q.supports.count() == 0
