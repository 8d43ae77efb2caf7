"""The JSON error answer: ``{"status", "code", "message", "hint", "errors"}`` (the shape is
described in :mod:`openbeat.api.errors`).

It lives in the project package because the project answers requests under ``/api/`` too:
its 400/403/404/500 handlers (:mod:`openbeat.web.views`), the middleware and the answer
cache's refusals. The API's handlers use the same function.
"""

from __future__ import annotations

from django.http import JsonResponse


def error_response(status: int, code: str, message: str, *, hint: str | None = None,
                   errors: list[dict] | None = None) -> JsonResponse:
    from openbeat.web.resident import for_residents  # what an administrator must run goes to the log

    message = for_residents(message)
    hint = (for_residents(hint, next_step="").strip() or None) if hint else hint
    body = {"status": status, "code": code, "message": message, "hint": hint, "errors": errors or []}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
