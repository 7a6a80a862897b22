"""The wallet change request table: one officer asks, a different officer decides."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base
from gateway.pii.crypto import SEALED


class ChangeStatus(str, enum.Enum):
    """Where a wallet change request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    # The link changed by another path (roster re-import) before anyone decided.
    STALE = "stale"


def _values(e: type[enum.Enum]) -> str:
    return ", ".join(f"'{m.value}'" for m in e)


class WalletChangeRequest(Base):
    """An officer's request to send a beneficiary's money to another wallet phone.

    The new phone and the officer's reason are personal data: stored encrypted, bound to
    ``ref``. ``old_phone_bidx`` and ``old_provider`` are what the link was when asked, so an
    approval never applies to a link that changed meanwhile.
    """

    __tablename__ = "wallet_change_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    wallet_link_id: Mapped[int] = mapped_column(
        sa.ForeignKey("wallet_link.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(32))
    phone_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    phone_bidx: Mapped[str] = mapped_column(sa.String(32))
    old_provider: Mapped[str] = mapped_column(sa.String(32))
    old_phone_bidx: Mapped[str] = mapped_column(sa.String(32))
    reason_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    status: Mapped[str] = mapped_column(sa.String(10), default=ChangeStatus.PENDING.value)
    requested_by: Mapped[str] = mapped_column(sa.String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_values(ChangeStatus)})", name="status"),
        # At most one open request per link: a second officer decides one thing at a time.
        sa.Index("uq_wallet_change_request_pending", "wallet_link_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
    )
