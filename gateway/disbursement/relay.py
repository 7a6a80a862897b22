"""Choose the outbox events that are due for workers: released payments on their payment
date, status queries at once. Enqueueing them is the workers' side (``workers/relay.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.clock import utcnow
from gateway.outbox import OutboxEvent, Topic
from gateway.payroll.models import Cycle

BATCH = 1000  # events per relay pass and topic


@dataclass(frozen=True, slots=True)
class DueEvent:
    """One event to hand to a worker: send or poll these payments."""

    event_id: int
    topic: Topic
    payment_ids: list[int]


def due_events(session: Session, *, today: date, limit: int = BATCH) -> list[DueEvent]:
    """Return the undispatched events workers should act on now, oldest first per topic.

    Released payments wait for their cycle's payment date (a local date); status queries
    are due at once.
    """
    released = session.execute(
        sa.select(OutboxEvent.id, OutboxEvent.payload)
        .join(Cycle, Cycle.id == OutboxEvent.payload["cycle_id"].as_integer())
        .where(OutboxEvent.topic == Topic.PAYMENTS_RELEASED.value,
               OutboxEvent.dispatched_at.is_(None), Cycle.payment_date <= today)
        .order_by(OutboxEvent.id).limit(limit)).all()
    polls = session.execute(
        sa.select(OutboxEvent.id, OutboxEvent.payload)
        .where(OutboxEvent.topic == Topic.PAYMENTS_POLL.value,
               OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.id).limit(limit)).all()
    return ([DueEvent(i, Topic.PAYMENTS_RELEASED, p["payment_ids"]) for i, p in released]
            + [DueEvent(i, Topic.PAYMENTS_POLL, p["payment_ids"]) for i, p in polls])


def mark_dispatched(session: Session, event_ids: list[int]) -> None:
    """Record that these events were handed to workers (in the caller's transaction)."""
    if event_ids:
        session.execute(sa.update(OutboxEvent).where(OutboxEvent.id.in_(event_ids))
                        .values(dispatched_at=utcnow()))
