"""The open JSON API (django-ninja) at /api/, with its OpenAPI document at /api/openapi.json.

Shared machinery every endpoint uses: :mod:`.errors` (one JSON error shape, 4xx for bad
input), :mod:`.tables` (limit/offset paging with next links, CSV export of any table),
:mod:`.result_answers` (an analytics result as JSON, or one of its tables paged or as CSV) and
:mod:`.params` (months, periods, area codes, crime types); ETags, 304s and kept answers
come from :mod:`openbeat.web.cache`. Endpoints live in one module per noun (``areas``,
``locate``, ``figures``, ``planning``) and only call selectors and analytics figures.
"""
