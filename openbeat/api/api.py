"""The NinjaAPI instance: title, licence, error handlers and the routers."""

from __future__ import annotations

from ninja import NinjaAPI

import openbeat
from openbeat.api import areas, errors, figures, locate, planning, priorities

DESCRIPTION = """\
Open data about neighbourhood policing: areas, crime, stop and search, trust.

* **Figures** (profile, trends, hot spots, stop and search, trust, scorecard, compare,
  targeting, allocation, did it work) answer with the whole result: `summary`, `tables`,
  `period`, `sources`, `notes`, `licence`; add `table=NAME` for one table, paged.
* **Paging**: tables take `limit` (1–1000) and `offset` and answer with `count`, `next` and
  `previous` links.
* **CSV**: add `?format=csv`, or end the path with `.csv`, for any table (with `table=` to
  choose one of a result's tables; the first by default).
* **Caching**: answers carry `ETag` and `Last-Modified`; send `If-None-Match` to get
  `304 Not Modified` until the data changes.
* **Errors**: JSON with `status`, `code`, `message` and the bad `errors` parameters;
  4xx for bad input (unknown area 404, badly written value 422, an inverted period or an
  unknown crime type 400), never 5xx.

Contains public sector information licensed under the Open Government Licence v3.0
(police.uk, ONS). Demo installations serve a synthetic city instead.
"""

api = NinjaAPI(
    title="OpenBeat API",
    version=openbeat.__version__,
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # ninja's page loads Swagger UI with inline code; /api/ is our own page
    openapi_url="/openapi.json",
    openapi_extra={"info": {"license": {"name": "Open Government Licence v3.0",
                                        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}}},
)
errors.install(api)
api.add_router("", areas.router)
api.add_router("", locate.router)
api.add_router("", figures.router)
api.add_router("", planning.router)
api.add_router("", priorities.router)
