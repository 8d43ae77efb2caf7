"""More than one web host: two `openbeat serve` processes sharing Redis and PostgreSQL.

With ``OPENBEAT_CACHE_URL`` naming a Redis, the answers and the rate-limit counts live there:
an answer one host computed is served by the other without computing it, a client's new
answers are counted once across both, and after an ingest both hosts serve the new lake
state under the same keys. Each run writes under a key prefix of its own
(``OPENBEAT_CACHE_PREFIX``) and deletes its keys afterwards, so parallel runs never meet.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
import uuid

import pytest

from openbeat.ingest import ingest_paths
from openbeat.web.launch import Launched, LaunchError, launch
from tests.waiting import wait_until
from tests.web.conftest import ROOT, april, build_lake
from tests.web.test_settings import STRONG

REDIS_URL = os.environ.get("OPENBEAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
URLS = ["/api/areas/X05000001/profile", "/api/areas/X05000002/profile", "/api/areas/X09000001/trends"]
CHECK_SECONDS = 0.5
STATIC_BUILD = ROOT / "openbeat" / "web" / "static_build"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must run the scaling-out test")
    pytest.skip(what)


@pytest.fixture
def redis_prefix():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        _missing(f"no Redis answers at {REDIS_URL} ({exc}); start one, or name it in OPENBEAT_TEST_REDIS_URL")
    prefix = f"openbeat-test-{uuid.uuid4().hex[:12]}"
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def database_url(django_db_setup):
    from django.db import connection

    s = connection.settings_dict  # the test database, migrated: the servers find nothing to apply
    if s["ENGINE"] != "django.db.backends.postgresql":
        _missing("the scaling-out test needs PostgreSQL (DATABASE_URL=postgresql://…)")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _serve(lake, data, env: dict) -> Launched:
    data.mkdir()
    try:
        return launch(["--no-demo", "--lake", str(lake.root), "--workers", "1", "--threads", "4"],
                      env={**env, "OPENBEAT_DATA_DIR": str(data)}, log=data / "serve.log", cwd=ROOT)
    except LaunchError as exc:
        pytest.fail(str(exc))


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers["ETag"], r.read()


def _uncached_counted(client, prefix: str) -> int:
    """New answers counted for 127.0.0.1 (openbeat.web.cache.retry_after), over every minute."""
    return sum(int(client.get(k)) for k in client.scan_iter(f"{prefix}:limits:*openbeat-uncached:127.0.0.1:*"))


@pytest.mark.django_db(transaction=True)
def test_two_hosts_share_answers_and_limits_and_change_together(tmp_path, redis_prefix, database_url):
    if not (STATIC_BUILD / "vendor" / "vega" / "vega.min.js").exists():
        _missing("the front-end files are not built: run scripts/build_static.sh")
    client, prefix = redis_prefix
    lake = build_lake(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "OPENBEAT_CACHE_DIR")}
    env.update(SECRET_KEY=STRONG, OPENBEAT_HTTPS="0", DATABASE_URL=database_url, OPENBEAT_CACHE_URL=REDIS_URL,
               OPENBEAT_CACHE_PREFIX=prefix, OPENBEAT_LAKE_CHECK_SECONDS=str(CHECK_SECONDS),
               OPENBEAT_WARM_SHARE="0", OPENBEAT_UNCACHED_PER_MINUTE="1000")
    # one after the other, sharing the collected static files (the second finds them fresh)
    env["OPENBEAT_STATIC_ROOT"] = str(tmp_path / "static")
    servers = []
    try:
        for name in ("host-a", "host-b"):
            servers.append(_serve(lake, tmp_path / name, env))
        a, b = (server.base for server in servers)

        # an answer computed by one host is served by the other, which computes nothing
        status, etag, body = _get(a + URLS[0])
        assert status == 200 and _uncached_counted(client, prefix) == 1
        assert _get(b + URLS[0]) == (200, etag, body)
        assert _uncached_counted(client, prefix) == 1  # B found it in Redis
        assert _get(b + URLS[1])[0] == 200 and _uncached_counted(client, prefix) == 2  # one count, both hosts
        assert _get(a + URLS[1])[1] == _get(b + URLS[1])[1]
        assert any(client.scan_iter(f"{prefix}:answers:*"))
        before = {url: _get(a + url)[1] for url in URLS}

        # load on both hosts while a month is ingested
        seen: list[tuple[str, str, str, str]] = []  # (host, url, etag, last month)
        errors: list[str] = []
        stop = threading.Event()

        def load(i: int) -> None:
            n = i
            while not stop.is_set():
                host, url = (a, b)[n % 2], URLS[n % len(URLS)]
                n += 1
                try:
                    _, tag, raw = _get(host + url)
                    seen.append((host, url, tag, json.loads(raw)["period"]["to"]))
                except Exception as exc:  # reported below, with the URL
                    errors.append(f"{host}{url}: {exc!r}")
                    return

        threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        try:
            wait_until(lambda: len(seen) >= 20 or errors, 60, "the load to be running")
            assert ingest_paths([april(tmp_path / "april")], lake=lake).ok

            def both_hosts_show_april() -> bool:
                return {(h, u) for h, u, _, m in list(seen) if m == "2024-04"} == {(h, u) for h in (a, b)
                                                                                   for u in URLS}

            wait_until(lambda: both_hosts_show_april() or errors, 60, "both hosts to serve the new month")
        finally:
            stop.set()
            for t in threads:
                t.join()
        assert not errors, errors[:5]
        # whichever host answered, an ETag never pairs one lake state's key with another's data
        months: dict[str, set[str]] = {}
        for _, _, tag, month in seen:
            months.setdefault(tag, set()).add(month)
        assert all(len(m) == 1 for m in months.values()), months
        after = {url: _get(a + url)[1] for url in URLS}
        assert after == {url: _get(b + url)[1] for url in URLS}
        assert all(after[url] != before[url] for url in URLS)
    finally:
        for server in servers:
            server.stop()
