"""Reconciliation tables: one row per run over a provider statement, one per discrepancy found."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base


class Category(str, enum.Enum):
    """What reconciling one payment or statement row found."""

    MATCHED = "matched"
    MISSING = "missing"  # we think it succeeded or is in flight; the statement lacks it
    EXTRA = "extra"  # on the statement, but not a payment of this provider (and cycle)
    AMOUNT_MISMATCH = "amount_mismatch"
    STATUS_MISMATCH = "status_mismatch"
    DUPLICATE = "duplicate"  # the same reference printed again
    INVALID_ROW = "invalid_row"  # a row that could not be read


# Every category but "matched" is a discrepancy someone has to look at.
DISCREPANCIES = tuple(c for c in Category if c is not Category.MATCHED)


class ReconciliationRun(Base):
    """One comparison of a provider's statement (sao kê) with our payments; it moves no money."""

    __tablename__ = "reconciliation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(32))
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    actor: Mapped[str] = mapped_column(sa.String(64))
    statement_rows: Mapped[int] = mapped_column(default=0)
    # The statement's first and last timestamps (UTC), when it has them.
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    matched: Mapped[int] = mapped_column(default=0)
    missing: Mapped[int] = mapped_column(default=0)
    extra: Mapped[int] = mapped_column(default=0)
    amount_mismatch: Mapped[int] = mapped_column(default=0)
    status_mismatch: Mapped[int] = mapped_column(default=0)
    duplicate: Mapped[int] = mapped_column(default=0)
    invalid_row: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def counts(self) -> dict[str, int]:
        """Return the number of payments or rows in each category."""
        return {c.value: getattr(self, c.value) for c in Category}

    @property
    def discrepancies(self) -> int:
        """Return how many findings need someone's attention."""
        return sum(getattr(self, c.value) for c in DISCREPANCIES)


class ReconciliationFinding(Base):
    """One discrepancy: a payment or a statement row and what the two sides say about it.

    Matched payments get no row (the run counts them): a clean 58,848-row statement should not
    write 58,848 rows saying so. No phone number or name is ever stored here.
    """

    __tablename__ = "reconciliation_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("reconciliation_run.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(20))
    # A short code that says which case of the category, e.g. "money_out", "other_provider".
    note: Mapped[str | None] = mapped_column(sa.String(40))
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment.id"), index=True)
    our_state: Mapped[str | None] = mapped_column(sa.String(12))
    their_status: Mapped[str | None] = mapped_column(sa.String(12))
    our_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    their_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Our reference as printed on the statement, or the payment's when only we have it.
    reference: Mapped[str | None] = mapped_column(sa.String(64))
    provider_ref: Mapped[str | None] = mapped_column(sa.String(100))
    statement_row: Mapped[int | None]
    # Why a row could not be read, in Vietnamese and English.
    detail: Mapped[str | None] = mapped_column(sa.String(400))
