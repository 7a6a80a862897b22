"""The outbound SMS table: one row per message to one phone, with its delivery state."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base
from gateway.pii.crypto import SEALED


class SmsKind(str, enum.Enum):
    """Why a message is sent."""

    NOTICE = "notice"  # a payment succeeded, failed or is held
    REPLY = "reply"  # the answer to an inbound SMS
    TICKET = "ticket"  # a complaint's ticket number after a USSD complaint
    OTP = "otp"  # a one-time code: body sealed while queued, scrubbed once sent


class SmsStatus(str, enum.Enum):
    """Where a message stands with the telco."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    DELIVERED = "delivered"
    REJECTED = "rejected"


FINAL_SMS_STATES = frozenset({SmsStatus.FAILED, SmsStatus.DELIVERED, SmsStatus.REJECTED})


def _values(e: type[enum.Enum]) -> str:
    return ", ".join(f"'{m.value}'" for m in e)


class SmsMessage(Base):
    """An SMS to a beneficiary (tin nhắn); the phone is stored encrypted, found by blind index."""

    __tablename__ = "sms_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random reference: binds the phone's ciphertext to this row.
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    phone_enc: Mapped[str] = mapped_column(sa.Text, info=SEALED)
    phone_bidx: Mapped[str] = mapped_column(sa.String(32), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(10), default=SmsStatus.QUEUED.value)
    # Non-urgent notices wait for daytime: not sent before this (UTC, naive); NULL = now.
    not_before: Mapped[datetime | None]
    at_message_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(100))
    attempts: Mapped[int] = mapped_column(default=0)
    # A notice's origin ("payment:<id>:<state>"): the same event never makes two messages.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_values(SmsKind)})", name="kind"),
        sa.CheckConstraint(f"status IN ({_values(SmsStatus)})", name="status"),
        sa.Index("ix_sms_message_status_not_before", "status", "not_before"),
    )


class InboundSms(Base):
    """An inbound SMS seen, by the telco's message id only: a redelivery is answered once."""

    __tablename__ = "sms_inbound"

    id: Mapped[int] = mapped_column(primary_key=True)
    at_message_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    reply_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sms_message.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
