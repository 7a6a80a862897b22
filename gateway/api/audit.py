"""``/api/v1/audit``: auditors verify the hash chain and read its events."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.api.auth import requires
from gateway.api.blueprint import bp
from gateway.api.payroll_schemas import AuditEventList, AuditQuery, AuditVerifyOut
from gateway.audit.models import AuditEvent
from gateway.audit.verify import verify
from gateway.db import get_db


@bp.get("/audit/verify")
@requires("audit.read")
@bp.output(AuditVerifyOut)
def verify_chain() -> dict[str, object]:
    """Walk the whole audit chain and name its first broken link, if any."""
    with get_db().sessionmaker() as session:
        return verify(session).as_dict()


@bp.get("/audit/events")
@requires("audit.read")
@bp.input(AuditQuery, location="query")
@bp.output(AuditEventList)
def list_events(query_data: dict[str, int]) -> dict[str, object]:
    """List audit events in chain order after seq ``after`` (keyset: after=next_after)."""
    limit = query_data["limit"]
    with get_db().sessionmaker() as session:
        rows = list(session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > query_data["after"])
            .order_by(AuditEvent.seq).limit(limit + 1)))
    items = [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
              "subject_type": e.subject_type, "subject_id": e.subject_id,
              "before_digest": e.before_digest, "after_digest": e.after_digest,
              "detail": e.detail, "prev_hash": e.prev_hash, "hash": e.hash}
             for e in rows[:limit]]
    return {"items": items, "next_after": items[-1]["seq"] if len(rows) > limit else None}
