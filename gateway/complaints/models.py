"""The complaint table: one ticket per problem a beneficiary reports."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base
from gateway.pii.crypto import BOUND_TO, SEALED


class ComplaintKind(str, enum.Enum):
    """What the beneficiary says went wrong (the same kinds the USSD menu offers)."""

    NOT_RECEIVED = "not_received"
    WRONG_AMOUNT = "wrong_amount"
    WALLET = "wallet"
    OTHER = "other"


class Channel(str, enum.Enum):
    """Where the complaint came in."""

    USSD = "ussd"
    SMS = "sms"
    API = "api"
    OFFICER = "officer"  # filed by a commune officer for someone at the counter


class ComplaintStatus(str, enum.Enum):
    """Whether an officer has dealt with the complaint."""

    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(str, enum.Enum):
    """How a complaint was closed: a code, so reports can count outcomes without free text."""

    PAID = "paid"  # the money did reach the wallet (or was sent again)
    CORRECTED = "corrected"  # amount, wallet or roster data fixed
    EXPLAINED = "explained"  # nothing wrong; the beneficiary was told why
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    OTHER = "other"


def _values(e: type[enum.Enum]) -> str:
    return ", ".join(f"'{m.value}'" for m in e)


class Complaint(Base):
    """A complaint (khiếu nại) with a short ticket the beneficiary can quote."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(sa.String(16), unique=True)
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment.id"))
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    commune_code: Mapped[str] = mapped_column(sa.String(5))
    kind: Mapped[str] = mapped_column(sa.String(16))
    # Free text is personal data: sealed with the PII codec, bound to the ticket.
    note_enc: Mapped[str | None] = mapped_column(sa.Text, info=SEALED)
    channel: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(8), default=ComplaintStatus.OPEN.value)
    resolution: Mapped[str | None] = mapped_column(sa.String(16))
    resolution_note_enc: Mapped[str | None] = mapped_column(sa.Text, info=SEALED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_values(ComplaintKind)})", name="kind"),
        sa.CheckConstraint(f"channel IN ({_values(Channel)})", name="channel"),
        sa.CheckConstraint(f"status IN ({_values(ComplaintStatus)})", name="status"),
        {"info": {BOUND_TO: "ticket"}},
    )
