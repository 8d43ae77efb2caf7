"""The WSGI entry point gunicorn's workers import before they take a request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_imports_the_urlconf_before_its_first_request(tmp_path):
    """Django would import it on the process's first request (every view, allauth's URLs, the
    API's schemas), and that visitor would wait for it."""
    code = ("import sys; import openbeat.web.wsgi; "
            "print(*(name in sys.modules for name in ('openbeat.web.urls', 'openbeat.api.api', 'allauth.urls')))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "openbeat.web.settings_test", "OPENBEAT_DEMO": "1",
           "OPENBEAT_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]
