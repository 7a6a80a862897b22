"""Audit tables: the chained events and the one-row chain head.

Events hold no personal data: only who (an actor name), what (an action), which row (its type
and id), digests of the row's state before and after, and a few non-personal facts.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base

HEAD_ID = 1


class AuditEvent(Base):
    """One link of the audit chain: a state change by a person or the system."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)  # UTC, naive as stored
    actor: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    before_digest: Mapped[str | None] = mapped_column(sa.String(64))
    after_digest: Mapped[str | None] = mapped_column(sa.String(64))
    # Canonical JSON text, not a JSON column: the hash covers these exact bytes, and a JSON
    # type would let the database or driver re-render numbers and key order.
    detail_json: Mapped[str | None] = mapped_column("detail", sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),
    )

    @property
    def detail(self) -> dict[str, Any] | None:
        """Return the event's non-personal facts as data."""
        return json.loads(self.detail_json) if self.detail_json is not None else None

    def __repr__(self) -> str:
        return f"<AuditEvent seq={self.seq} {self.action} {self.subject_type}:{self.subject_id}>"


class AuditHead(Base):
    """The chain's newest (seq, hash): the row every append locks, so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.CheckConstraint(f"id = {HEAD_ID}", name="single_row"),)
