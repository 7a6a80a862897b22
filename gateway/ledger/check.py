"""Ledger invariants: balanced transactions, no forbidden negative balance, and each
payment's postings matching its state."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.ledger.accounts import NON_NEGATIVE_PREFIXES
from gateway.ledger.models import LedgerTxn, Posting
from gateway.payroll.models import Cycle, Payment, PaymentState, Program

S = PaymentState
_RELEASED_OPEN = {S.READY, S.HELD, S.SENDING, S.ACCEPTED, S.UNKNOWN}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken invariant."""

    kind: str
    subject: str
    detail: str


def expected_legs(state: str, amount: int) -> tuple[int, int, int]:
    """Return the net (program, clearing, paid) postings a payment in ``state`` must have."""
    s = PaymentState(state)
    if s in _RELEASED_OPEN:
        return (-amount, amount, 0)
    if s in (S.SUCCEEDED, S.CONFIRMED):
        return (-amount, 0, amount)
    return (0, 0, 0)  # pending, cancelled (never released), failed (released and returned)


def check_ledger(session: Session, limit: int = 100) -> list[Violation]:
    """Return up to ``limit`` violations of the ledger's invariants (empty when sound)."""
    found: list[Violation] = []
    Q = Posting.__table__
    for txn_id, total in session.execute(
        sa.select(Q.c.txn_id, sa.func.sum(Q.c.amount)).group_by(Q.c.txn_id)
        .having(sa.func.sum(Q.c.amount) != 0).limit(limit)
    ):
        found.append(Violation("unbalanced_transaction", f"txn {txn_id}", f"sums to {total}"))
    negative = sa.or_(*[Q.c.account.startswith(p) for p in NON_NEGATIVE_PREFIXES])
    for account, total in session.execute(
        sa.select(Q.c.account, sa.func.sum(Q.c.amount)).where(negative).group_by(Q.c.account)
        .having(sa.func.sum(Q.c.amount) < 0).limit(limit)
    ):
        found.append(Violation("negative_balance", account, f"balance {total}"))
    # References are not foreign keys (see ledger/models.py), so check them here.
    T, P = LedgerTxn.__table__, Payment.__table__
    for posting_id, txn_id in session.execute(
        sa.select(Q.c.id, Q.c.txn_id).where(~sa.exists().where(T.c.id == Q.c.txn_id))
        .limit(limit)
    ):
        found.append(Violation("orphan_posting", f"posting {posting_id}", f"no txn {txn_id}"))
    for posting_id, payment_id in session.execute(
        sa.select(Q.c.id, Q.c.payment_id).where(
            Q.c.payment_id.is_not(None), ~sa.exists().where(P.c.id == Q.c.payment_id))
        .limit(limit)
    ):
        found.append(Violation("orphan_posting", f"posting {posting_id}",
                               f"no payment {payment_id}"))
    found += _payment_violations(session, limit - len(found))
    return found[:limit]


def _payment_violations(session: Session, limit: int) -> list[Violation]:
    """Compare each payment's postings, by account, with what its state requires."""
    if limit <= 0:
        return []
    P, Q, C, G = Payment.__table__, Posting.__table__, Cycle.__table__, Program.__table__
    query = (
        sa.select(P.c.id, P.c.ref, P.c.state, P.c.amount, P.c.provider, C.c.period, G.c.code,
                  Q.c.account, Q.c.amount)
        .select_from(P.join(C, C.c.id == P.c.cycle_id).join(G, G.c.id == C.c.program_id)
                     .outerjoin(Q, Q.c.payment_id == P.c.id))
        .order_by(P.c.id)
    )
    found: list[Violation] = []
    current: list = []

    def judge(rows: list) -> None:
        _pid, ref, state, amount, provider, period, code = rows[0][:7]
        legs = {"program": 0, "clearing": 0, "paid": 0, "other": 0}
        names = {f"program:{code}:{period:%Y-%m}": "program",
                 f"clearing:{provider}": "clearing", f"paid:{provider}": "paid"}
        for row in rows:
            if row[7] is not None:
                legs[names.get(row[7], "other")] += row[8]
        want = expected_legs(state, amount)
        got = (legs["program"], legs["clearing"], legs["paid"], legs["other"])
        if got != (*want, 0):
            found.append(Violation(
                "payment_postings", f"payment {ref}",
                f"state {state}, amount {amount}: program/clearing/paid/other = "
                f"{'/'.join(map(str, got))}, expected {want[0]}/{want[1]}/{want[2]}/0"))

    for row in session.execute(query.execution_options(yield_per=5000)):
        if current and row[0] != current[0][0]:
            judge(current)
            current = []
            if len(found) >= limit:
                return found
        current.append(row)
    if current:
        judge(current)
    return found[:limit]
