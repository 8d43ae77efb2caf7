"""/api/: the API's own documentation page, generated from its OpenAPI document.

ninja's docs page loads Swagger UI, whose inline code our Content-Security-Policy
forbids; this page is plain HTML in the site's accessible layout instead, and the
OpenAPI document itself is at /api/openapi.json for any other viewer.
"""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from openbeat.areas import selectors


@lru_cache(maxsize=1)
def _endpoints() -> tuple[dict, list[dict]]:
    from openbeat.api.api import api

    schema = api.get_openapi_schema(path_prefix=reverse("api_home").rstrip("/"))
    components = schema.get("components", {}).get("schemas", {})
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            params = []
            for p in op.get("parameters", []):
                s = p.get("schema", {})
                if "$ref" in s:
                    s = components.get(s["$ref"].rsplit("/", 1)[-1], {})
                kind = s.get("type") or " or ".join(x.get("type", "") for x in s.get("anyOf", []) if x.get("type") != "null")
                params.append({
                    "name": p["name"], "in": p["in"], "required": p.get("required", False),
                    "description": p.get("description") or s.get("description", ""), "type": kind,
                    "default": s.get("default"),
                })
            responses = sorted(op.get("responses", {}))
            out.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "params": params, "responses": responses,
                "csv": "text/csv" in op.get("responses", {}).get("200", {}).get("content", {}),
                "id": op.get("operationId", path),
            })
    return schema["info"], out


@require_safe
def api_home(request: HttpRequest) -> HttpResponse:
    info, endpoints = _endpoints()
    example, _ = selectors.area_list(level="ward", limit=1)
    example_code = example[0].code if example else None
    for e in endpoints:
        e["example"] = None
        if "{code}" in e["path"] and example_code:
            e["example"] = e["path"].replace("{code}", example_code)
        elif e["path"].endswith("/locate"):
            if example and example[0].centroid_lat is not None:
                e["example"] = f"{e['path']}?q={example[0].centroid_lat:.4f},{example[0].centroid_lon:.4f}"
        elif "{" not in e["path"]:
            e["example"] = e["path"]
    return render(request, "api/docs.html", {"info": info, "endpoints": endpoints})
