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

from openbeat.areas import lake_reads, lookup
from openbeat.web.cache import lake_cached


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


def _examples() -> dict[str, str]:
    """A working example URL for every operation, from the areas loaded."""
    from openbeat.areas.area_figures import lake_months
    from openbeat.areas.lookup import forces

    ward = next(iter(lookup.area_list(level="ward", limit=1)[0]), None)
    borough = next(iter(lookup.area_list(level="borough", limit=1)[0]), None)
    force = next(iter(forces()), None)
    months = lake_months()
    # residents' priorities are in the app database, not the lake: the list needs no example id
    out = {"/api/areas": "/api/areas", "/api/priorities": "/api/priorities"}
    if lake_reads.has("population"):  # rates need residents
        out.update({"/api/compare": "/api/compare?level=ward", "/api/targeting": "/api/targeting?level=ward"})
    if ward is not None:
        tails = ["", "/map", "/team", "/crimes/monthly", "/profile", "/trends", "/hotspots", "/stop-search"]
        if lake_reads.has("pas"):
            tails.append("/trust")
        for tail in tails:
            out["/api/areas/{code}" + tail] = f"/api/areas/{ward.code}{tail}"
        if ward.centroid_lat is not None:
            out["/api/locate"] = f"/api/locate?q={ward.centroid_lat:.4f},{ward.centroid_lon:.4f}"
        if months and months[0] < months[1]:
            last = int(months[1][:4]) * 12 + int(months[1][5:]) - 1
            start = f"{(last - 11) // 12}-{(last - 11) % 12 + 1:02d}"
            if start > months[0]:
                out["/api/did-it-work"] = f"/api/did-it-work?ward={ward.code}&start={start}"
    if borough is not None:
        out["/api/allocation"] = f"/api/allocation?within={borough.code}&officers=100&pcsos=50"
    scorecard_area = force or borough
    if scorecard_area is not None:
        out["/api/areas/{code}/scorecard"] = f"/api/areas/{scorecard_area.code}/scorecard"
    return out


@require_safe
@lake_cached
def api_home(request: HttpRequest) -> HttpResponse:
    info, endpoints = _endpoints()
    examples = _examples()
    endpoints = [{**e, "example": examples.get(e["path"])} for e in endpoints]
    return render(request, "api/docs.html", {"info": info, "endpoints": endpoints})
