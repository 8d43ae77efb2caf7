"""Settings for the test suite: the base settings with only the slow parts swapped.

Everything else (database from ``DATABASE_URL``, security headers, templates) is the
production configuration, so the tests exercise what is deployed.
"""

from __future__ import annotations

import os
import secrets

# A fresh random key per test run: nothing signed in a test must outlive it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))

from openbeat.web.settings import *  # noqa: E402,F403

# The hashed, compressed storage needs collectstatic first; the browser tests run
# `openbeat serve`, which does exactly that, so the production path is still covered.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
STATIC_ROOT = None  # nothing collected; whitenoise then has no folder to scan
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# See lake changes made by a test at once.
OPENBEAT_LAKE_CHECK_SECONDS = 0
# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
OPENBEAT_UNCACHED_PER_MINUTE = 0  # tests that need the limit set it
# Files derived from the app database: a fresh folder per run, never the user's.
import tempfile  # noqa: E402

OPENBEAT_DERIVED_DIR = Path(tempfile.mkdtemp(prefix="openbeat-derived-"))  # noqa: F405
OPENBEAT_WARM_SHARE = 0  # no background warm-up threads in tests; tests/web/test_warm.py calls it
