"""Benchmark: disburse a released cycle end to end through the worker pool.

Imports ``--size`` people (default 58,848) with verified wallets, releases a funded cycle and
runs the real pool (``gateway worker``: relay, sweeper, 2 worker processes on RQ with the
sandbox wallet) until every payment is final, for sandbox latencies 0 ms and 200 ms. Prints
transfers/s and p50/p99 time from release to final. In the same run it times the naive
baseline — one RQ job per payment on RQ's default forking worker (two of them, as the engine
runs two worker processes), each calling the adapter once — on a 2,000-payment sample, and
prints the ratio. Ends with
``RESULT transfers_per_s_0ms=... transfers_per_s_200ms=... p99_s_0ms=... p99_s_200ms=...
baseline_ratio=...``.

    python bench/disburse.py [--size N] [--database-url postgresql://...] [--baseline-size N]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

KEYS = {"PII_KEYS": f"b1:{base64.b64encode(b'p' * 32).decode()}",
        "BLIND_INDEX_KEY": base64.b64encode(b"i" * 32).decode(), "SECRET_KEY": "bench"}


def environment(url: str, redis_url: str, latency_ms: float) -> dict[str, str]:
    """Return the CHITRA_* environment every process of the run shares."""
    env = {f"CHITRA_{k}": v for k, v in KEYS.items()}
    env.update({"CHITRA_ENV": "testing", "CHITRA_DATABASE_URL": url,
                "CHITRA_REDIS_URL": redis_url, "CHITRA_PROVINCE_CODE": "46",
                "CHITRA_LOG_LEVEL": "WARNING",
                "CHITRA_WALLET_ADAPTER_OVERRIDES": json.dumps(
                    {"sandbox": {"latency_ms": latency_ms, "book": "bench"}})})
    return env


def prepare(url: str, size: int, roster: Path) -> None:
    """Import the roster with verified wallets into a fresh database."""
    import sqlalchemy as sa
    from cycle import fresh_database

    from gateway import create_app
    from gateway.db import get_db
    from gateway.pii.codec import get_pii
    from gateway.registry.models import WalletLink
    from gateway.rosters.importer import ImportSettings, import_roster
    from gateway.rosters.source import open_roster

    fresh_database(url, "")
    app = create_app()
    with app.app_context():
        with get_db().sessionmaker() as session:
            import_roster(session, get_pii(), open_roster(str(roster)),
                          ImportSettings(providers=["sandbox"], province_code="46"))
        with get_db().session() as session:
            session.execute(sa.update(WalletLink).values(verified=True, flag=None))
        get_db().dispose()


def release(app, period) -> int:  # type: ignore[no-untyped-def]
    """Create, approve, fund and release a cycle; return its id."""
    from gateway.db import get_db
    from gateway.payroll import cycles
    from gateway.payroll.funding import allocate
    from gateway.pii.codec import get_pii

    db = get_db(app)
    with db.session() as s:
        allocate(s, program_code="TGXH_THANG", period=period, amount=10**12,
                 reference=f"bench-{period}", actor="bench")
    with db.session() as s:
        cycle = cycles.create_cycle(s, get_pii(app), program_code="TGXH_THANG", period=period,
                                    actor="bench:maker", payment_day=1, province_code="46").cycle
    for step, actor in (("submit", "bench:maker"), ("approve", "bench:checker"),
                        ("release", "bench:checker")):
        with db.session() as s:
            getattr(cycles, f"{step}_cycle")(s, cycle.ref, actor)
    return cycle.id


def run_engine(latency_ms: float, url: str, redis_url: str, period) -> tuple[int, float, list]:  # type: ignore[no-untyped-def]
    """Release a cycle and run the pool until all final; return (n, seconds, latencies)."""
    import sqlalchemy as sa
    from redis import Redis

    from gateway import create_app
    from gateway.db import get_db
    from gateway.payroll.models import Cycle, Payment
    from workers.pool import Pool

    os.environ.update(environment(url, redis_url, latency_ms))
    Redis.from_url(redis_url).flushdb()
    app = create_app()
    db = get_db(app)
    # No SMS pass: the benchmark times the engine (payment notices are staged and sent by
    # the pool's separate SMS thread in production, from the outbox rows written here).
    pool = Pool(app, processes=2, interval=0.05, notify_every=None)
    pool.start()
    pool.wait_ready()  # workers run all the time in production; their start-up is not timed
    cycle_id = release(app, period)
    with db.sessionmaker() as s:
        released_at = s.scalar(sa.select(Cycle.released_at).where(Cycle.id == cycle_id))
        total = s.scalar(sa.select(sa.func.count()).select_from(Payment)
                         .where(Payment.cycle_id == cycle_id))
    open_states = ["ready", "sending", "accepted", "unknown", "pending"]
    start = time.perf_counter()
    last = [0.0]

    def done() -> bool:
        if time.perf_counter() - last[0] < 0.2:
            return False
        last[0] = time.perf_counter()
        with db.sessionmaker() as s:
            left = s.scalar(sa.select(sa.func.count()).select_from(Payment).where(
                Payment.cycle_id == cycle_id, Payment.state.in_(open_states)))
        return left == 0

    pool.loop(until=done)
    seconds = time.perf_counter() - start
    with db.sessionmaker() as s:
        finals = [(f - released_at).total_seconds() for f in s.scalars(
            sa.select(Payment.final_at).where(Payment.cycle_id == cycle_id,
                                             Payment.final_at.is_not(None)))]
    db.dispose()
    return total, seconds, sorted(finals)


def run_baseline(url: str, redis_url: str, sample: int, period,  # type: ignore[no-untyped-def]
                 processes: int = 2) -> float:
    """Time the naive design on ``sample`` payments; return transfers/s."""
    import subprocess

    import sqlalchemy as sa
    from redis import Redis
    from rq import Queue

    from gateway import create_app
    from gateway.db import get_db
    from gateway.payroll.models import Payment

    os.environ.update(environment(url, redis_url, 0))
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    app = create_app()
    db = get_db(app)
    cycle_id = release(app, period)
    with db.sessionmaker() as s:
        ids = list(s.scalars(sa.select(Payment.id).where(Payment.cycle_id == cycle_id)
                             .order_by(Payment.id).limit(sample)))
    queue = Queue("naive", connection=redis)
    for pid in ids:
        queue.enqueue("naive.pay_one", pid)
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}
    # As many RQ workers as the engine has worker processes (one per core), so the ratio
    # compares designs, not process counts.
    workers = [subprocess.Popen([sys.executable, str(ROOT / "bench" / "naive.py"), redis_url],
                                env=env) for _ in range(processes)]
    codes = [w.wait() for w in workers]
    if any(codes):
        raise SystemExit(f"naive baseline worker failed: exit codes {codes}")
    seconds = time.perf_counter() - start
    db.dispose()
    return len(ids) / seconds


def main() -> None:
    """Run both latencies and the baseline; print the figures."""
    from datetime import date

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=58_848)
    parser.add_argument("--baseline-size", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None,
                        help="default: an embedded redis-server started for the run")
    args = parser.parse_args()

    from cycle import generated_roster

    from gateway.embedded_redis import EmbeddedRedis

    roster = generated_roster(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
        server = None if args.redis_url else EmbeddedRedis(os.path.join(tmp, "redis"))
        redis_url = args.redis_url or f"{server.url}/0"  # type: ignore[union-attr]
        os.environ.update(environment(url, redis_url, 0))
        t = time.perf_counter()
        prepare(url, args.size, roster)
        print(f"setup: {args.size} people with verified wallets in {time.perf_counter() - t:.1f} s")
        results = {}
        for month, latency in ((date(2026, 1, 1), 0.0), (date(2026, 2, 1), 200.0)):
            n, seconds, finals = run_engine(latency, url, redis_url, month)
            p50 = statistics.median(finals)
            p99 = finals[int(len(finals) * 0.99) - 1]
            results[latency] = (n / seconds, p99)
            print(f"sandbox {latency:.0f} ms: {n} payments final in {seconds:.2f} s = "
                  f"{n / seconds:,.0f} transfers/s; time to final p50 {p50:.2f} s, p99 {p99:.2f} s")
        sample = min(args.baseline_size, args.size)
        naive = run_baseline(url, redis_url, sample, date(2026, 3, 1))
        ratio = results[0.0][0] / naive
        print(f"baseline (one RQ job per payment, 2 forking workers): {sample} payments at "
              f"{naive:,.0f} transfers/s; the engine is {ratio:.1f}x faster")
        if server:
            server.stop()
    backend = url.split(":", 1)[0]
    print(f"backend {backend}, {args.size} payments")
    print(f"RESULT transfers_per_s_0ms={results[0.0][0]:.0f} "
          f"transfers_per_s_200ms={results[200.0][0]:.0f} p99_s_0ms={results[0.0][1]:.2f} "
          f"p99_s_200ms={results[200.0][1]:.2f} baseline_ratio={ratio:.1f}")


if __name__ == "__main__":
    main()
