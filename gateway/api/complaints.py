"""``/api/v1/complaints``: officers see and resolve what beneficiaries complain about."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from gateway.api.auth import current_caller, requires
from gateway.api.blueprint import bp
from gateway.api.domain import actor
from gateway.api.payroll_schemas import ComplaintList, ComplaintQuery, ResolveIn, ResolveOut
from gateway.complaints.filing import (
    get_complaint,
    open_note,
    open_resolution_note,
    resolve_complaint,
)
from gateway.complaints.models import Complaint, ComplaintStatus
from gateway.db import get_db
from gateway.payroll.cycles import get_cycle
from gateway.payroll.models import Cycle, Payment
from gateway.pii.codec import get_pii
from gateway.pii.mask import can_see_pii
from gateway.registry.models import Beneficiary


def _describe(session: Session, rows: list[Complaint], clear: bool) -> list[dict[str, object]]:
    """Return complaints as the API shows them, notes only for roles that may see them."""
    codec = get_pii()
    ids = [c.id for c in rows]
    C, P, B, Y = Complaint, aliased(Payment), aliased(Beneficiary), aliased(Cycle)
    refs = {cid: (b, p, y) for cid, b, p, y in session.execute(
        sa.select(C.id, B.ref, P.ref, Y.ref)
        .join(B, B.id == C.beneficiary_id)
        .outerjoin(P, P.id == C.payment_id)
        .outerjoin(Y, Y.id == C.cycle_id)
        .where(C.id.in_(ids)))} if ids else {}
    out = []
    for c in rows:
        beneficiary, payment, cycle = refs[c.id]
        out.append({
            "ticket": c.ticket, "kind": c.kind, "channel": c.channel, "status": c.status,
            "commune_code": c.commune_code, "beneficiary": beneficiary, "cycle": cycle,
            "payment": payment,
            "note": open_note(codec, c) if clear else None,
            "resolution": c.resolution,
            "resolution_note": open_resolution_note(codec, c) if clear else None,
            "created_at": c.created_at, "resolved_at": c.resolved_at,
            "resolved_by": c.resolved_by, "masked": not clear,
        })
    return out


@bp.get("/complaints")
@requires("complaints.read")
@bp.input(ComplaintQuery, location="query")
@bp.output(ComplaintList)
@bp.doc(responses={404: "No such cycle."})
def list_complaints(query_data: dict[str, object]) -> dict[str, object]:
    """List complaints, newest first, optionally of one cycle or in one status.

    Notes are personal data: shown only to roles that may see it.
    """
    limit = int(query_data["limit"])  # type: ignore[call-overload]
    clear = can_see_pii(current_caller().role.value)
    with get_db().sessionmaker() as session:
        query = sa.select(Complaint).order_by(Complaint.id.desc()).limit(limit + 1)
        if "cycle" in query_data:
            query = query.where(
                Complaint.cycle_id == get_cycle(session, str(query_data["cycle"])).id)
        if "status" in query_data:
            query = query.where(Complaint.status == query_data["status"])
        if "after" in query_data:
            query = query.where(Complaint.id < query_data["after"])
        rows = list(session.scalars(query))
        items = _describe(session, rows[:limit], clear)
        next_after = rows[limit - 1].id if len(rows) > limit else None
    return {"items": items, "next_after": next_after}


@bp.post("/complaints/<ticket>/resolve")
@requires("complaints.resolve")
@bp.input(ResolveIn, location="json")
@bp.output(ResolveOut)
@bp.doc(responses={404: "No complaint has this ticket."})
def resolve(ticket: str, json_data: dict[str, str]) -> dict[str, object]:
    """Close a complaint with a resolution; resolving it again changes nothing."""
    with get_db().session() as session:
        was_open = get_complaint(session, ticket).status == ComplaintStatus.OPEN.value
        complaint = resolve_complaint(session, ticket, actor(), json_data["resolution"],
                                      note=json_data.get("note"), codec=get_pii())
        [data] = _describe(session, [complaint], can_see_pii(current_caller().role.value))
    return {**data, "changed": was_open}
