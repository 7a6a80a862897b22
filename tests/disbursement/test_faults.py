"""Fault test: a whole cycle through the GSMA simulator while workers and Redis die.

Thousands of payments (``CHITRA_FAULT_PAYMENTS``, default 5,000) go through the real worker
pool (2 RQ worker processes, the relay and the sweeper) to the GSMA simulator running as its
own process, which answers ~10% of first tries with 503 (nothing applied), applies ~5% and
then drops the connection (outcome unknown), keeps ~5% pending for a while, declines ~2%, and
sends its callbacks — some twice, some never — to a gateway web server process. For the
first ``CHITRA_FAULT_CHAOS_S`` seconds (default 20) the test SIGKILLs a random worker process
every 2-3 s (one up for at least 2 s: killing a worker still importing tests nothing; the pool
restarts it) and half-way kills Redis and starts an empty one on the same port, losing every
queued job: only the sweeper, reading the database, can find the work again. Then the faults
stop (the simulator's keep going) and the run must heal by itself. Retry back-offs are
fast-forwarded (the sweeper still has to find and resend those payments).

Afterwards every payment is final, the provider applied each transfer at most once and
exactly once for every payment we record as paid, our paid set and amounts equal the
provider's, the ledger check passes and paid:gsma holds the sum of what was paid.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from flask import Flask
from rq import Queue

from gateway import create_app
from gateway.clock import local_today, utcnow
from gateway.db import get_db
from gateway.disbursement.providers import save_provider
from gateway.disbursement.sweeper import Deadlines
from gateway.embedded_redis import EmbeddedRedis, free_port
from gateway.ledger import accounts
from gateway.ledger.check import check_ledger
from gateway.ledger.postings import balance
from gateway.payroll import cycles
from gateway.payroll.funding import allocate
from gateway.payroll.models import Cycle, Payment
from gateway.pii.codec import get_pii
from gateway.redis_conn import get_redis
from gateway.registry.models import WalletLink
from gateway.rosters.demo import HEADER, RosterGenerator
from gateway.rosters.importer import ImportSettings, import_roster
from gateway.rosters.source import memory_source
from tests.conftest import app_config, empty_tables
from wallet_adapters.sandbox.adapter import DEMO_WEBHOOK_SECRET
from workers.pool import Pool
from workers.relay import QUEUE

PAYMENTS = int(os.environ.get("CHITRA_FAULT_PAYMENTS", "5000"))
TIME_LIMIT_S = float(os.environ.get("CHITRA_FAULT_TIME_LIMIT_S", "240"))
# A worker process needs ~2 s to start (imports, app, first connections); killing it sooner
# would only test start-up, so the victim is picked among workers at least this old.
MIN_AGE_S = float(os.environ.get("CHITRA_FAULT_MIN_AGE_S", "2"))
# Seconds between two kills (a random worker each time), as "low,high".
# How long workers are killed and Redis is lost; afterwards the run must heal by itself.
CHAOS_S = float(os.environ.get("CHITRA_FAULT_CHAOS_S", "20"))
KILL_EVERY_S = tuple(float(x) for x in os.environ.get(
    "CHITRA_FAULT_KILL_EVERY_S", "2,3").split(","))
SEED = int(os.environ.get("CHITRA_FAULT_SEED", str(random.randrange(10**6))))
SIMULATOR_FAULTS = {
    "retryable-error-rate": 0.10,  # 503 before applying anything
    "timeout-after-apply-rate": 0.05,  # applied, then the connection is dropped
    "pending-rate": 0.05,  # pending, resolved after pending-ms
    "pending-ms": 1500,
    "failure-rate": 0.02,  # final declines
    "duplicate-callback-rate": 0.10,
    "lost-callback-rate": 0.10,
}
# Short enough that a 20-60 s run sees every recovery path many times.
DEADLINES = Deadlines(ready=timedelta(seconds=3), sending=timedelta(seconds=20),
                      poll=timedelta(seconds=5))
FINAL = ("succeeded", "failed")
IN_FLIGHT = 10  # per worker process: the simulator (one process, threads) is fastest so

# A gateway web server (for the simulator's callbacks), quiet about each request.
WEB_SERVER = """
import logging, sys
from werkzeug.serving import make_server
from gateway import create_app
logging.getLogger("werkzeug").setLevel(logging.ERROR)
make_server("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True).serve_forever()
"""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.05)


@pytest.fixture
def fault_redis(tmp_path) -> Iterator[EmbeddedRedis]:  # type: ignore[no-untyped-def]
    """Give this test its own redis-server (it is killed mid-run; never the shared one)."""
    server = EmbeddedRedis(str(tmp_path / "redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def public_port() -> int:
    """Give the port of the gateway web server that receives callbacks."""
    return free_port()


@pytest.fixture
def settings(database_url: str, fault_redis: EmbeddedRedis, public_port: int) -> dict[str, object]:
    """Give the settings every process of the run shares."""
    return app_config(database_url, f"{fault_redis.url}/0", WALLET_PROVIDERS="gsma,sandbox",
                      PUBLIC_URL=f"http://127.0.0.1:{public_port}", LOG_LEVEL="WARNING")


@pytest.fixture
def env(settings: dict[str, object]) -> dict[str, str]:
    """Give the CHITRA_* environment of the worker, web and helper processes."""
    return {**os.environ, **{f"CHITRA_{k}": str(v) for k, v in settings.items()}}


@pytest.fixture
def app(settings: dict[str, object]) -> Iterator[Flask]:
    """Give an app on empty tables and on this test's own Redis (overrides the shared one)."""
    application = create_app(settings)
    empty_tables(application)
    with application.app_context():
        yield application
    get_db(application).dispose()


@pytest.fixture
def simulator(tmp_path, env: dict[str, str]) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Run the GSMA simulator as its own process; give its URL."""
    port = free_port()
    args = [sys.executable, "-m", "wallet_adapters.gsma.simulator", "--port", str(port),
            "--seed", str(SEED), "--webhook-secret", DEMO_WEBHOOK_SECRET]
    for name, value in SIMULATOR_FAULTS.items():
        args += [f"--{name}", str(value)]
    with open(tmp_path / "simulator.log", "wb") as log:
        process = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/heartbeat", process)
        yield url
    finally:
        _stop(process)


@pytest.fixture
def web(tmp_path, env: dict[str, str], public_port: int) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Run a gateway web server process for the simulator's callbacks; give its URL."""
    with open(tmp_path / "web.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-c", WEB_SERVER, str(public_port)],
                                   env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{public_port}"
    try:
        _wait_http(f"{url}/healthz", process)
        yield url
    finally:
        _stop(process)


@pytest.fixture
def pool(app: Flask, env: dict[str, str]) -> Iterator[Pool]:
    """Give an unstarted worker pool whose processes are stopped after the test, whatever
    happened."""
    workers = Pool(app, processes=2, interval=0, sweep_every=2.0, env=env, deadlines=DEADLINES)
    try:
        yield workers
    finally:
        workers.shutdown()


def release_many(app: Flask, count: int) -> list[int]:
    """Import ``count`` generated people with verified gsma wallets and release a funded cycle
    for last month (so it is due whatever today is); return the payment ids."""
    db, codec = get_db(app), get_pii(app)
    today = local_today()
    period = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    # A few generated rows are refused or not eligible: generate a margin.
    rows = list(RosterGenerator(seed=SEED, province_code="46").rows(int(count * 1.1) + 20))
    with db.sessionmaker() as s:
        report = import_roster(s, codec, memory_source("fault-roster", HEADER, rows),
                               ImportSettings(providers=["gsma"], province_code="46"))
    assert report.accepted >= count, report.as_dict()
    with db.session() as s:
        s.execute(sa.update(WalletLink).values(provider="gsma", verified=True, flag=None))
    with db.session() as s:
        allocate(s, program_code="TGXH_THANG", period=period, amount=10**13, reference="QD",
                 actor="cli:finance")
    with db.session() as s:
        ref = cycles.create_cycle(s, codec, program_code="TGXH_THANG", period=period,
                                  payment_day=1, actor="cli:maker", province_code="46").cycle.ref
    for step, actor in (("submit", "cli:maker"), ("approve", "cli:checker"),
                        ("release", "cli:checker")):
        with db.session() as s:
            getattr(cycles, f"{step}_cycle")(s, ref, actor)
    with db.sessionmaker() as s:
        cycle = s.scalar(sa.select(Cycle).where(Cycle.ref == ref))
        assert cycle.payment_date <= today
        return list(s.scalars(sa.select(Payment.id).where(Payment.cycle_id == cycle.id)))


def fast_forward_backoffs(app: Flask) -> None:
    """Make payments waiting out a retry back-off (5 s, 10 s, 20 s...) due now: the clock
    moves faster in this test, the sweeper still has to find and resend them."""
    with get_db(app).session() as s:
        s.execute(sa.update(Payment).where(Payment.state == "ready",
                                           Payment.next_attempt_at > utcnow())
                  .values(next_attempt_at=utcnow()))


def open_count(app: Flask) -> int:
    """Count payments not yet final."""
    with get_db(app).sessionmaker() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(Payment)
                        .where(Payment.state.not_in(FINAL)))


@pytest.mark.slow  # about 4 minutes for 5,000 payments on 2 cores
def test_cycle_survives_killed_workers_lost_redis_and_provider_faults(
        app: Flask, fault_redis: EmbeddedRedis, simulator: str, web: str, pool: Pool) -> None:
    with get_db(app).session() as s:
        # Calls in flight stay within the connection pool: none waits for a connection.
        save_provider(s, get_pii(app), "gsma", "gsma", {
            "base_url": simulator, "webhook_secret": DEMO_WEBHOOK_SECRET, "timeout_s": 2.0,
            "max_connections": IN_FLIGHT}, max_in_flight=IN_FLIGHT)
    ids = release_many(app, PAYMENTS)
    assert len(ids) >= PAYMENTS
    rng = random.Random(SEED)
    queue = Queue(QUEUE, connection=get_redis(app))
    pool.start()
    pool.wait_ready()

    start = time.monotonic()
    last_sweep = 0.0
    next_kill = start + rng.uniform(*KILL_EVERY_S)
    next_check = start
    redis_restarted = False
    kills = 0
    born: dict[int, float] = {}
    left = len(ids)
    # Faults while the cycle is paid (CHAOS_S), then none until every payment is final.
    while left and time.monotonic() - start < TIME_LIMIT_S:
        last_sweep = pool.tick(queue, last_sweep)
        now = time.monotonic()
        chaos = now - start < CHAOS_S
        for child in pool.children:
            born.setdefault(child.pid, now)
        if chaos and now >= next_kill:
            alive = [c for c in pool.children
                     if c.poll() is None and now - born[c.pid] >= MIN_AGE_S]
            if alive:
                os.kill(rng.choice(alive).pid, signal.SIGKILL)
                kills += 1
            next_kill = now + rng.uniform(*KILL_EVERY_S)
        if not redis_restarted and now - start >= CHAOS_S / 2:
            # Every queued job and every worker registration is gone with it.
            fault_redis.kill()
            time.sleep(0.5)
            last_sweep = pool.tick(queue, last_sweep)  # relay/sweep fail and carry on
            fault_redis.start()
            redis_restarted = True
        if now >= next_check:
            left = open_count(app)
            next_check = now + 0.5
            fast_forward_backoffs(app)
        time.sleep(0.05)
    elapsed = time.monotonic() - start
    pool.shutdown()
    print(f"{len(ids)} payments, seed {SEED}: {elapsed:.1f} s, {kills} worker kills, "
          f"{pool.restarts} restarts, redis restarted: {redis_restarted}")

    with get_db(app).sessionmaker() as s:
        print(dict(s.execute(sa.select(Payment.state_reason, sa.func.count())
                             .group_by(Payment.state_reason)).all()))
    assert redis_restarted and kills > 0
    with get_db(app).sessionmaker() as s:
        ours = {ref: (state, amount, history) for ref, state, amount, history in s.execute(
            sa.select(Payment.ref, Payment.state, Payment.amount, Payment.state_reason))}
        stuck = {ref: v for ref, v in ours.items() if v[0] not in FINAL}
        assert not stuck, f"{len(stuck)} payments not final after {elapsed:.0f} s: " \
                          f"{list(stuck.items())[:10]}"
        applied = httpx.get(f"{simulator}/_sim/applied", timeout=30).json()["applied"]
        theirs = {e["idempotency_key"].replace("-", ""): e for e in applied}
        # The provider never executed a transfer twice, nor one we do not know.
        assert all(e["applied"] == 1 for e in applied)
        assert set(theirs) <= set(ours)
        paid = {ref for ref, (state, _, _) in ours.items() if state == "succeeded"}
        assert paid == {ref for ref, e in theirs.items() if e["status"] == "succeeded"}
        assert all(theirs[ref]["amount"] == ours[ref][1] for ref in paid)
        # A payment we failed was either never applied or declined by the provider.
        assert all(theirs[ref]["status"] == "failed" for ref, (state, _, _) in ours.items()
                   if state == "failed" and ref in theirs)
        assert check_ledger(s) == []
        assert balance(s, accounts.paid("gsma")) == sum(ours[ref][1] for ref in paid)
        assert paid and len(paid) < len(ours)  # both outcomes were exercised


