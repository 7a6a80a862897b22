"""Workers over real RQ and Redis: the relay, losing Redis, and the GSMA simulator over HTTP."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from rq import Queue, SimpleWorker

from gateway.db import get_db
from gateway.disbursement.providers import save_provider
from gateway.ledger.check import check_ledger
from gateway.pii.codec import get_pii
from tests.support.scenario import NOV, due_cycle, payment_states
from wallet_adapters.gsma.sim.server import SimulatorThread
from wallet_adapters.sandbox import get_book
from workers import context
from workers.relay import QUEUE, relay_once, sweep_once

TODAY = NOV.replace(day=28)


def work(queue: Queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def test_relay_turns_released_payments_into_chunk_jobs_that_pay_them(app, redis_client,
                                                                      sandbox_book):
    app.config["WALLET_ADAPTER_OVERRIDES"] = {"sandbox": {"book": sandbox_book}}
    context.use(app)
    ids = due_cycle(app)
    queue = Queue(QUEUE, connection=redis_client)
    assert relay_once(app, queue, today=date(2026, 11, 1)) == 0  # before the payment date
    assert relay_once(app, queue, today=TODAY) == 1
    assert relay_once(app, queue, today=TODAY) == 0  # dispatched once
    work(queue)
    assert set(payment_states(app).values()) == {"succeeded"} and len(ids) == 5
    assert len(get_book(sandbox_book).applied()) == 5


def test_losing_all_of_redis_loses_no_payment(app, redis_client, sandbox_book):
    app.config["WALLET_ADAPTER_OVERRIDES"] = {"sandbox": {"book": sandbox_book}}
    context.use(app)
    due_cycle(app)
    queue = Queue(QUEUE, connection=redis_client)
    relay_once(app, queue, today=TODAY)
    redis_client.flushdb()  # every queued job is gone
    found = sweep_once(app, queue, today=TODAY, all_ready=True)
    assert found["send_jobs"] == 1
    work(queue)
    assert set(payment_states(app).values()) == {"succeeded"}
    book = get_book(sandbox_book)
    assert all(book.applied_count(e["idempotency_key"]) == 1 for e in book.applied())


def test_gsma_simulator_with_faults_pays_each_transfer_exactly_once(app, redis_client):
    app.config["WALLET_PROVIDERS"] = ["gsma", "sandbox"]
    with SimulatorThread(failure_rate=0.2, retryable_error_rate=0.2,
                         timeout_after_apply_rate=0.2, pending_rate=0.2, seed=11,
                         duplicate_callback_rate=0.5) as sim:
        with get_db(app).session() as s:
            save_provider(s, get_pii(app), "gsma", "gsma",
                          {"base_url": sim.url, "webhook_secret": sim.secret, "timeout_s": 2.0})
        context.use(app)
        ids = due_cycle(app, provider="gsma")
        disburser = context.disburser()
        for _ in range(40):
            if set(payment_states(app).values()) <= {"succeeded", "failed"}:
                break
            disburser.send(ids)
            sim.book.resolve_pending()
            disburser.poll(ids)
            with get_db(app).session() as s:
                s.execute(sa.text("UPDATE payment SET next_attempt_at = NULL"))
        assert set(payment_states(app).values()) <= {"succeeded", "failed"}
        applied = sim.book.applied()
        assert applied and all(sim.book.applied_count(e["idempotency_key"]) == 1
                               for e in applied)
        with get_db(app).sessionmaker() as s:
            ours = dict(s.execute(sa.text("SELECT ref, state FROM payment")).all())
            theirs = {e["idempotency_key"].replace("-", ""): e["status"] for e in applied}
            # What we recorded is what the provider did, payment by payment.
            assert {k: v for k, v in ours.items() if v == "succeeded"} == {
                k: v for k, v in theirs.items() if v == "succeeded"}
            assert check_ledger(s) == []
