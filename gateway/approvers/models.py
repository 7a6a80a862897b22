"""The enrolled authenticator of an approver, one row per actor identity."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base
from gateway.pii.crypto import SEALED


class ApproverTotp(Base):
    """An approver's TOTP secret (encrypted), whether it is confirmed, and its last use.

    ``actor`` is the identity that approves, exactly as recorded on cycles and in the audit
    trail (``apikey:lan``, ``cli:minh``). ``last_used_step`` is the newest RFC 6238 time step
    accepted; a code for that step or an older one is a replay and is refused.
    """

    __tablename__ = "approver_totp"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random reference: binds the secret's ciphertext to this row (and key rotation finds it).
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    actor: Mapped[str] = mapped_column(sa.String(64), unique=True)
    secret_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_by: Mapped[str] = mapped_column(sa.String(64))
    # NULL until the first valid code proves the authenticator holds the secret.
    confirmed_at: Mapped[datetime | None]
    last_used_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    last_used_at: Mapped[datetime | None]
    # Wrong or replayed codes in the current window (see gateway.approvers.totp).
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        """Say whether the enrolment is confirmed (codes are required from now on)."""
        return self.confirmed_at is not None
