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


def test_a_shared_folder_counts_exactly_under_concurrency_and_forgets_old_windows(resident, settings, tmp_path):
    """Under `openbeat serve` the counts live in a folder all workers share: one appended byte
    a count, so simultaneous requests are each counted (no read-then-write to lose one),
    both counts of a request cost two small writes, and windows that are over are deleted."""
    import os
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import caches

    from openbeat.moderation import ratelimits

    settings.CACHES = {**settings.CACHES, "limits-folder": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "limits")}}
    settings.OPENBEAT_RATE_LIMIT_CACHE = "limits-folder"
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: rate_limit(action="support", user=resident, address="10.0.0.9", now=7200),
                      range(LIMITS["support"].per_account)))
    with pytest.raises(RateLimited, match="There have been 61 supports from your account"):
        rate_limit(action="support", user=resident, address="10.0.0.9", now=7200)
    folder = tmp_path / "limits" / "ratelimits"
    assert sorted(f.stat().st_size for f in folder.iterdir()) == [61, 61]  # the account's and the address's
    assert not list((tmp_path / "limits").glob("*.djcache"))  # nothing through the file cache's incr
    assert caches["limits-folder"].get("ratelimit:support:user:%d:2" % resident.pk) is None
    # the next window starts again; files untouched for two hours go with the first count of a window
    old = time.time() - 3 * 3600
    for f in folder.iterdir():
        os.utime(f, (old, old))
    assert not rate_limit(action="comment", user=resident, address="10.0.0.9", now=time.time() + 3600).flood
    assert sorted(f.stat().st_size for f in folder.iterdir()) == [1, 1]


def test_redis_counts_both_keys_in_one_round_trip(resident, settings, monkeypatch):
    """With Redis (OPENBEAT_CACHE_URL) the account's and the address's counts are one pipeline."""
    import os

    import redis

    url = os.environ.get("OPENBEAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {url}: {exc}")
    import uuid

    from django.core.cache import caches

    prefix = f"test-ratelimits-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {**settings.CACHES, "limits-redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}}
    settings.OPENBEAT_RATE_LIMIT_CACHE = "limits-redis"
    cache = caches["limits-redis"]
    client = cache._cache.get_client(write=True)
    sent = []
    execute = redis.client.Pipeline.execute

    def counted(pipe, *args, **kwargs):  # each execute is one round trip
        sent.append(len(pipe.command_stack))
        return execute(pipe, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted)
    try:
        for _ in range(LIMITS["comment"].per_account):
            assert not rate_limit(action="comment", user=resident, address="10.0.0.7", now=0).flood
        assert rate_limit(action="comment", user=resident, address="10.0.0.7", now=0).flood
        assert sent == [4] * (LIMITS["comment"].per_account + 1)  # INCR and EXPIRE for each key, one trip
        key = cache.make_and_validate_key(f"ratelimit:comment:user:{resident.pk}:0")
        assert int(client.get(key)) == 21 and 0 < client.ttl(key) <= 3660
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
