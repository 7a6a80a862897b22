"""JSON error answers: every HTTP error and every unexpected exception gets a clear body."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register handlers that answer errors as ``{"error": {"code", "message"}}``."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = (exc.name or "error").lower().replace(" ", "_")
        return {"error": {"code": code, "message": exc.description}}, exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unhandled error")
        body = InternalServerError()
        return {"error": {"code": "internal_error", "message": body.description}}, 500
