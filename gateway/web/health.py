"""Liveness and readiness probes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app

from gateway.db import get_db
from gateway.migrate import current_revision, head_revision

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer that the process is up."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int]:
    """Check the database (reachable, migrations current) and Redis (reachable)."""
    checks: dict[str, dict[str, object]] = {}
    db = get_db()
    try:
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        current, head = current_revision(db.engine), head_revision()
        checks["database"] = {"ok": current == head, "revision": current, "expected": head}
        if current != head:
            checks["database"]["error"] = "migrations pending: run `gateway db upgrade`"
    except sa.exc.SQLAlchemyError as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    client = current_app.extensions.get("chitra.redis")
    if client is None:
        checks["redis"] = {"ok": False, "error": "not configured (CHITRA_REDIS_URL)"}
    else:
        try:
            client.ping()
            checks["redis"] = {"ok": True}
        except Exception as exc:  # any failure to reach Redis means "not ready"
            checks["redis"] = {"ok": False, "error": type(exc).__name__}
    ready = all(c["ok"] for c in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
