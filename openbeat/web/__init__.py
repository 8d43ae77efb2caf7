"""The OpenBeat web platform: a Django project over the analytics library and the lake.

``settings`` (one module, everything from environment variables), ``urls``, ``wsgi``/``asgi``,
``middleware`` (security headers), ``store`` (the web's only door to the lake: one analytics
store per process), ``figures`` (analytics results, computed once per lake state),
``cache`` (ETags, 304s and answers kept until the lake changes), ``charts`` (Vega-Lite specs)
and ``server`` (``openbeat serve``: migrations, static files, gunicorn). See docs/web.md.
"""
