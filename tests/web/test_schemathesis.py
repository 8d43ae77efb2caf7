"""schemathesis drives the API from its own OpenAPI document, in process: never a 5xx.

Generated requests (valid ones, and ones that break the document's rules) go through the
WSGI app over the Testborough lake; every answer must be no server error, have a
documented status and content type, and (for JSON) match its documented schema. Few
examples per operation keep it quick; ``derandomize`` makes every run the same.

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


@pytest.fixture
def api_schema(use_lake, db):
    # db: the raw WSGI app fires request_started, whose handler touches the database
    # connection; the API itself never uses the database
    from openbeat.web.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def test_the_document_has_the_operations(api_schema):
    ops = [r.ok() for r in api_schema.get_all_operations()]
    assert sorted(f"{o.method.upper()} {o.path}" for o in ops) == [
        "GET /api/areas", "GET /api/areas/{code}", "GET /api/areas/{code}/crimes/monthly",
        "GET /api/areas/{code}/map", "GET /api/areas/{code}/team", "GET /api/locate"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_never_fails_and_keeps_its_promises(api_schema, mode):
    seen: dict[int, int] = {}

    @given(case=api_schema.as_strategy(generation_mode=mode))
    @settings(max_examples=120, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        # the in-process WSGI transport does not undo gzip, so ask for plain bodies
        response = case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})
        seen[response.status_code] = seen.get(response.status_code, 0) + 1

    run()
    assert not any(code >= 500 for code in seen)
    assert sum(seen.values()) >= 50, seen
