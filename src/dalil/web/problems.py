"""Errors of the REST API as problem documents (RFC 9457, ``application/problem+json``):
``type``, ``title``, ``status``, ``detail`` (the one-line message), plus ``code`` (the
service error's stable code: clients branch on it, never on the text), ``field`` (the
input at fault, a service parameter or request field, when one is) and ``error`` (the
message again in English, the shape of earlier releases). A refusal raised with a message
id (:class:`dalil.display.messages.Message`) has ``detail`` in the request's language
(the session's, ``?lang=`` or ``Accept-Language``) and ``message``: ``{id, params}``."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    error: str
    message: dict[str, Any] | None = None


def _doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {MEDIA_TYPE: {}}}


#: The error responses every API route may give (for the OpenAPI document).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: _doc("Not authenticated"),
    403: _doc("Not permitted"),
    404: _doc("Not found"),
    409: _doc("Conflicts with stored state"),
    422: _doc("Invalid input (`field` names it)"),
}

_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found", 422: "input"}


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    error: str | None = None,
    message: dict[str, Any] | None = None,
) -> JSONResponse:
    """The problem document of an error (see the module docstring): *detail* in the
    request's language, *error* its English words (default: *detail*), *message* its
    message id and parameters when it has one."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code or _CODES.get(status, f"http_{status}"),
        "error": error if error is not None else detail,
    }
    if field:
        body["field"] = field
    if message is not None:
        body["message"] = message
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)
