"""``/api/v1/cycles/<ref>/report`` and ``/settlement``: what `gateway report cycle` shows."""

from __future__ import annotations

from typing import Any

from gateway.api.auth import requires
from gateway.api.blueprint import bp
from gateway.api.payroll_schemas import ReportOut, SettlementOut
from gateway.db import get_db
from gateway.payroll.cycles import get_cycle
from gateway.reports.cycle import cycle_report
from gateway.reports.settlement import settlement


@bp.get("/cycles/<ref>/report")
@requires("reports.read")
@bp.output(ReportOut)
@bp.doc(responses={404: "No such cycle."})
def cycle_report_view(ref: str) -> dict[str, Any]:
    """Report a cycle per commune: due, paid, failed, pending, held, confirmed, complaints, fees."""
    with get_db().sessionmaker() as session:
        return cycle_report(session, get_cycle(session, ref)).as_dict()


@bp.get("/cycles/<ref>/settlement")
@requires("reports.read")
@bp.output(SettlementOut)
@bp.doc(responses={404: "No such cycle."})
def cycle_settlement_view(ref: str) -> dict[str, Any]:
    """Settle a cycle per commune from the ledger: allocated, released, paid, returned, fees."""
    with get_db().sessionmaker() as session:
        return settlement(session, get_cycle(session, ref)).as_dict()
