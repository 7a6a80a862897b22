"""The engine: exactly once per payment whatever the provider answers."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from gateway.clock import utcnow
from gateway.db import get_db
from gateway.disbursement.sweeper import Deadlines, sweep
from gateway.ledger import accounts
from gateway.ledger.postings import balance
from gateway.payroll.models import Payment
from gateway.registry.models import WalletLink
from tests.disbursement.conftest import PERIOD, release_cycle, states
from wallet_adapters.sandbox import get_book


def test_released_payments_are_paid_once_and_settled_in_the_ledger(app, make_disburser,
                                                                    sandbox_book):
    ids = release_cycle(app)
    outcome = make_disburser().send(ids)
    assert outcome.claimed == 5 and outcome.by_state == {"succeeded": 5}
    assert set(states(app).values()) == {"succeeded"}
    book = get_book(sandbox_book)
    assert len(book.applied()) == 5 and all(book.applied_count(e["idempotency_key"]) == 1
                                            for e in book.applied())
    again = make_disburser().send(ids)  # a duplicate job claims nothing
    assert again.claimed == 0 and len(book.applied()) == 5
    with get_db(app).sessionmaker() as s:
        assert balance(s, accounts.paid("sandbox")) == 5_000_000
        assert balance(s, accounts.clearing("sandbox")) == 0


def test_unverified_wallets_are_held_with_the_reason_and_sent_once_verified(app, make_disburser,
                                                                            sandbox_book):
    ids = release_cycle(app, verified=False)
    outcome = make_disburser().send(ids)
    assert outcome.held == 5 and outcome.claimed == 0
    with get_db(app).sessionmaker() as s:
        reasons = set(s.scalars(sa.select(Payment.state_reason)))
    assert reasons == {"wallet not verified"}
    with get_db(app).session() as s:
        s.execute(sa.update(WalletLink).values(verified=True))
    with get_db(app).session() as s:
        found = sweep(s, today=PERIOD.replace(day=28))
    assert found.released_holds == 5 and sorted(sum(found.send, [])) == ids
    assert make_disburser().send(ids).by_state == {"succeeded": 5}


def test_timeout_after_apply_is_unknown_until_a_status_query_and_never_paid_twice(
        app, make_disburser, sandbox_book):
    ids = release_cycle(app)
    outcome = make_disburser(timeout_after_apply_rate=1.0).send(ids)
    assert outcome.by_state == {"unknown": 5}
    book = get_book(sandbox_book)
    assert len(book.applied()) == 5  # the provider did pay
    assert make_disburser().send(ids).claimed == 0  # unknown is never blindly resent
    polled = make_disburser().poll(ids)
    assert polled.by_state == {"succeeded": 5}
    assert all(book.applied_count(e["idempotency_key"]) == 1 for e in book.applied())


def test_retryable_errors_back_off_and_are_not_applied(app, make_disburser, sandbox_book):
    ids = release_cycle(app)
    assert make_disburser(retryable_error_rate=1.0).send(ids).by_state == {"ready": 5}
    with get_db(app).sessionmaker() as s:
        rows = s.execute(sa.select(Payment.attempts, Payment.next_attempt_at)).all()
    assert all(a == 1 and n is not None and n > utcnow() for a, n in rows)
    assert get_book(sandbox_book).applied() == []
    assert make_disburser().send(ids).claimed == 0  # still backing off


def test_declined_payments_fail_and_the_money_returns_to_the_program(app, make_disburser):
    ids = release_cycle(app)
    assert make_disburser(failure_rate=1.0).send(ids).by_state == {"failed": 5}
    with get_db(app).sessionmaker() as s:
        assert balance(s, accounts.clearing("sandbox")) == 0
        assert balance(s, accounts.program_period("TGXH_THANG", PERIOD)) == 10**9
        assert all(r for r in s.scalars(sa.select(Payment.state_reason)))


def test_pending_transfers_are_accepted_then_resolved_by_polling(app, make_disburser,
                                                                 sandbox_book):
    ids = release_cycle(app)
    assert make_disburser(pending_rate=1.0).send(ids).by_state == {"accepted": 5}
    assert make_disburser(pending_rate=1.0).poll(ids).by_state == {}
    get_book(sandbox_book).resolve_pending()
    assert sum(make_disburser().poll(ids).by_state.values()) == 5
    assert set(states(app).values()) <= {"succeeded", "failed"}


def test_a_worker_lost_mid_call_leaves_sending_which_the_sweeper_turns_into_a_query(
        app, make_disburser, sandbox_book):
    ids = release_cycle(app)
    with get_db(app).session() as s:
        s.execute(sa.update(Payment).values(state="sending",
                                            updated_at=utcnow() - timedelta(minutes=10)))
    with get_db(app).session() as s:
        found = sweep(s, today=PERIOD.replace(day=28), deadlines=Deadlines(poll=timedelta(0)))
    assert found.lost_in_flight == 5
    # The provider never saw them: the status query finds nothing, so they are sent again.
    assert make_disburser().poll(ids).by_state == {"ready": 5}
    assert make_disburser().send(ids).by_state == {"succeeded": 5}
    assert len(get_book(sandbox_book).applied()) == 5


def test_sweeper_completes_a_cycle_whose_payments_are_all_final(app, make_disburser):
    ids = release_cycle(app)
    make_disburser().send(ids)
    with get_db(app).session() as s:
        assert sweep(s, today=PERIOD.replace(day=28)).completed_cycles == 1


def test_outcomes_are_written_as_they_arrive_not_when_the_chunk_ends(app, make_disburser,
                                                                     sandbox_book):
    import asyncio
    import threading
    import time

    ids = release_cycle(app)
    disburser = make_disburser()
    sandbox = disburser.adapter("sandbox")
    slow_key = []
    gate = threading.Event()

    class OneSlowAnswer:
        """The sandbox, except that the first transfer's answer waits for the test."""

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(sandbox, name)

        async def transfer(self, request):  # type: ignore[no-untyped-def]
            if not slow_key:
                slow_key.append(request.idempotency_key)
                while not gate.is_set():
                    await asyncio.sleep(0.01)
            return await sandbox.transfer(request)

    disburser._adapters["sandbox"] = OneSlowAnswer()
    done = []
    worker = threading.Thread(target=lambda: done.append(disburser.send(ids)))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        seen: dict[str, int] = {}
        while time.monotonic() < deadline:
            seen = {}
            for state in states(app).values():
                seen[state] = seen.get(state, 0) + 1
            if seen.get("succeeded") == 4:
                break
            time.sleep(0.02)
        # Four are settled (with their ledger legs) while the fifth call is still out.
        assert seen == {"succeeded": 4, "sending": 1}
        with get_db(app).sessionmaker() as s:
            settled = s.scalar(sa.select(sa.func.sum(Payment.amount))
                               .where(Payment.state == "succeeded"))
            assert settled and balance(s, accounts.paid("sandbox")) == settled
    finally:
        gate.set()
        worker.join(10)
    assert done and done[0].by_state == {"succeeded": 5}
    assert set(states(app).values()) == {"succeeded"}


def test_a_payment_being_asked_about_is_not_queued_for_another_query_within_the_interval(
        app, make_disburser, sandbox_book):
    ids = release_cycle(app)
    make_disburser(pending_rate=1.0).send(ids)  # all accepted, outcome to come
    deadlines = Deadlines(poll=timedelta(minutes=2))
    start = utcnow()

    def polls_at(minutes: int) -> list[int]:
        with get_db(app).session() as s:
            found = sweep(s, today=PERIOD.replace(day=28), deadlines=deadlines,
                          now=start + timedelta(minutes=minutes))
        return sorted(sum(found.poll, []))

    assert polls_at(3) == sorted(ids)
    # The first poll jobs may still wait in the queue: no pass doubles them meanwhile.
    assert polls_at(3) == [] and polls_at(4) == []
    # Once an interval has passed with no answer (say the jobs were lost with Redis), again.
    assert polls_at(6) == sorted(ids)
