"""Django settings, all from environment variables (one module for every deployment).

Production changes come from variables, never from a second copy of this file; the test
settings (``settings_test``) only swap slow parts. Every variable is listed in docs/web.md,
and a test fails when one read here is not documented there.

Secure by default: ``DEBUG`` is off unless asked for, a missing ``SECRET_KEY`` stops the
app (except for the demo or ``DEBUG``, which get a random per-install key stored under the
data folder), and HTTPS protections (HSTS, secure cookies, redirect) are on unless the
app runs as the local demo, in ``DEBUG``, or ``OPENBEAT_HTTPS=0`` says there is no TLS.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from platformdirs import user_data_dir

WEB_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value; use 1 or 0")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# ---- the switches -------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
OPENBEAT_DEMO = env_bool("OPENBEAT_DEMO", False)

#: Where the app keeps what it writes: the default SQLite file, the demo's secret key,
#: collected static files. Same place the lake defaults to (``openbeat.lake.default_root``).
DATA_DIR = Path(os.environ.get("OPENBEAT_DATA_DIR") or user_data_dir("openbeat")).expanduser()

#: The Parquet lake the pages and API read. ``None`` means ``openbeat.lake.default_root()``.
OPENBEAT_LAKE = os.environ.get("OPENBEAT_LAKE") or None


def _per_install_secret_key(data_dir: Path) -> str:
    """A random key made once per install and kept (mode 0600) so sessions survive restarts."""
    path = data_dir / "secret_key"
    try:
        key = path.read_text().strip()
        if len(key) >= 50:
            return key
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    tmp = path.with_name(f".secret_key.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    try:
        # link, not replace: if two workers race, both end up with the first key written
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or OPENBEAT_DEMO:
        SECRET_KEY = _per_install_secret_key(DATA_DIR)
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'), or set OPENBEAT_DEMO=1 "
            "for the local demo, which makes and keeps its own key."
        )
elif not (DEBUG or OPENBEAT_DEMO) and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
                                      or SECRET_KEY.startswith("django-insecure-")):
    # the rule of Django's `check --deploy` (security.W009), enforced: a guessable key
    # lets anyone forge sessions, password-reset links and signed values
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: it needs at least 50 characters, at least 5 of them different, and "
        "no 'django-insecure-' prefix. Set it to the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "openbeat.web.views.csrf_failure"  # the refusal in the site's layout

# ---- applications --------------------------------------------------------------------

INSTALLED_APPS = [
    # accounts first: AUTH_USER_MODEL is defined there, before any other model
    "openbeat.accounts",
    "openbeat.accounts.apps.OpenBeatAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "openbeat.web",
    "openbeat.areas",
    "openbeat.planning",
    "openbeat.api",
    "openbeat.policeuk",
    "openbeat.notifications",
    "openbeat.moderation",
    "openbeat.comments",
    "openbeat.priorities",
    "openbeat.events",
    "openbeat.surveys",
    "openbeat.reviews",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # counts the visitors being served: the warm-up waits for them (openbeat.web.warm)
    "openbeat.web.warm.VisitorsFirst",
    "openbeat.web.middleware.HeadMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "openbeat.web.middleware.SecurityHeadersMiddleware",
    "openbeat.web.middleware.ApiGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openbeat.web.middleware.LakeSnapshotMiddleware",
    "openbeat.web.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "openbeat.web.urls"
WSGI_APPLICATION = "openbeat.web.wsgi.application"
ASGI_APPLICATION = "openbeat.web.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openbeat.web.context_processors.site",
                "openbeat.accounts.context_processors.account_nav",
            ],
        },
    }
]

# ---- database ------------------------------------------------------------------------

if not os.environ.get("DATABASE_URL"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'openbeat.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # Off by default: a check is a round trip (SELECT 1) at the start of every request
        # that uses the database. Without it, a worker whose kept connection died (the
        # database restarted) fails that one request and opens a new connection for the next.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web workers and its background worker write to one SQLite file. A
    # transaction that reads first and writes later cannot wait for another writer (SQLite
    # refuses it at once: "database is locked"); taking the write lock when it begins makes
    # it queue for up to ``timeout`` seconds instead. WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20,
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL takes the values apart from the SQL (psycopg's server-side binding): psycopg
    # quotes nothing into the text, and a statement a kept connection has sent
    # DATABASE_PREPARE_THRESHOLD times is prepared, so PostgreSQL parses and plans it once
    # per connection. Django's default binds on the client and never prepares, for
    # connection poolers' sake: behind PgBouncer in transaction mode older than 1.21 (or
    # without max_prepared_statements), set DATABASE_PREPARE_THRESHOLD=off.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": env_bool("DATABASE_SERVER_SIDE_BINDING", True),
        "prepare_threshold": (None if os.environ.get("DATABASE_PREPARE_THRESHOLD", "").strip().lower() == "off"
                              else env_int("DATABASE_PREPARE_THRESHOLD", 5)),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---- accounts (django-allauth): email is the sign-in, verified before taking part ----

AUTH_USER_MODEL = "accounts.User"
#: Where the Django admin lives (administrators only): pick something not guessable.
OPENBEAT_ADMIN_URL = os.environ.get("OPENBEAT_ADMIN_URL", "admin/").strip("/") + "/"
#: Django's and allauth's, each reading the signed-in account with one statement written
#: once (openbeat.accounts.backends). A session names the backend that signed it in: these
#: paths replaced Django's and allauth's own on 2026-12-07, which signed everyone out once.
AUTHENTICATION_BACKENDS = [
    "openbeat.accounts.backends.AccountBackend",
    "openbeat.accounts.backends.AllauthAccountBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts_settings"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
#: Off only for local trials without an email server; people then take part unverified.
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("OPENBEAT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "OpenBeat: "
# allauth's rate limits (per address and per account) use the "default" cache
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OpenBeat"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---- email: printed to the console unless an SMTP server is named --------------------

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OpenBeat <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---- background tasks: a queue in the app database, run by `openbeat worker` --------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: The site's address as people reach it, for links in emails (no request to ask).
OPENBEAT_SITE_URL = os.environ.get("OPENBEAT_SITE_URL", "http://127.0.0.1:8000")
#: Local hour (0-23) after which the worker sends each day's digests.
OPENBEAT_DIGEST_HOUR = env_int("OPENBEAT_DIGEST_HOUR", 7)
#: The niceness (0-19) `openbeat worker` runs at: its emails wait while the web workers
#: on the same machine have requests to serve. 0: the same priority as they have.
OPENBEAT_WORKER_NICE = env_int("OPENBEAT_WORKER_NICE", 10)
if not 0 <= OPENBEAT_WORKER_NICE <= 19:
    raise ImproperlyConfigured(f"OPENBEAT_WORKER_NICE={OPENBEAT_WORKER_NICE} is not a niceness from 0 to 19")

# ---- priorities and moderation ------------------------------------------------------

#: How many priorities a ward may have adopted (or in progress) at once.
OPENBEAT_PRIORITIES_PER_WARD = env_int("OPENBEAT_PRIORITIES_PER_WARD", 3)
#: The cache counting rate limits on proposals, supports, comments and reports
#: (openbeat.moderation.ratelimits): "default", which `openbeat serve`'s workers share.
OPENBEAT_RATE_LIMIT_CACHE = "default"

# ---- static files: built by scripts/build_static.sh, served by whitenoise ------------

STATIC_URL = "/static/"
#: npm files copied and Sass compiled by scripts/build_static.sh (gitignored).
STATIC_BUILD_DIR = WEB_DIR / "static_build"
STATICFILES_DIRS = [STATIC_BUILD_DIR]
STATIC_ROOT = Path(os.environ.get("OPENBEAT_STATIC_ROOT") or DATA_DIR / "static").expanduser()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # content-hashed names (cache-busting) and gzip copies; whitenoise serves them with a
    # far-future Cache-Control because a changed file gets a new name
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600  # for the few unhashed names (e.g. favicon.ico)

# ---- security ------------------------------------------------------------------------

#: Is the site reached over HTTPS? Off for the local demo and DEBUG, on otherwise.
OPENBEAT_HTTPS = env_bool("OPENBEAT_HTTPS", not (DEBUG or OPENBEAT_DEMO))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", OPENBEAT_HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if OPENBEAT_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", OPENBEAT_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", OPENBEAT_HTTPS)
SESSION_COOKIE_SECURE = OPENBEAT_HTTPS
CSRF_COOKIE_SECURE = OPENBEAT_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
#: Behind a proxy that ends TLS, name the header it sets (e.g. X-Forwarded-Proto); only
#: set this when the proxy always overwrites that header, or clients could spoof HTTPS.
_proxy_header = os.environ.get("OPENBEAT_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)
USE_X_FORWARDED_HOST = bool(_proxy_header)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

#: Content-Security-Policy: our own files only. No inline scripts or styles; Vega runs
#: with its expression interpreter (vega-embed ``ast: true``), so no 'unsafe-eval' either.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
#: An optional base map under the street-level crime map: a tile server's URL template
#: (https://tiles.example.org/{z}/{x}/{y}.png) and the attribution its licence asks for. Off
#: by default, so the site needs no other host; when set, img-src admits that one host only.
OPENBEAT_TILE_URL = os.environ.get("OPENBEAT_TILE_URL", "").strip() or None
OPENBEAT_TILE_ATTRIBUTION = os.environ.get("OPENBEAT_TILE_ATTRIBUTION", "").strip() or None
if OPENBEAT_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(OPENBEAT_TILE_URL)
    if (_tiles.scheme not in ("http", "https") or not _tiles.hostname or "{s}" in _tiles.netloc
            or not all(part in OPENBEAT_TILE_URL for part in ("{z}", "{x}", "{y}"))):
        raise ImproperlyConfigured(
            f"OPENBEAT_TILE_URL={OPENBEAT_TILE_URL!r} is not a tile URL template: give http(s)://one.host/.../"
            "{z}/{x}/{y}.png (one host, no {s} subdomains)")
    if not OPENBEAT_TILE_ATTRIBUTION:
        raise ImproperlyConfigured("OPENBEAT_TILE_URL is set without OPENBEAT_TILE_ATTRIBUTION: tile servers' "
                                   "licences ask for credit on the map (e.g. '© OpenStreetMap contributors')")
    CONTENT_SECURITY_POLICY["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
if OPENBEAT_HTTPS:
    CONTENT_SECURITY_POLICY["upgrade-insecure-requests"] = []
#: Only "use my location" needs a browser feature, and only on our own pages.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# ---- OpenBeat ------------------------------------------------------------------------

#: Seconds between checks of the lake's files (ETags, cache keys, the store's rebuild).
OPENBEAT_LAKE_CHECK_SECONDS = float(os.environ.get("OPENBEAT_LAKE_CHECK_SECONDS", "2"))
#: Cache-Control max-age of API answers, in seconds (ETags make revalidation cheap).
OPENBEAT_API_MAX_AGE = env_int("OPENBEAT_API_MAX_AGE", 60)
#: New (not yet kept) answers one client may ask for per minute (counted in the "default" cache); 0: no limit.
OPENBEAT_UNCACHED_PER_MINUTE = env_int("OPENBEAT_UNCACHED_PER_MINUTE", 120)
#: Ward survey responses (CSV: ward_code, measure, yes, n) for ward trust estimates.
OPENBEAT_WARD_SURVEY = os.environ.get("OPENBEAT_WARD_SURVEY") or None
#: Ward age × sex population (CSV: ward_code, age_band, sex, population) the trust pulse is
#: weighted to; the lake holds Census 2021 totals only, so without it answers are unweighted.
OPENBEAT_WARD_PROFILE = os.environ.get("OPENBEAT_WARD_PROFILE") or None
#: Files derived from the app database for the analytics (the trust pulse's responses).
OPENBEAT_DERIVED_DIR = Path(os.environ.get("OPENBEAT_DERIVED_DIR") or DATA_DIR / "derived").expanduser()

#: The police.uk-compatible API (/police-uk/api/): answer 503 above 10,000 results as
#: police.uk does (on), or serve every result with limit/offset paging (off, the default).
OPENBEAT_POLICEUK_CAP = env_bool("OPENBEAT_POLICEUK_CAP", False)
#: Its per-client rate limit, police.uk's leaky bucket: requests a second (0: off) and burst.
OPENBEAT_POLICEUK_RATE = float(os.environ.get("OPENBEAT_POLICEUK_RATE") or 15)
OPENBEAT_POLICEUK_BURST = env_int("OPENBEAT_POLICEUK_BURST", 30)

#: Pages and API answers are kept until the lake changes (openbeat.web.cache): in Redis when
#: OPENBEAT_CACHE_URL names one (several web hosts then share answers and rate limits), else
#: in a folder all workers share when OPENBEAT_CACHE_DIR is set (`openbeat serve` sets it, and
#: empties it when it starts), else in each worker's memory.
OPENBEAT_RESPONSE_CACHE = "answers"
OPENBEAT_CACHE_URL = os.environ.get("OPENBEAT_CACHE_URL") or None
#: Prefix of every key in that Redis (several sites, or test runs, can share one Redis).
OPENBEAT_CACHE_PREFIX = os.environ.get("OPENBEAT_CACHE_PREFIX") or "openbeat"
OPENBEAT_CACHE_DIR = os.environ.get("OPENBEAT_CACHE_DIR") or None
#: Share of one core a worker may spend computing answers ahead of visitors after the lake
#: changes (openbeat.web.warm; with a shared answer cache only); 0: no warm-up.
OPENBEAT_WARM_SHARE = float(os.environ.get("OPENBEAT_WARM_SHARE") or 0.5)
#: After the lake changes, a page's answer kept for the previous state is served, marked as
#: such, until the new state is warmed or this many seconds after a worker built its store
#: (openbeat.web.cache); 0: never, visitors wait for the new state's answers.
OPENBEAT_STALE_SECONDS = float(os.environ.get("OPENBEAT_STALE_SECONDS") or 600)
#: How many answers are kept (0: none; ETags and 304s still work).
OPENBEAT_CACHE_ENTRIES = env_int("OPENBEAT_CACHE_ENTRIES", 5000)
if OPENBEAT_CACHE_URL and not re.match(r"^(redis|rediss|unix)://", OPENBEAT_CACHE_URL):
    raise ImproperlyConfigured(f"OPENBEAT_CACHE_URL must be a redis://, rediss:// or unix:// URL, "
                               f"not {OPENBEAT_CACHE_URL.split('://')[0]!r}")


def _cache(kind: str, folder: str | None) -> dict:
    if OPENBEAT_CACHE_URL:
        # Redis bounds itself (maxmemory); answers carry the day in their key, so a day is enough
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": OPENBEAT_CACHE_URL,
                "KEY_PREFIX": f"{OPENBEAT_CACHE_PREFIX}:{kind}", **({"TIMEOUT": 26 * 3600} if kind == "answers" else {})}
    if folder:
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": folder}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"openbeat-{kind}"}


#: The "default" cache counts rate limits (sign-in, sign-up, password reset; writes), so
#: every worker (and every host) must see the same counts: Redis, else under `openbeat serve`
#: a folder beside the answers (kept across restarts), else this process's memory.
_default = _cache("limits", OPENBEAT_CACHE_DIR.rstrip("/") + "-limits" if OPENBEAT_CACHE_DIR else None)
if not OPENBEAT_CACHE_URL and not OPENBEAT_CACHE_DIR:
    _default["LOCATION"] = "openbeat-default"
_answers = _cache("answers", OPENBEAT_CACHE_DIR)
if not OPENBEAT_CACHE_URL:
    # keys carry the lake's state, so entries only ever age out; no timeout needed
    _answers.update(TIMEOUT=None, OPTIONS={"MAX_ENTRIES": max(OPENBEAT_CACHE_ENTRIES, 1), "CULL_FREQUENCY": 4})
#: Sessions are read from their own shared cache and written through to the database
#: (``cached_db``): a signed-in request reads no session row. Only when every worker shares
#: that cache (Redis, or `openbeat serve`'s folder), so a sign-out is seen by all at once;
#: otherwise they stay in the database alone.
_sessions = _cache("sessions", OPENBEAT_CACHE_DIR.rstrip("/") + "-sessions" if OPENBEAT_CACHE_DIR else None)
if not OPENBEAT_CACHE_URL:
    _sessions["OPTIONS"] = {"MAX_ENTRIES": 10_000, "CULL_FREQUENCY": 4}  # the database keeps them all anyway
CACHES = {"default": _default, OPENBEAT_RESPONSE_CACHE: _answers, "sessions": _sessions}
SESSION_CACHE_ALIAS = "sessions"
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if OPENBEAT_CACHE_URL or OPENBEAT_CACHE_DIR
                  else "django.contrib.sessions.backends.db")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
