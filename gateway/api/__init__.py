"""The admin REST API under ``/api/v1``: API keys, roles, and the endpoints built on them.

Adding an endpoint: pick (or add) an action in ``roles.ROLE_MATRIX``, write the request and
response schemas in ``schemas.py`` (requests derive from ``Strict``), and stack the view::

    @bp.get("/cycles/<ref>")
    @requires("cycles.read")
    @bp.input(CycleQuery, location="query")      # and/or location="json"
    @bp.output(CycleOut)
    def show_cycle(ref: str, query_data: dict[str, object]) -> dict[str, object]:
        ...  # open a session, call the domain with plain values, return a dict

then import the module in ``init_app`` and add its calls to tests/api/test_roles.py.
A citizen ID or phone never goes in a URL (access logs keep URLs): take it in a JSON body.
Control characters, deep nesting and oversize bodies are refused before the view by
``gateway.web.input_guard``, for every endpoint: nothing to add per endpoint.
"""

from __future__ import annotations

from apiflask import APIFlask
from apiflask.schema_adapters.marshmallow import parser
from flask import current_app, request

from gateway.api.blueprint import PREFIX, bp
from gateway.api.schemas import ERROR_SCHEMA

API_TITLE = "ChiTra admin API"
API_VERSION = "1"
# Settings API_MAX_UPLOAD_BYTES and API_MAX_BODY_BYTES override these. Rosters of a whole
# province (~150 MB as CSV for a million rows) go through `gateway roster import` instead.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_BODY_BYTES = 1024 * 1024
FORBIDDEN = {
    "description": "The API key's role may not do this (see x-chitra-roles).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
}


def init_app(app: APIFlask) -> None:
    """Register the ``/api/v1`` endpoints and keep the OpenAPI document to them."""
    from gateway.api import (  # noqa: F401 - registers the views
        approvers,
        audit,
        beneficiaries,
        complaints,
        cycles,
        pins,
        programs,
        reconciliations,
        reports,
        rosters,
        wallet_changes,
    )

    # webargs drops unknown query parameters by default (EXCLUDE) whatever the schema says;
    # without a parser-wide setting every location obeys its schema, and ours RAISE.
    # (So a schema for location="headers" must not derive from Strict: every header counts.)
    parser.unknown = None
    # Document the error bodies gateway.web.errors really sends.
    app.config["HTTP_ERROR_SCHEMA"] = app.config["VALIDATION_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.config["VALIDATION_ERROR_DESCRIPTION"] = (
        "Invalid or unknown fields; error.details says which, by location.")
    app.config["AUTH_ERROR_DESCRIPTION"] = "Missing, unknown, malformed or revoked API key."
    app.register_blueprint(bp)
    app.before_request(_limit_body)

    @app.spec_processor
    def only_admin_api(spec: dict[str, object]) -> dict[str, object]:
        # Health probes and telco/wallet callbacks are not part of the admin API contract.
        paths = spec.get("paths", {})
        assert isinstance(paths, dict)
        spec["paths"] = {p: ops for p, ops in paths.items() if p.startswith(PREFIX + "/")}
        for operations in spec["paths"].values():
            for operation in operations.values():
                if operation.get("security"):
                    operation["responses"].setdefault("403", FORBIDDEN)
        return spec


def _limit_body() -> None:
    # Set before anything reads the body, so an oversize one is refused (413) as it streams
    # in; without it Flask accepts bodies of any size.
    if not request.path.startswith(PREFIX + "/"):
        return
    multipart = request.mimetype == "multipart/form-data"
    request.max_content_length = current_app.config.get(
        "API_MAX_UPLOAD_BYTES" if multipart else "API_MAX_BODY_BYTES",
        MAX_UPLOAD_BYTES if multipart else MAX_BODY_BYTES)
