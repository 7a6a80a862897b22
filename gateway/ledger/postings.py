"""Write balanced transactions; refuse anything that does not sum to zero."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.ledger.models import LedgerTxn, Posting


class UnbalancedTransaction(ValueError):
    """Postings of one transaction do not sum to zero."""


def post(
    session: Session,
    kind: str,
    legs: Sequence[tuple[str, int, int | None]],
    *,
    cycle_id: int | None = None,
    memo: str | None = None,
) -> int:
    """Write one transaction of (account, amount, payment id) legs; return its id.

    Raises:
        UnbalancedTransaction: the legs do not sum to zero or an amount is not an integer.
    """
    if any(not isinstance(amount, int) or isinstance(amount, bool) for _, amount, _ in legs):
        raise UnbalancedTransaction("ledger amounts are whole đồng (int)")
    if sum(amount for _, amount, _ in legs) != 0:
        raise UnbalancedTransaction(f"{kind}: postings sum to {sum(a for _, a, _ in legs)}")
    txn_id = new_txn(session, kind, cycle_id=cycle_id, memo=memo)
    if legs:
        session.execute(sa.insert(Posting), [
            {"txn_id": txn_id, "account": account, "amount": amount, "payment_id": payment}
            for account, amount, payment in legs
        ])
    return txn_id


def new_txn(session: Session, kind: str, *, cycle_id: int | None = None,
            memo: str | None = None) -> int:
    """Create an empty transaction for postings written in bulk by the caller; return its id.

    The caller must write postings that sum to zero in the same database transaction;
    ``gateway ledger check`` verifies it.
    """
    txn = LedgerTxn(kind=kind, cycle_id=cycle_id, memo=memo)
    session.add(txn)
    session.flush()
    return txn.id


def balance(session: Session, account: str) -> int:
    """Return an account's balance (sum of its postings)."""
    return int(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
        .where(Posting.account == account)) or 0)
