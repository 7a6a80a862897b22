"""Transactional outbox: work for other processes, written in the same transaction as the
state change that calls for it, so committed work can never be forgotten (a relay in
``workers/`` moves pending rows to queues and marks them dispatched).

The topics (``Topic``), and who reads them:

- ``payments.released`` (``cycle_id``, ``payment_ids``): written by a cycle's release and by
  held payments released; the relay hands them to workers on the payment date
  (``disbursement.relay.due_events``).
- ``payments.poll`` (``payment_ids``, ``why``): an unverifiable provider callback; relayed
  at once as a status query.
- ``notice.payment`` (``payment_id``, ``state``): a payment reached succeeded, failed or held;
  the SMS pass turns it into a notice (``channels.notices``).
- ``sms.outbound`` (``sms_id``): announces a staged SMS; the SMS pass reads ``sms_message``.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.clock import utcnow
from gateway.db import Base, bulk_insert


class Topic(str, enum.Enum):
    """What an outbox event asks for (see the table above)."""

    PAYMENTS_RELEASED = "payments.released"
    PAYMENTS_POLL = "payments.poll"
    PAYMENT_NOTICE = "notice.payment"
    SMS_OUTBOUND = "sms.outbound"


class OutboxEvent(Base):
    """A unit of work waiting to be handed to a queue."""

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(index=True)


def emit(session: Session, topic: str, payloads: list[dict[str, Any]]) -> None:
    """Stage events in the caller's transaction.

    Written by ``bulk_insert`` (COPY on PostgreSQL) with the payload serialised as the JSON
    column would store it: the disbursement engine emits a notice per settled payment.
    """
    if payloads:
        now = utcnow()
        bulk_insert(session, OutboxEvent.__table__,  # type: ignore[arg-type]
                    ({"topic": topic, "payload": json.dumps(p), "created_at": now}
                     for p in payloads))


def pending(session: Session, topic: str | None = None, limit: int = 100) -> list[OutboxEvent]:
    """Return undispatched events, oldest first."""
    query = sa.select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
    if topic:
        query = query.where(OutboxEvent.topic == topic)
    return list(session.scalars(query.order_by(OutboxEvent.id).limit(limit)))
