"""WSGI entry point (gunicorn runs ``openbeat.web.wsgi:application``).

Each gunicorn worker imports this before it takes a request, so the URLconf is imported
here too: Django otherwise imports it on a process's first request (every view module,
allauth's URLs and the API's schemas: about half a second of CPU), and that visitor
waits for it. A worker that had answered nothing yet when a lake change came was the
slowest first visit by a second.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.web.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports the URLconf now: see the module docstring)
