"""The open JSON API (django-ninja) at /api/, with its OpenAPI document at /api/openapi.json.

Shared machinery every endpoint uses: :mod:`.errors` (one JSON error shape, 4xx for bad
input), :mod:`.tables` (limit/offset paging with next links, CSV export of any table),
:mod:`.caching` (ETag and Last-Modified from the lake's state, 304 answers) and
:mod:`.params` (months and periods). Endpoints live in one module per noun (``areas``,
``locate``) and only call selectors.
"""
