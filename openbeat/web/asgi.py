"""ASGI entry point, for servers such as uvicorn (``openbeat.web.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.web.settings")
application = get_asgi_application()
