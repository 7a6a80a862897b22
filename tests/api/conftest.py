"""Fixtures for the admin API: a probe endpoint with a JSON body (keys: tests.support)."""

from __future__ import annotations

import pytest
from apiflask import APIBlueprint
from apiflask.fields import Integer, List, Nested, String
from apiflask.validators import Range
from flask import Flask

from gateway.api.auth import current_caller, requires
from gateway.api.schemas import Strict

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
