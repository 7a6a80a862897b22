"""The outbox relay and the sweeper pass: move committed work from the database to RQ.

What is due is domain code (``gateway.disbursement.relay`` and ``.sweeper``); this module only
enqueues. Job ids are deterministic and enqueued ``unique``: an event enqueued again (the
relay died before marking it dispatched) or a chunk the sweeper finds twice in one window is
queued once (RQ raises ``DuplicateJobError`` for an id it holds).
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import date

from flask import Flask
from rq import Queue
from rq.exceptions import DuplicateJobError

from gateway.clock import local_today
from gateway.db import get_db
from gateway.disbursement.relay import due_events, mark_dispatched
from gateway.disbursement.sweeper import DEFAULT_DEADLINES, Deadlines, chunks, sweep
from gateway.outbox import Topic

log = logging.getLogger(__name__)
QUEUE = "disburse"
JOB_TIMEOUT = 600
# The sweeper does not pile more sends onto a queue that still has this many jobs waiting.
BACKLOG = 50
_JOBS = {Topic.PAYMENTS_RELEASED: "workers.jobs.send_payments",
         Topic.PAYMENTS_POLL: "workers.jobs.poll_payments"}


def _enqueue(queue: Queue, topic: Topic, payment_ids: list[int], job_id: str) -> bool:
    """Queue one chunk job under ``job_id``; return False when that job is already queued."""
    try:
        queue.enqueue(_JOBS[topic], payment_ids, job_id=job_id, unique=True,
                      job_timeout=JOB_TIMEOUT, result_ttl=600, failure_ttl=86400)
    except DuplicateJobError:
        return False
    return True


def relay_once(app: Flask, queue: Queue, *, today: date | None = None) -> int:
    """Enqueue the released-payment events whose cycle is due and every poll; return how many."""
    sent = 0
    with get_db(app).session() as session:
        events = due_events(session, today=today or local_today())
        for event in events:
            kind = "send" if event.topic is Topic.PAYMENTS_RELEASED else "poll"
            sent += _enqueue(queue, event.topic, event.payment_ids,
                             f"{kind}-event-{event.event_id}")
        mark_dispatched(session, [e.event_id for e in events])
    return sent


def _sweep_job_id(kind: str, ids: list[int], window: int) -> str:
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=8).hexdigest()
    return f"{kind}-sweep-{window}-{digest}"


def sweep_once(app: Flask, queue: Queue, *, today: date | None = None,
               deadlines: Deadlines = DEFAULT_DEADLINES, all_ready: bool = False) -> dict[str, int]:
    """Run one sweeper pass and enqueue what it found; return counts."""
    with get_db(app).session() as session:
        found = sweep(session, today=today or local_today(), deadlines=deadlines,
                      all_ready=all_ready)
    room = len(queue) < BACKLOG
    # The same chunk found again within one ready-deadline window is the same job.
    window = int(time.time() // max(deadlines.ready.total_seconds(), 1))
    sends = [ids for ids in (found.send if room else [])
             if _enqueue(queue, Topic.PAYMENTS_RELEASED, ids, _sweep_job_id("send", ids, window))]
    polls = [ids for ids in (found.poll if room else [])
             if _enqueue(queue, Topic.PAYMENTS_POLL, ids, _sweep_job_id("poll", ids, window))]
    return {"send_jobs": len(sends), "poll_jobs": len(polls),
            "lost_in_flight": found.lost_in_flight, "released_holds": found.released_holds,
            "completed_cycles": found.completed_cycles}


__all__ = ["BACKLOG", "QUEUE", "chunks", "relay_once", "sweep_once"]
