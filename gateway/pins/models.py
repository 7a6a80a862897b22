"""The ``beneficiary_pin`` table: one row per beneficiary who has chosen (or tried) a PIN."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base


class BeneficiaryPin(Base):
    """A beneficiary's USSD PIN as scrypt hashes (``otp.pin``), never the PIN itself."""

    __tablename__ = "beneficiary_pin"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        sa.ForeignKey("beneficiary.id", ondelete="CASCADE"), unique=True)
    # NULL: no PIN yet, or cleared by an officer; the next protected screen asks for a new one.
    pin_hash: Mapped[str | None] = mapped_column(sa.Text)
    # The first entry of a new PIN, hashed, until the caller repeats it (a few minutes).
    pending_hash: Mapped[str | None] = mapped_column(sa.Text)
    pending_at: Mapped[datetime | None]
    # Wrong tries in a row. A try is counted before the PIN is checked, so parallel sessions
    # cannot get more than the allowed number of guesses checked.
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    set_at: Mapped[datetime | None]
    reset_at: Mapped[datetime | None]
    reset_by: Mapped[str | None] = mapped_column(sa.String(64))  # actor, e.g. apikey:hue-officer-1
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("failed_attempts >= 0", name="failed_attempts"),
    )
