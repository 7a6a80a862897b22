"""What every cycle report carries: the cycle's header and commune names."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.clock import utcnow
from gateway.payroll.models import Cycle, Program
from gateway.vn.places import communes


def commune_name(code: str) -> str:
    """Return a commune's name from the reference list, or "" if the code is not in it."""
    commune = communes().get(code)
    return commune.name if commune else ""


def cycle_header(session: Session, cycle: Cycle) -> dict[str, Any]:
    """Return the facts that head every report of ``cycle``."""
    code = session.scalar(sa.select(Program.code).where(Program.id == cycle.program_id))
    return {
        "ref": cycle.ref, "id": cycle.id, "program": code, "period": f"{cycle.period:%Y-%m}",
        "scope": cycle.scope, "state": cycle.state,
        "payment_date": cycle.payment_date.isoformat(),
        "generated_at": utcnow().isoformat(timespec="seconds"),
    }


# (key, Vietnamese header, English header) of one report column.
Column = tuple[str, str, str]
