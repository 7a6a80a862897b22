"""Bearer-key authentication and role checks for admin endpoints.

``@requires("action")`` is the gate of every admin endpoint: it authenticates the
``Authorization: Bearer`` key (401), checks the role matrix (403), documents both in the
OpenAPI document, and refuses query parameters the endpoint does not declare.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from apiflask import HTTPError, HTTPTokenAuth
from flask import current_app, g, request

from gateway.api.keys import Caller, authenticate
from gateway.api.roles import allowed_roles
from gateway.db import get_db
from gateway.web.errors import error_body

F = TypeVar("F", bound=Callable[..., Any])
REALM = "ChiTra admin API"

bearer = HTTPTokenAuth(
    scheme="Bearer", realm=REALM, security_scheme_name="bearer",
    description="An API key from `gateway apikey create`: `Authorization: Bearer chitra_...`.",
)


@bearer.verify_token
def _verify(token: str) -> Caller | None:
    with get_db().session() as session:
        caller = authenticate(session, token)
    if caller is None:
        g.chitra_auth_failure = "invalid_token"
    return caller


@bearer.get_user_roles
def _roles(caller: Caller) -> list[str]:
    return [caller.role.value]


@bearer.error_handler
def _refuse(status: int) -> tuple[dict[str, object], int, dict[str, str]]:
    # RFC 6750: say which bearer problem it was, so clients know whether to fix the key
    # (invalid_token) or ask for another role (insufficient_scope).
    if status == 403:
        return _error("forbidden", "This API key's role may not do this.", 403,
                      "insufficient_scope")
    if g.get("chitra_auth_failure"):
        return _error("unauthorized", "The API key is unknown, malformed or revoked.", 401,
                      "invalid_token")
    return _error("unauthorized",
                  "Send an API key as `Authorization: Bearer <key>` (see `gateway apikey "
                  "create`).", 401, None)


def _error(code: str, message: str, status: int,
           bearer_error: str | None) -> tuple[dict[str, object], int, dict[str, str]]:
    challenge = f'Bearer realm="{REALM}"'
    if bearer_error:
        challenge += f', error="{bearer_error}"'
    return error_body(code, message), status, {"WWW-Authenticate": challenge}


def current_caller() -> Caller:
    """Return who is calling the current admin request as ``(name, role)``.

    Raises:
        RuntimeError: called outside an endpoint decorated with ``@requires``.
    """
    caller = bearer.current_user
    if not isinstance(caller, Caller):
        raise RuntimeError("current_caller() outside an endpoint decorated with @requires")
    return caller


def requires(action: str) -> Callable[[F], F]:
    """Let only API keys whose role may perform ``action`` (see roles.py) call the endpoint.

    Put it right under the route decorator, above ``@bp.input``/``@bp.output``, so that a
    caller is authenticated before anything about the request is examined.
    """
    roles = sorted(r.value for r in allowed_roles(action))

    def decorator(f: F) -> F:
        @wraps(f)
        def gate(*args: Any, **kwargs: Any) -> Any:
            if request.args and not _declares_query():
                _refuse_query()
            return f(*args, **kwargs)

        spec = gate._spec = dict(getattr(f, "_spec", {}))  # type: ignore[attr-defined]
        spec["auth"], spec["roles"] = bearer, roles
        # Machine-readable, so clients and tests can tell who may call what.
        spec["extensions"] = {**(spec.get("extensions") or {}), "x-chitra-action": action,
                              "x-chitra-roles": roles}
        protected = bearer.login_required(role=roles)(gate)
        return protected  # type: ignore[return-value]

    return decorator


def _declares_query() -> bool:
    # Read from the registered view, so the order of the decorators does not matter.
    view = current_app.view_functions.get(request.endpoint or "")
    return any(location == "query" for _, location in getattr(view, "_spec", {}).get("args", []))


def _refuse_query() -> None:
    unknown = {name: ["Unknown field."] for name in request.args}
    raise HTTPError(422, "This endpoint takes no query parameters.",
                    detail={"query": unknown})
