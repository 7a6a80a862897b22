"""User-facing domain errors: a stable code, an HTTP status, a sentence in Vietnamese and English.

Every room raises these (or a subclass) when a request cannot be carried out; nothing was
changed when one is raised. The CLI translates them once (``gateway.cli``: one clear message,
exit 1) and so does the web layer (``gateway.web.errors``: ``{"error": {"code", "message",
"details": {"en", "vi"}}}`` with the class's status).
"""

from __future__ import annotations


class DomainError(Exception):
    """A request cannot be carried out; nothing was changed."""

    code = "domain_error"
    http_status = 409

    def __init__(self, en: str, vi: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.vi = vi or en


class NotFound(DomainError):
    """The thing named does not exist (or the caller may not know that it does)."""

    code = "not_found"
    http_status = 404


class InvalidRequest(DomainError):
    """A value given is not acceptable (unknown commune, bad period, ...)."""

    code = "invalid_request"
    http_status = 422


class InvalidTransition(DomainError):
    """The thing is not in a state that allows this step."""

    code = "invalid_transition"


class Forbidden(DomainError):
    """This caller may not take this step, whoever they are."""

    code = "forbidden"
    http_status = 403
