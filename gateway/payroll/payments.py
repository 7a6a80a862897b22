"""Payment state changes after release, each with its ledger postings in the same transaction.

States only move forward along ``TRANSITIONS``; a change is a conditional UPDATE, so two
workers or a duplicate callback racing on one payment leave exactly one effect. Changes are
applied in batches (one UPDATE ... FROM VALUES ... RETURNING per target state) because the
disbursement engine settles thousands of payments a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.clock import utcnow
from gateway.db import bulk_insert
from gateway.ledger import accounts
from gateway.ledger.models import Posting
from gateway.ledger.postings import new_txn
from gateway.outbox import emit
from gateway.payroll.models import Cycle, PaymentState, Program

S = PaymentState
TRANSITIONS: dict[PaymentState, frozenset[PaymentState]] = {
    S.READY: frozenset({S.HELD, S.SENDING, S.FAILED}),
    S.HELD: frozenset({S.READY, S.SENDING, S.FAILED}),
    # A retryable error that was not applied returns the payment to ready.
    S.SENDING: frozenset({S.READY, S.ACCEPTED, S.UNKNOWN, S.SUCCEEDED, S.FAILED}),
    S.ACCEPTED: frozenset({S.UNKNOWN, S.SUCCEEDED, S.FAILED}),
    # A status query that finds no record proves the transfer never arrived: send it again.
    S.UNKNOWN: frozenset({S.READY, S.ACCEPTED, S.SUCCEEDED, S.FAILED}),
    S.SUCCEEDED: frozenset({S.CONFIRMED}),
}
# Outcomes the beneficiary hears about by SMS (the channels send them).
NOTICE_STATES = frozenset({S.SUCCEEDED, S.FAILED, S.HELD})
RETURNING = ("id", "amount", "provider", "cycle_id", "beneficiary_id")


def allowed_from(target: PaymentState) -> list[str]:
    """Return the states a payment may move to ``target`` from."""
    return [src.value for src, targets in TRANSITIONS.items() if target in targets]


@dataclass(frozen=True, slots=True)
class Change:
    """One payment to move, with what the provider said about it."""

    payment_id: int
    provider_ref: str | None = None
    reason: str | None = None
    fee: int = 0
    next_attempt_at: datetime | None = None


def transition(session: Session, payment_id: int, target: PaymentState, *,
               reason: str | None = None, provider_ref: str | None = None,
               fee: int = 0) -> bool:
    """Move one payment to ``target`` if its current state allows; return whether it moved."""
    return bool(transition_batch(session, target, [Change(payment_id, provider_ref, reason, fee)]))


def transition_batch(session: Session, target: PaymentState,
                     changes: Sequence[Change]) -> list[int]:
    """Move payments to ``target`` where their state allows; return the ids that moved.

    Success moves each amount from its provider's clearing account to paid; a final failure
    returns it from clearing to the program's month account; both in this transaction.
    """
    if not changes:
        return []
    moved = _update(session, target, changes)
    if not moved:
        return []
    if target is S.SUCCEEDED:
        _post(session, "settlement", moved,
              lambda r: [(accounts.clearing(r["provider"]), -r["amount"]),
                         (accounts.paid(r["provider"]), r["amount"])])
    elif target is S.FAILED:
        months = _program_months(session, {r["cycle_id"] for r in moved})
        _post(session, "failure", moved,
              lambda r: [(accounts.clearing(r["provider"]), -r["amount"]),
                         (months[r["cycle_id"]], r["amount"])])
    if target in NOTICE_STATES:
        emit(session, "notice.payment", [
            {"payment_id": r["id"], "state": target.value, "beneficiary_id": r["beneficiary_id"]}
            for r in moved])
    return [r["id"] for r in moved]


def _update(session: Session, target: PaymentState,
            changes: Sequence[Change]) -> list[dict[str, int | str]]:
    """Run one conditional UPDATE ... FROM (the batch's rows) ... RETURNING for the batch."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    now = utcnow()
    mark = "%s" if postgres else "?"
    final = target in (S.SUCCEEDED, S.FAILED)
    if postgres:
        # One array per column, unnested server-side: five parameters whatever the batch
        # size (a placeholder per value would make psycopg parse thousands out of the SQL).
        values = ("unnest(%s::integer[], %s::varchar[], %s::varchar[], %s::bigint[], "
                  "%s::timestamp[]) AS v(id, provider_ref, reason, fee, next_at)")
        params: list[object] = [
            [c.payment_id for c in changes], [c.provider_ref for c in changes],
            [(c.reason or "")[:200] or None for c in changes], [c.fee for c in changes],
            [c.next_attempt_at for c in changes]]
        col = {"id": "v.id", "ref": "v.provider_ref", "reason": "v.reason", "fee": "v.fee",
               "next": "v.next_at"}
    else:
        values = f"(VALUES {', '.join('(?, ?, ?, ?, ?)' for _ in changes)}) AS v"
        params = []
        for c in changes:
            params += [c.payment_id, c.provider_ref, (c.reason or "")[:200] or None, c.fee,
                       c.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S.%f")
                       if c.next_attempt_at else None]
        col = {"id": "v.column1", "ref": "v.column2", "reason": "v.column3", "fee": "v.column4",
               "next": "v.column5"}
    stamp = now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    sets = [f"state = {mark}", f"updated_at = {mark}",
            f"provider_ref = COALESCE({col['ref']}, payment.provider_ref)",
            f"state_reason = COALESCE({col['reason']}, payment.state_reason)",
            f"next_attempt_at = {col['next']}"]
    head: list[object] = [target.value, stamp]
    if final:
        sets += [f"final_at = {mark}", f"fee = {col['fee']}"]
        head.append(stamp)
    if target is S.CONFIRMED:
        sets.append(f"confirmed_at = {mark}")
        head.append(stamp)
    if target is S.SENDING:
        sets.append("attempts = payment.attempts + 1")
    allowed = ", ".join(f"'{s}'" for s in allowed_from(target))
    sql = (f"UPDATE payment SET {', '.join(sets)} FROM {values} "
           f"WHERE payment.id = {col['id']} AND payment.state IN ({allowed}) "
           f"RETURNING {', '.join('payment.' + c for c in RETURNING)}")
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, head + params)
        return [dict(zip(RETURNING, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _post(session: Session, kind: str, moved: list[dict], legs) -> None:  # type: ignore[no-untyped-def]
    txn = new_txn(session, kind, cycle_id=moved[0]["cycle_id"] if len(
        {r["cycle_id"] for r in moved}) == 1 else None)
    bulk_insert(session, Posting.__table__, [  # type: ignore[arg-type]
        {"txn_id": txn, "account": account, "amount": amount, "payment_id": r["id"]}
        for r in moved for account, amount in legs(r)])


def _program_months(session: Session, cycle_ids: set[int]) -> dict[int, str]:
    rows = session.execute(sa.select(Cycle.id, Program.code, Cycle.period)
                           .join(Program, Program.id == Cycle.program_id)
                           .where(Cycle.id.in_(cycle_ids)))
    return {cid: accounts.program_period(code, period) for cid, code, period in rows}
