"""Settings come from environment variables, securely by default, and are all documented."""

from __future__ import annotations

import re
import runpy
import secrets
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.web.conftest import ROOT

SETTINGS = ROOT / "openbeat" / "web" / "settings.py"

VARIABLES = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "OPENBEAT_LAKE", "OPENBEAT_DEMO",
             "OPENBEAT_DATA_DIR", "OPENBEAT_HTTPS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
             "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "OPENBEAT_PROXY_SSL_HEADER",
             "CSRF_TRUSTED_ORIGINS", "OPENBEAT_STATIC_ROOT", "DATABASE_CONN_MAX_AGE", "DATABASE_CONN_HEALTH_CHECKS",
             "DATABASE_SERVER_SIDE_BINDING", "DATABASE_PREPARE_THRESHOLD", "OPENBEAT_LAKE_CHECK_SECONDS",
             "OPENBEAT_API_MAX_AGE", "OPENBEAT_WARD_SURVEY", "OPENBEAT_WARD_PROFILE", "OPENBEAT_DERIVED_DIR",
             "OPENBEAT_CACHE_ENTRIES", "OPENBEAT_CACHE_DIR", "LOG_LEVEL",
             "OPENBEAT_POLICEUK_CAP", "OPENBEAT_POLICEUK_RATE", "OPENBEAT_POLICEUK_BURST",
             "OPENBEAT_UNCACHED_PER_MINUTE", "OPENBEAT_CACHE_URL", "OPENBEAT_CACHE_PREFIX", "OPENBEAT_WARM_SHARE",
             "OPENBEAT_STALE_SECONDS")
# accounts, email and the notification worker
VARIABLES += ("OPENBEAT_EMAIL_VERIFICATION", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
              "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL",
              "OPENBEAT_SITE_URL", "OPENBEAT_DIGEST_HOUR", "OPENBEAT_ADMIN_URL", "OPENBEAT_WORKER_NICE")
# priorities
VARIABLES += ("OPENBEAT_PRIORITIES_PER_WARD",)
# the street-level crime map's optional base map
VARIABLES += ("OPENBEAT_TILE_URL", "OPENBEAT_TILE_ATTRIBUTION")


@pytest.fixture
def load(monkeypatch, tmp_path):
    """Evaluate settings.py afresh under a given environment; returns its globals."""

    def _load(**env):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("OPENBEAT_DATA_DIR", str(tmp_path / "data"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS))

    return _load


STRONG = "Kq3-x9_Lm2Zt7Wv0Rb5Ny8Hs1Jd4Fg6Pc" * 2  # 68 characters, many different


def test_production_defaults_are_secure(load):
    s = load(SECRET_KEY=STRONG)
    assert s["DEBUG"] is False
    assert s["OPENBEAT_DEMO"] is False
    assert s["SECRET_KEY"] == STRONG
    assert s["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31_536_000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and s["SECURE_HSTS_PRELOAD"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert "upgrade-insecure-requests" in s["CONTENT_SECURITY_POLICY"]


def test_missing_secret_key_stops_production_with_a_clear_message(load):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set.*OPENBEAT_DEMO=1"):
        load()


@pytest.mark.parametrize("key", ["changeme", "k" * 60, "django-insecure-" + "Kq3x9Lm2Zt7Wv0Rb5Ny8Hs1Jd4Fg6Pc" * 2])
def test_a_weak_secret_key_stops_production_but_not_the_demo(load, key):
    with pytest.raises(ImproperlyConfigured, match="^SECRET_KEY is too weak: it needs at least 50 characters"):
        load(SECRET_KEY=key)
    assert load(SECRET_KEY=key, OPENBEAT_DEMO="1")["SECRET_KEY"] == key


def test_demo_makes_one_private_key_per_install_and_keeps_it(load, tmp_path):
    first = load(OPENBEAT_DEMO="1")
    key_file = tmp_path / "data" / "secret_key"
    assert first["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first["SECRET_KEY"]) >= 80
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load(OPENBEAT_DEMO="1")["SECRET_KEY"] == first["SECRET_KEY"]
    # the demo runs on plain http://127.0.0.1, so no HTTPS redirect or secure-only cookies
    assert first["SECURE_SSL_REDIRECT"] is False and first["SECURE_HSTS_SECONDS"] == 0
    assert first["SESSION_COOKIE_SECURE"] is False


def test_no_secret_key_is_written_in_the_code():
    for path in (ROOT / "openbeat").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"SECRET_KEY\s*=\s*['\"][^'\"]+['\"]", text), f"hard-coded key in {path}"


def test_database_url_sqlite_by_default_and_postgresql_when_asked(load, tmp_path):
    s = load(SECRET_KEY=STRONG)
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["DATABASES"]["default"]["NAME"] == str(tmp_path / "data" / "openbeat.sqlite3")
    s = load(SECRET_KEY=STRONG, DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test")
    db = s["DATABASES"]["default"]
    assert (db["ENGINE"], db["NAME"], db["USER"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql", "test", "postgres", "127.0.0.1", 5432)
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is False  # a round trip a request; opt in


def test_lists_switches_and_proxy_header(load):
    s = load(SECRET_KEY=STRONG, ALLOWED_HOSTS="beat.example.org, www.beat.example.org", DEBUG="yes",
             OPENBEAT_LAKE="/srv/lake", OPENBEAT_PROXY_SSL_HEADER="X-Forwarded-Proto", OPENBEAT_HTTPS="1",
             SECURE_SSL_REDIRECT="0", CSRF_TRUSTED_ORIGINS="https://beat.example.org")
    assert s["ALLOWED_HOSTS"] == ["beat.example.org", "www.beat.example.org"]
    assert s["DEBUG"] is True and s["OPENBEAT_LAKE"] == "/srv/lake"
    assert s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert s["SECURE_SSL_REDIRECT"] is False and s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://beat.example.org"]


def test_a_bad_switch_value_is_refused(load):
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe' is not a yes/no value"):
        load(SECRET_KEY=STRONG, DEBUG="maybe")


def test_the_workers_niceness_is_10_by_default_and_must_be_one(load):
    assert load(SECRET_KEY=STRONG)["OPENBEAT_WORKER_NICE"] == 10
    assert load(SECRET_KEY=STRONG, OPENBEAT_WORKER_NICE="0")["OPENBEAT_WORKER_NICE"] == 0
    for bad in ("-1", "20"):
        with pytest.raises(ImproperlyConfigured, match=rf"OPENBEAT_WORKER_NICE={bad} is not a niceness from 0 to 19"):
            load(SECRET_KEY=STRONG, OPENBEAT_WORKER_NICE=bad)


def test_every_variable_read_is_documented():
    read = set(re.findall(r"env_\w+\(\"([A-Z_]+)\"", SETTINGS.read_text()))
    read |= set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", SETTINGS.read_text()))
    assert read == set(VARIABLES)
    doc = (ROOT / "docs" / "web.md").read_text()
    for name in read:
        assert f"`{name}`" in doc, f"{name} is not in docs/web.md's settings table"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SECRET_KEY": secrets.token_urlsafe(64),
           "ALLOWED_HOSTS": "beat.example.org", "OPENBEAT_DATA_DIR": str(tmp_path / "data"),
           "DJANGO_SETTINGS_MODULE": "openbeat.web.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "openbeat.web.manage", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_rate_limits_are_counted_where_every_worker_sees_them(load, tmp_path):
    shared = load(SECRET_KEY=STRONG, OPENBEAT_CACHE_DIR=str(tmp_path / "answers"))
    assert shared["CACHES"]["default"] == {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                           "LOCATION": str(tmp_path / "answers") + "-limits"}
    alone = load(SECRET_KEY=STRONG)
    assert alone["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_sessions_are_read_from_a_cache_only_when_every_worker_shares_it(load, tmp_path):
    """cached_db reads a session from the cache and writes it through to the database; a
    sign-out deletes it from both, so every worker must see the same cache."""
    shared = load(SECRET_KEY=STRONG, OPENBEAT_CACHE_DIR=str(tmp_path / "answers"))
    assert shared["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert shared["SESSION_CACHE_ALIAS"] == "sessions"
    assert shared["CACHES"]["sessions"] == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "answers") + "-sessions",
        "OPTIONS": {"MAX_ENTRIES": 10_000, "CULL_FREQUENCY": 4}}
    alone = load(SECRET_KEY=STRONG)  # each worker's memory: a sign-out on one would not reach the others
    assert alone["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_kept_database_connections_are_not_checked_on_every_request_unless_asked(load):
    db = load(SECRET_KEY=STRONG, DATABASE_URL="postgresql://u@db.internal:5432/beat")["DATABASES"]["default"]
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (60, False)
    db = load(SECRET_KEY=STRONG, DATABASE_URL="postgresql://u@db.internal:5432/beat",
              DATABASE_CONN_HEALTH_CHECKS="1")["DATABASES"]["default"]
    assert db["CONN_HEALTH_CHECKS"] is True


def test_postgresql_binds_values_on_the_server_and_prepares_repeated_statements_unless_asked_not_to(load):
    url = "postgresql://u@db.internal:5432/beat"
    db = load(SECRET_KEY=STRONG, DATABASE_URL=url)["DATABASES"]["default"]
    assert db["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    db = load(SECRET_KEY=STRONG, DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD="off",
              DATABASE_SERVER_SIDE_BINDING="0")["DATABASES"]["default"]  # e.g. behind an old PgBouncer
    assert db["OPTIONS"] == {"server_side_binding": False, "prepare_threshold": None}
    db = load(SECRET_KEY=STRONG, DATABASE_URL=url + "?sslmode=require", DATABASE_PREPARE_THRESHOLD="2")
    assert db["DATABASES"]["default"]["OPTIONS"] == {"sslmode": "require", "server_side_binding": True,
                                                     "prepare_threshold": 2}
    db = load(SECRET_KEY=STRONG, DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD=" ")["DATABASES"]["default"]
    assert db["OPTIONS"]["prepare_threshold"] == 5  # blank: the default, as every number setting
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARE_THRESHOLD='often' is not a whole number"):
        load(SECRET_KEY=STRONG, DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD="often")
    assert "server_side_binding" not in load(SECRET_KEY=STRONG)["DATABASES"]["default"]["OPTIONS"]  # SQLite


def test_answers_and_rate_limits_go_to_redis_when_one_is_named(load, tmp_path):
    redis = load(SECRET_KEY=STRONG, OPENBEAT_CACHE_DIR=str(tmp_path / "answers"),
                 OPENBEAT_CACHE_URL="redis://cache.internal:6379/2", OPENBEAT_CACHE_PREFIX="beat")
    assert redis["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache.internal:6379/2",
                    "KEY_PREFIX": "beat:limits"},
        "answers": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache.internal:6379/2",
                    "KEY_PREFIX": "beat:answers", "TIMEOUT": 26 * 3600},
        "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache.internal:6379/2",
                     "KEY_PREFIX": "beat:sessions"}}
    assert redis["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    with pytest.raises(ImproperlyConfigured, match="OPENBEAT_CACHE_URL must be a redis://"):
        load(SECRET_KEY=STRONG, OPENBEAT_CACHE_URL="memcached://127.0.0.1:11211")


def test_email_goes_to_the_console_unless_an_smtp_server_is_named(load):
    console = load(SECRET_KEY=STRONG)
    assert console["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    smtp = load(SECRET_KEY=STRONG, EMAIL_HOST="smtp.example.org", EMAIL_PORT="465", EMAIL_HOST_USER="beat",
                EMAIL_HOST_PASSWORD="pw", OPENBEAT_ADMIN_URL="/staff-only/")
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_SSL"], smtp["EMAIL_USE_TLS"]) == (
        "smtp.example.org", 465, True, False)
    assert smtp["OPENBEAT_ADMIN_URL"] == "staff-only/"


def test_the_csp_admits_the_tile_host_only_when_tiles_are_set(load):
    off = load(OPENBEAT_DEMO="1")
    assert off["OPENBEAT_TILE_URL"] is None
    assert off["CONTENT_SECURITY_POLICY"]["img-src"] == ["'self'", "data:"]
    on = load(OPENBEAT_DEMO="1", OPENBEAT_TILE_URL="https://tiles.example.org:8443/osm/{z}/{x}/{y}.png",
              OPENBEAT_TILE_ATTRIBUTION="© OpenStreetMap contributors")
    assert on["CONTENT_SECURITY_POLICY"]["img-src"] == ["'self'", "data:", "https://tiles.example.org:8443"]
    assert on["CONTENT_SECURITY_POLICY"]["connect-src"] == ["'self'"]
    assert on["OPENBEAT_TILE_ATTRIBUTION"] == "© OpenStreetMap contributors"


@pytest.mark.parametrize("env,says", [
    ({"OPENBEAT_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png"}, "without OPENBEAT_TILE_ATTRIBUTION"),
    ({"OPENBEAT_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png", "OPENBEAT_TILE_ATTRIBUTION": "x"},
     "no {s} subdomains"),
    ({"OPENBEAT_TILE_URL": "javascript:alert(1)//{z}/{x}/{y}", "OPENBEAT_TILE_ATTRIBUTION": "x"}, "not a tile URL"),
    ({"OPENBEAT_TILE_URL": "https://tiles.example.org/tile.png", "OPENBEAT_TILE_ATTRIBUTION": "x"}, "{z}/{x}/{y}"),
])
def test_a_bad_tile_setting_is_refused(load, env, says):
    with pytest.raises(ImproperlyConfigured, match=re.escape(says)):
        load(OPENBEAT_DEMO="1", **env)
