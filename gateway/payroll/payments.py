"""Payment state changes after release, each with its ledger postings in the same transaction.

States only move forward along ``TRANSITIONS``; a change is a conditional UPDATE, so two
workers or a duplicate callback racing on one payment leave exactly one effect.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.ledger import accounts
from gateway.ledger.postings import post
from gateway.outbox import emit
from gateway.payroll.models import Cycle, Payment, PaymentState, Program
from gateway.registry.models import utcnow

S = PaymentState
TRANSITIONS: dict[PaymentState, frozenset[PaymentState]] = {
    S.READY: frozenset({S.HELD, S.SENDING, S.FAILED}),
    S.HELD: frozenset({S.READY, S.SENDING, S.FAILED}),
    # A retryable error that was not applied returns the payment to ready.
    S.SENDING: frozenset({S.READY, S.ACCEPTED, S.UNKNOWN, S.SUCCEEDED, S.FAILED}),
    S.ACCEPTED: frozenset({S.UNKNOWN, S.SUCCEEDED, S.FAILED}),
    S.UNKNOWN: frozenset({S.ACCEPTED, S.SUCCEEDED, S.FAILED}),
    S.SUCCEEDED: frozenset({S.CONFIRMED}),
}
# Outcomes the beneficiary hears about by SMS (the channels send them).
NOTICE_STATES = frozenset({S.SUCCEEDED, S.FAILED, S.HELD})


def allowed_from(target: PaymentState) -> list[str]:
    """Return the states a payment may move to ``target`` from."""
    return [src.value for src, targets in TRANSITIONS.items() if target in targets]


def transition(
    session: Session,
    payment_id: int,
    target: PaymentState,
    *,
    reason: str | None = None,
    provider_ref: str | None = None,
    fee: int = 0,
) -> bool:
    """Move one payment to ``target`` if its current state allows; return whether it moved.

    Success moves the amount from the provider's clearing account to paid; a final failure
    returns it from clearing to the program's month account. Both in this transaction.
    """
    P = Payment.__table__
    now = utcnow()
    values: dict[str, object] = {"state": target.value, "updated_at": now}
    if reason is not None:
        values["state_reason"] = reason[:200]
    if provider_ref is not None:
        values["provider_ref"] = provider_ref[:100]
    if target in (S.SUCCEEDED, S.FAILED):
        values["final_at"] = now
        values["fee"] = fee
    if target is S.CONFIRMED:
        values["confirmed_at"] = now
    if target is S.SENDING:
        values["attempts"] = P.c.attempts + 1
    moved = session.execute(
        P.update().where(P.c.id == payment_id, P.c.state.in_(allowed_from(target)))
        .values(**values).returning(P.c.amount, P.c.provider, P.c.cycle_id, P.c.beneficiary_id)
    ).first()
    if moved is None:
        return False
    amount, provider, cycle_id, beneficiary_id = moved
    if target is S.SUCCEEDED:
        post(session, "settlement", [(accounts.clearing(provider), -amount, payment_id),
                                     (accounts.paid(provider), amount, payment_id)],
             cycle_id=cycle_id)
    elif target is S.FAILED:
        program, period = session.execute(
            sa.select(Program.code, Cycle.period).join(Cycle, Cycle.program_id == Program.id)
            .where(Cycle.id == cycle_id)).one()
        post(session, "failure", [(accounts.clearing(provider), -amount, payment_id),
                                  (accounts.program_period(program, period), amount, payment_id)],
             cycle_id=cycle_id)
    if target in NOTICE_STATES:
        emit(session, "notice.payment", [{"payment_id": payment_id, "state": target.value,
                                          "beneficiary_id": beneficiary_id}])
    return True


def transition_many(session: Session, payment_ids: Iterable[int], target: PaymentState,
                    **kwargs: object) -> int:
    """Apply ``transition`` to each payment; return how many moved."""
    return sum(transition(session, pid, target, **kwargs) for pid in payment_ids)  # type: ignore[arg-type]
