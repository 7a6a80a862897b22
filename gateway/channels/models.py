"""The SMS tables: outbound messages with their delivery state, inbound messages until answered."""

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
    # A template send's id and parameters (gateway.telco.base.Template) as JSON; NULL = plain.
    template_json: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(10), default=SmsStatus.QUEUED.value)
    # Non-urgent notices wait for daytime: not sent before this (UTC, naive); NULL = now.
    not_before: Mapped[datetime | None]
    # Which aggregator sent it and its id there (delivery reports name it).
    telco: Mapped[str | None] = mapped_column(sa.String(20))
    telco_message_id: Mapped[str | None] = mapped_column(sa.String(100))
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
        sa.UniqueConstraint("telco", "telco_message_id", name="uq_sms_message_telco_message"),
    )


class InboundSms(Base):
    """An inbound SMS, kept (sealed) until it is answered: a redelivery is answered once.

    The phone and text are personal data: sealed, bound to ``ref``. ``answered_at`` is set in
    the transaction that files what the message asked for (a complaint, a confirmation) and
    queues the reply; a message whose handling failed stays unanswered and the worker pool's
    SMS pass retries it from here.
    """

    __tablename__ = "sms_inbound"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    telco: Mapped[str] = mapped_column(sa.String(20))
    telco_message_id: Mapped[str] = mapped_column(sa.String(100))
    # NULL only on rows from before the text was kept (answered already).
    phone_enc: Mapped[str | None] = mapped_column(sa.Text, info=SEALED)
    phone_bidx: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    text_enc: Mapped[str | None] = mapped_column(sa.Text, info=SEALED)
    attempts: Mapped[int] = mapped_column(default=0)
    # Whoever is handling it holds it until then (UTC); an expired claim may be taken over.
    claimed_until: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    reply_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sms_message.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("telco", "telco_message_id", name="uq_sms_inbound_telco_message"),
        sa.Index("ix_sms_inbound_unanswered", "answered_at", "id"),
    )
