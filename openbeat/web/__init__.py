"""The OpenBeat web platform: a Django project over the lake and the analytics library.

``settings`` (one module, everything from environment variables), ``urls``, ``wsgi``/``asgi``,
``middleware`` (security headers), ``lakedb`` (the web's only door to the lake) and
``server`` (``openbeat serve``: migrations, static files, gunicorn). See docs/web.md.
"""
