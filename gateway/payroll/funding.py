"""Budget allocations (dự toán) that fund a program's month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway import locks
from gateway.audit.chain import record
from gateway.errors import InvalidRequest
from gateway.ledger import accounts
from gateway.ledger.postings import balance, post
from gateway.payroll.cycles import get_program
from gateway.payroll.models import Allocation


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """The allocation and the month's balance after it; ``changed`` False if recorded before."""

    allocation: Allocation
    changed: bool
    available: int


def allocate(session: Session, *, program_code: str, period: date, amount: int, reference: str,
             actor: str) -> AllocationResult:
    """Record money allocated to a program for a month and post it to the ledger.

    The same (program, month, reference) recorded again changes nothing.

    Raises:
        InvalidRequest: the amount is not a positive whole number of đồng.
        NotFound: no such program.
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidRequest("the amount must be a positive whole number of đồng",
                             "Số tiền phải là số nguyên dương (đồng).")
    if not reference.strip():
        raise InvalidRequest("give the budget decision's reference",
                             "Cần ghi số quyết định cấp kinh phí.")
    locks.acquire(session, locks.PAYROLL)
    program = get_program(session, program_code)
    period = period.replace(day=1)
    account = accounts.program_period(program.code, period)
    existing = session.scalar(sa.select(Allocation).where(
        Allocation.program_id == program.id, Allocation.period == period,
        Allocation.reference == reference.strip()))
    if existing is not None:
        if existing.amount != amount:
            raise InvalidRequest(
                f"reference {reference!r} was already recorded with {existing.amount:,} VND",
                f"Quyết định {reference!r} đã được ghi với số tiền khác.")
        return AllocationResult(existing, False, balance(session, account))
    allocation = Allocation(program_id=program.id, period=period, amount=amount,
                            reference=reference.strip(), actor=actor)
    session.add(allocation)
    session.flush()
    post(session, "funding", [(accounts.budget(program.code), -amount, None),
                              (account, amount, None)],
         memo=f"allocation {allocation.id} {reference.strip()}"[:200])
    record(session, actor=actor, action="budget.allocate", subject_type="allocation",
           subject_id=allocation.id,
           detail={"program": program.code, "period": f"{period:%Y-%m}", "amount": amount})
    return AllocationResult(allocation, True, balance(session, account))
