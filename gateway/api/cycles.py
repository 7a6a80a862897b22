"""``/api/v1/cycles`` and ``/api/v1/budget``: prepare, approve and release payment cycles.

Officers create, submit and cancel cycles and record budget allocations; approvers approve
and release (never a cycle they prepared: the actor is the key, ``apikey:<name>``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from gateway.api.auth import current_caller, requires
from gateway.api.blueprint import bp
from gateway.api.domain import actor
from gateway.api.payroll_schemas import (
    AllocationIn,
    AllocationOut,
    CycleApproval,
    CycleCreate,
    CycleList,
    CycleQuery,
    PaymentList,
    PaymentQuery,
)
from gateway.api.payroll_schemas import Cycle as CycleOut
from gateway.approvers.settings import second_factor as factor
from gateway.db import get_db
from gateway.payroll import cycles
from gateway.payroll.cycles import StepResult, get_cycle
from gateway.payroll.funding import allocate
from gateway.payroll.models import Cycle, Payment, Program
from gateway.payroll.views import cycle_summary
from gateway.pii.codec import get_pii
from gateway.pii.mask import can_see_pii, mask_phone
from gateway.registry.models import Beneficiary, WalletLink

Step = Callable[[Session, str, str], StepResult]


def describe(session: Session, cycle: Cycle, changed: bool | None = None) -> dict[str, object]:
    """Return a cycle as the API shows it (what `gateway cycle show --json` prints)."""
    data = cycle_summary(session, cycle)
    data["cancelled_by"] = cycle.cancelled_by
    if changed is not None:
        data["changed"] = changed
    return data


@bp.post("/cycles")
@requires("cycles.prepare")
@bp.input(CycleCreate, location="json")
@bp.output(CycleOut, status_code=201)
@bp.doc(responses={200: "The same cycle existed already; it is returned unchanged.",
                   404: "No such program.", 422: "Unknown communes or malformed input."})
def create_cycle(json_data: dict[str, object]) -> tuple[dict[str, object], int]:
    """Build a draft cycle: one payment per eligible beneficiary, a reason per skip.

    Idempotent: the same program, month and communes again answer 200 with the first cycle.
    """
    cfg = current_app.config
    period = json_data["period"]
    assert isinstance(period, date)
    with get_db().session() as session:
        result = cycles.create_cycle(
            session, get_pii(), program_code=str(json_data["program"]), period=period,
            actor=actor(), payment_day=int(cfg.get("PAYMENT_DAY", 5)),
            payment_date=json_data.get("payment_date"),  # type: ignore[arg-type]
            communes=json_data.get("communes"),  # type: ignore[arg-type]
            province_code=cfg["PROVINCE_CODE"],
            beneficiary_refs=json_data.get("beneficiaries"))  # type: ignore[arg-type]
        data = describe(session, result.cycle, result.changed)
    return data, 201 if result.changed else 200


@bp.get("/cycles")
@requires("cycles.read")
@bp.input(CycleQuery, location="query")
@bp.output(CycleList)
def list_cycles(query_data: dict[str, object]) -> dict[str, object]:
    """List cycles, newest first, optionally by program, month or state."""
    limit = int(query_data["limit"])  # type: ignore[call-overload]
    query = (sa.select(Cycle, Program.code).join(Program, Program.id == Cycle.program_id)
             .order_by(Cycle.id.desc()).limit(limit + 1))
    if "program" in query_data:
        query = query.where(Program.code == str(query_data["program"]).upper())
    if "period" in query_data:
        query = query.where(Cycle.period == query_data["period"])
    if "state" in query_data:
        query = query.where(Cycle.state == query_data["state"])
    if "after" in query_data:
        query = query.where(Cycle.id < query_data["after"])
    with get_db().sessionmaker() as session:
        rows = session.execute(query).all()
    items = [{"ref": c.ref, "id": c.id, "program": code, "period": f"{c.period:%Y-%m}",
              "scope": c.scope, "state": c.state, "payment_date": c.payment_date.isoformat(),
              "payments": c.payment_count, "total_amount": c.total_amount}
             for c, code in rows[:limit]]
    return {"items": items, "next_after": items[-1]["id"] if len(rows) > limit else None}


@bp.get("/cycles/<ref>")
@requires("cycles.read")
@bp.output(CycleOut)
@bp.doc(responses={404: "No such cycle."})
def show_cycle(ref: str) -> dict[str, object]:
    """Show a cycle: totals, payments by state, reasons for skips, who did each step."""
    with get_db().sessionmaker() as session:
        return describe(session, get_cycle(session, ref))


def _step(name: str, action: str, step: Step, summary: str, doc: str, *,
          second_factor: bool = False) -> None:
    def view(ref: str, json_data: dict[str, object] | None = None) -> dict[str, object]:
        kwargs: dict[str, object] = {}
        if second_factor:
            code = (json_data or {}).get("totp")
            kwargs["second_factor"] = factor(code if isinstance(code, str) else None)
        with get_db().session() as session:
            cycle = get_cycle(session, ref)  # 404 for refs that cannot name a cycle
            result = step(session, cycle.ref, actor(), **kwargs)
            return describe(session, result.cycle, result.changed)

    view.__name__ = f"{name}_cycle"
    view.__doc__ = f"{summary}\n\n{doc}"
    forbidden = "The role may not do this, or maker-checker: the approver prepared the cycle."
    if second_factor:
        forbidden += (" Or the approver's TOTP was refused (error.code totp_not_enrolled, "
                      "totp_required, totp_invalid, totp_replayed or totp_locked); the cycle "
                      "is unchanged.")
    decorated = bp.output(CycleOut)(view)
    if second_factor:
        decorated = bp.input(CycleApproval, location="json")(decorated)
    decorated = bp.doc(responses={
        403: forbidden,
        404: "No such cycle.", 409: "The cycle is not in a state that allows this step."},
    )(decorated)
    bp.post(f"/cycles/<ref>/{name}")(requires(action)(decorated))


_step("submit", "cycles.prepare", cycles.submit_cycle, "Send a draft cycle for approval.",
      "Submitting again changes nothing (changed: false).")
_step("approve", "cycles.approve", cycles.approve_cycle, "Approve a submitted cycle.",
      "The approving key must not be the one that created or submitted it. Send "
      '{"totp": "123456"} when the key has an authenticator (see /approver/totp); '
      "approving an approved cycle again changes nothing and needs no code.",
      second_factor=True)
_step("release", "cycles.approve", cycles.release_cycle,
      "Release an approved cycle for disbursement.",
      "Checks the month's funding; releasing again pays nobody twice (changed: false) and "
      'needs no code. Send {"totp": "123456"} as for approve.', second_factor=True)
_step("cancel", "cycles.prepare", cycles.cancel_cycle, "Cancel a cycle before release.",
      "Its people may then be put in a new cycle.")


@bp.get("/cycles/<ref>/payments")
@requires("payments.read")
@bp.input(PaymentQuery, location="query")
@bp.output(PaymentList)
@bp.doc(responses={404: "No such cycle."})
def list_payments(ref: str, query_data: dict[str, object]) -> dict[str, object]:
    """List a cycle's payments in id order, a page at a time (keyset: after=next_after).

    The recipient's phone is masked unless the role may see personal data.
    """
    limit = int(query_data["limit"])  # type: ignore[call-overload]
    clear = can_see_pii(current_caller().role.value)
    codec = get_pii()
    with get_db().sessionmaker() as session:
        cycle = get_cycle(session, ref)
        query = (sa.select(Payment, Beneficiary.ref, WalletLink.ref, WalletLink.phone_enc)
                 .join(Beneficiary, Beneficiary.id == Payment.beneficiary_id)
                 .outerjoin(WalletLink, WalletLink.id == Payment.wallet_link_id)
                 .where(Payment.cycle_id == cycle.id).order_by(Payment.id).limit(limit + 1))
        if "state" in query_data:
            query = query.where(Payment.state == query_data["state"])
        if "commune" in query_data:
            query = query.where(Payment.commune_code == query_data["commune"])
        if "after" in query_data:
            query = query.where(Payment.id > query_data["after"])
        rows = session.execute(query).all()
    items = []
    for p, beneficiary_ref, wallet_ref, phone_enc in rows[:limit]:
        phone = codec.open("wallet_link", "phone", wallet_ref, phone_enc) if phone_enc else None
        items.append({
            "id": p.id, "ref": p.ref, "beneficiary": beneficiary_ref,
            "commune_code": p.commune_code, "amount": p.amount, "fee": p.fee, "basis": p.basis,
            "state": p.state, "state_reason": p.state_reason, "provider": p.provider,
            "recipient_phone": phone if clear or phone is None else mask_phone(phone),
            "to_representative": p.to_representative, "attempts": p.attempts,
            "provider_ref": p.provider_ref, "updated_at": p.updated_at, "final_at": p.final_at,
            "confirmed_at": p.confirmed_at,
        })
    return {"items": items, "masked": not clear,
            "next_after": items[-1]["id"] if len(rows) > limit else None}


@bp.post("/budget/allocations")
@requires("budget.allocate")
@bp.input(AllocationIn, location="json")
@bp.output(AllocationOut, status_code=201)
@bp.doc(responses={200: "This decision was recorded before; nothing changed.",
                   404: "No such program.",
                   422: "Malformed input, or the reference was recorded with another amount."})
def allocate_budget(json_data: dict[str, object]) -> tuple[dict[str, object], int]:
    """Record money allocated to a program for a month (dự toán); it funds the month's cycles.

    The same program, month and reference again changes nothing.
    """
    period = json_data["period"]
    assert isinstance(period, date)
    with get_db().session() as session:
        result = allocate(session, program_code=str(json_data["program"]), period=period,
                          amount=json_data["amount"],  # type: ignore[arg-type]
                          reference=str(json_data["reference"]), actor=actor())
        data = {"allocation_id": result.allocation.id, "changed": result.changed,
                "available": result.available, "program": str(json_data["program"]).upper(),
                "period": f"{period:%Y-%m}", "amount": result.allocation.amount,
                "reference": result.allocation.reference}
    return data, 201 if result.changed else 200
