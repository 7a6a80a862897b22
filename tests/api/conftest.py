"""Fixtures for the admin API: one API key per role, and a probe endpoint with a JSON body."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apiflask import APIBlueprint
from apiflask.fields import Integer, List, Nested, String
from apiflask.validators import Range
from flask import Flask

from gateway.api.auth import current_caller, requires
from gateway.api.keys import create_key
from gateway.api.roles import Role
from gateway.api.schemas import Strict
from gateway.db import get_db

Headers = dict[str, str]


def bearer(token: str) -> Headers:
    """Return the header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}


def make_key(name: str, role: Role | str) -> str:
    """Create an API key in the current app's database and return its token."""
    with get_db().session() as session:
        _key, token = create_key(session, name, role)
    return token


@pytest.fixture
def tokens(app: Flask) -> dict[Role, str]:
    """Give one working API key per role."""
    return {role: make_key(f"test-{role.value}", role) for role in Role}


@pytest.fixture
def as_role(tokens: dict[Role, str]) -> Callable[[Role], Headers]:
    """Give a function returning the Authorization header of a role's key."""
    return lambda role: bearer(tokens[role])


# --- a probe endpoint: no JSON-body endpoint exists yet, but payroll's will all look like it --

class Line(Strict):
    label = String(required=True)
    amount = Integer(required=True, strict=True, validate=Range(0, 10**12))


class ProbeIn(Strict):
    name = String(required=True)
    count = Integer(required=True, strict=True)
    lines = List(Nested(Line), load_default=list)


probe = APIBlueprint("api_probe", __name__, url_prefix="/api/v1/_probe")


@probe.post("/echo")
@requires("beneficiaries.read")
@probe.input(ProbeIn, location="json")
def echo(json_data: dict[str, object]) -> dict[str, object]:
    """Echo the validated body with the caller's name."""
    return {"caller": current_caller().name, **json_data}


@pytest.fixture
def probe_app(app: Flask) -> Flask:
    """Give the app with the probe endpoint added under /api/v1/_probe."""
    app.register_blueprint(probe)
    return app
