"""The admin API blueprint: every ``/api/v1`` endpoint hangs off ``bp``."""

from __future__ import annotations

from apiflask import APIBlueprint

PREFIX = "/api/v1"

bp = APIBlueprint("api", __name__, url_prefix=PREFIX, tag="admin")
