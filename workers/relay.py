"""The outbox relay and the sweeper pass: move committed work from the database to RQ."""

from __future__ import annotations

import logging
import uuid
from datetime import date

import sqlalchemy as sa
from flask import Flask
from rq import Queue

from gateway.clock import local_today, utcnow
from gateway.db import get_db
from gateway.disbursement.sweeper import DEFAULT_DEADLINES, Deadlines, chunks, sweep
from gateway.outbox import OutboxEvent
from gateway.payroll.models import Cycle

log = logging.getLogger(__name__)
QUEUE = "disburse"
JOB_TIMEOUT = 600
# The sweeper does not pile more sends onto a queue that still has this many jobs waiting.
BACKLOG = 50


def relay_once(app: Flask, queue: Queue, *, today: date | None = None) -> int:
    """Enqueue the released-payment events whose cycle is due; return how many jobs."""
    today = today or local_today()
    db = get_db(app)
    sent = 0
    with db.session() as session:
        events = session.execute(
            sa.select(OutboxEvent.id, OutboxEvent.payload)
            .join(Cycle, Cycle.id == OutboxEvent.payload["cycle_id"].as_integer())
            .where(OutboxEvent.topic == "payments.released", OutboxEvent.dispatched_at.is_(None),
                   Cycle.payment_date <= today)
            .order_by(OutboxEvent.id).limit(1000)).all()
        for event_id, payload in events:
            # A deterministic job id: enqueueing the same event again replaces, not doubles.
            queue.enqueue("workers.jobs.send_payments", payload["payment_ids"],
                          job_id=f"send-event-{event_id}", job_timeout=JOB_TIMEOUT,
                          result_ttl=600, failure_ttl=86400)
            sent += 1
        polls = session.execute(
            sa.select(OutboxEvent.id, OutboxEvent.payload)
            .where(OutboxEvent.topic == "payments.poll", OutboxEvent.dispatched_at.is_(None))
            .order_by(OutboxEvent.id).limit(1000)).all()
        for event_id, payload in polls:
            queue.enqueue("workers.jobs.poll_payments", payload["payment_ids"],
                          job_id=f"poll-event-{event_id}", job_timeout=JOB_TIMEOUT,
                          result_ttl=600, failure_ttl=86400)
            sent += 1
        done = [e for e, _ in events] + [e for e, _ in polls]
        if done:
            session.execute(sa.update(OutboxEvent).where(
                OutboxEvent.id.in_(done)).values(dispatched_at=utcnow()))
    return sent


def sweep_once(app: Flask, queue: Queue, *, today: date | None = None,
               deadlines: Deadlines = DEFAULT_DEADLINES, all_ready: bool = False) -> dict[str, int]:
    """Run one sweeper pass and enqueue what it found; return counts."""
    with get_db(app).session() as session:
        found = sweep(session, today=today or local_today(), deadlines=deadlines,
                      all_ready=all_ready)
    backlog = len(queue)
    sends = found.send if backlog < BACKLOG else []
    for ids in sends:
        queue.enqueue("workers.jobs.send_payments", ids, job_id=f"send-sweep-{uuid.uuid4().hex}",
                      job_timeout=JOB_TIMEOUT, result_ttl=600, failure_ttl=86400)
    for ids in found.poll if backlog < BACKLOG else []:
        queue.enqueue("workers.jobs.poll_payments", ids, job_id=f"poll-{uuid.uuid4().hex}",
                      job_timeout=JOB_TIMEOUT, result_ttl=600, failure_ttl=86400)
    return {"send_jobs": len(sends), "poll_jobs": len(found.poll) if backlog < BACKLOG else 0,
            "lost_in_flight": found.lost_in_flight, "released_holds": found.released_holds,
            "completed_cycles": found.completed_cycles}


__all__ = ["BACKLOG", "QUEUE", "chunks", "relay_once", "sweep_once"]
