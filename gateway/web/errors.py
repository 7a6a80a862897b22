"""JSON error answers: every HTTP error and every unexpected exception gets a clear body.

The shape is always ``{"error": {"code", "message"}}``, with ``"details"`` when there is more
to say (for validation errors: ``{"<location>": {"<field>": ["<problem>", ...]}}``).
"""

from __future__ import annotations

import logging
from typing import Any

from apiflask import APIFlask, HTTPError
from flask import Flask
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from gateway.errors import DomainError

log = logging.getLogger(__name__)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Return the JSON body of an error answer."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = _string_keys(details)
    return {"error": error}


def _string_keys(value: Any) -> Any:
    """Give ``value`` with every mapping key a string, so the sorted JSON dump cannot fail.

    Validation messages are keyed by what the client sent: list indexes (ints) and, for a
    multipart part without a name, ``None``; mixed with names they cannot be sorted.
    """
    if isinstance(value, dict):
        return {("_unnamed" if k is None else str(k)): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_string_keys(v) for v in value]
    return value


def _code_for(status: int) -> str:
    if status == 422:
        return "validation_error"
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")


def init_app(app: Flask) -> None:
    """Register handlers that answer errors as ``{"error": {"code", "message"}}``."""
    if isinstance(app, APIFlask):
        # apiflask raises HTTPError for validation errors and abort(); registered before
        # the werkzeug handler below, which must win for plain HTTP errors.
        @app.error_processor
        def api_error(exc: HTTPError):  # type: ignore[no-untyped-def]
            code = exc.extra_data.get("code") or _code_for(exc.status_code)
            return error_body(code, exc.message or "", exc.detail), exc.status_code, exc.headers

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):  # type: ignore[no-untyped-def]
        # The one place the web answers a refusal: its code and status, both languages.
        return error_body(exc.code, exc.en, {"en": exc.en, "vi": exc.vi}), exc.http_status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = (exc.name or "error").lower().replace(" ", "_")
        # webargs attaches what it could not parse (e.g. {"json": ["Invalid JSON body."]}).
        details = (getattr(exc, "data", None) or {}).get("messages")
        response = exc.get_response()
        body = error_body(code, exc.description or "", details)
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-type", "content-length")}
        return body, exc.code or 500, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unhandled error")
        body = InternalServerError()
        return {"error": {"code": "internal_error", "message": body.description}}, 500
