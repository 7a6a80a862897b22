"""How a cycle is shown to people and scripts: one summary for the CLI and the admin API."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.payroll.cycles import state_counts
from gateway.payroll.models import Cycle, CycleSkip, Program


def cycle_summary(session: Session, cycle: Cycle) -> dict[str, object]:
    """Return a cycle's totals, payments by state, skip reasons and who did each step."""
    program = session.get(Program, cycle.program_id)
    skips = dict(session.execute(
        sa.select(CycleSkip.reason, sa.func.count()).where(CycleSkip.cycle_id == cycle.id)
        .group_by(CycleSkip.reason)).all())
    return {
        "ref": cycle.ref, "id": cycle.id, "program": program.code if program else None,
        "period": f"{cycle.period:%Y-%m}", "scope": cycle.scope, "state": cycle.state,
        "payment_date": cycle.payment_date.isoformat(), "payments": cycle.payment_count,
        "total_amount": cycle.total_amount, "skipped": cycle.skipped_count,
        "skip_reasons": skips, "by_state": state_counts(session, cycle.id),
        "created_by": cycle.created_by, "submitted_by": cycle.submitted_by,
        "approved_by": cycle.approved_by, "released_by": cycle.released_by,
    }
