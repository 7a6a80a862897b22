"""Ledger tables: transactions and their postings (append-only)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base

# The ledger's references (txn, cycle, payment) are plain integers, not foreign keys: on
# PostgreSQL each foreign-key check locks the referenced row, which made releasing a
# 58,848-payment cycle spend more time in those checks than in writing the postings.
# `gateway ledger check` verifies every reference instead.


class LedgerTxn(Base):
    """One balanced movement of money; its postings sum to zero."""

    __tablename__ = "ledger_txn"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    cycle_id: Mapped[int | None] = mapped_column(index=True)
    memo: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Posting(Base):
    """One leg of a transaction: ``amount`` đồng into (positive) or out of ``account``."""

    __tablename__ = "posting"

    id: Mapped[int] = mapped_column(primary_key=True)
    txn_id: Mapped[int] = mapped_column(index=True)
    account: Mapped[str] = mapped_column(sa.String(80), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    payment_id: Mapped[int | None] = mapped_column(index=True)
