"""schemathesis drives every API operation from its own OpenAPI document, in process: never a 5xx.

Generated requests (valid ones, and ones that break the document's rules) go through the
WSGI app over the small synthetic Northbridge lake, so the analytics behind every figure
run on random periods, crime types, levels and numbers; every answer must be no server
error, have a documented status and content type, and (for JSON) match its documented
schema. Each operation is driven twice: with its ``{code}`` fixed to a real area (so the
figures are computed, not just the 404 for a random code) and with everything generated.
Few examples per operation keep it quick; ``derandomize`` makes every run the same.

(The strategy is used through Hypothesis directly: schemathesis's lazy pytest loader
reads a private pytest attribute that pytest 9 no longer has.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

OPERATIONS = [
    "GET /api/allocation", "GET /api/areas", "GET /api/areas/{code}", "GET /api/areas/{code}/crimes/monthly",
    "GET /api/areas/{code}/crimes/points",
    "GET /api/areas/{code}/hotspots", "GET /api/areas/{code}/map", "GET /api/areas/{code}/profile",
    "GET /api/areas/{code}/scorecard", "GET /api/areas/{code}/stop-search", "GET /api/areas/{code}/team",
    "GET /api/areas/{code}/trends", "GET /api/areas/{code}/trust", "GET /api/areas/{code}/vawg",
    "GET /api/compare", "GET /api/did-it-work",
    "GET /api/locate", "GET /api/priorities", "GET /api/priorities/{pk}", "GET /api/priorities/{pk}/actions",
    "GET /api/priorities/{pk}/comments", "GET /api/targeting"]


@pytest.fixture
def api_schema(demo_lake, db):
    # db: the raw WSGI app fires request_started, whose handler touches the database
    # connection; the priorities endpoints read it
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from openbeat.web.wsgi import application

    # as Django's test client does: the raw WSGI app would otherwise close the test's
    # connection (and its transaction) after each answer
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_document_has_every_operation(api_schema):
    ops = [r.ok() for r in api_schema.get_all_operations()]
    assert sorted(f"{o.method.upper()} {o.path}" for o in ops) == OPERATIONS


WARD = "X05000001"  # a ward of every Northbridge, with its team, hot spots and survey figures


def _borough() -> str:
    from openbeat.areas import lookup

    return lookup.area_list(level="borough", limit=1)[0][0].code


def _a_priority() -> int:
    """An adopted priority in WARD with an action and a comment, so the priority endpoints answer 200."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from openbeat.accounts.services import role_create
    from openbeat.priorities import services

    people = get_user_model().objects
    resident = people.create_user("resident@example.org", password="not used")
    officer = people.create_user("officer@example.org", password="not used")
    p = services.priority_propose(user=resident, ward_code=WARD, title="Burglary", description="At night.",
                                  crime_types=["Burglary"])
    role_create(user=officer, kind="officer", area_code=WARD, force=p.force,
                verified_by=people.create_user("admin@example.org", password="not used", is_staff=True))
    services.priority_adopt(priority=p, by=officer, until=services.today() + dt.timedelta(days=30))
    services.priority_action_add(priority=p, by=officer, kind="action", text="Patrols", happened_on=services.today())
    services.priority_comment_add(priority=p, author=resident, body="Thanks")
    return p.pk


def _fixed(path: str) -> tuple[dict | None, dict | None]:
    """Path and query parameters that name real areas, so the figures behind them are computed."""
    if path.endswith("/scorecard"):
        return {"code": _borough()}, None
    if "{code}" in path:
        return {"code": WARD}, None
    if path == "/api/allocation":
        return None, {"within": _borough()}
    if path == "/api/did-it-work":
        return None, {"ward": WARD, "start": "2025-01"}
    if "{pk}" in path:
        return {"pk": _a_priority()}, None
    if path == "/api/locate":
        from openbeat.areas import lookup

        ward = lookup.area_get(code=WARD)
        return None, {"q": f"{ward.centroid_lat:.5f},{ward.centroid_lon:.5f}"}
    return None, None


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_keeps_its_promises(api_schema, operation):
    method, path = operation.split(" ")
    op = next(r.ok() for r in api_schema.get_all_operations() if r.ok().path == path)
    seen: dict[int, int] = {}
    fixed_path, fixed_query = _fixed(path)

    def drive(mode, path_parameters, query, examples):
        @given(case=op.as_strategy(generation_mode=mode, path_parameters=path_parameters, query=query))
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            # the in-process WSGI transport does not undo gzip, so ask for plain bodies
            response = case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})
            seen[response.status_code] = seen.get(response.status_code, 0) + 1

        run()

    drive(GenerationMode.POSITIVE, fixed_path, fixed_query, 25)
    drive(GenerationMode.NEGATIVE, None, None, 15)
    assert not any(code >= 500 for code in seen)
    assert 200 in seen, seen
