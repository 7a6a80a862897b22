"""Benchmark: create and release a monthly cycle for a whole province.

Imports a generated Huế-like roster of ``--size`` people (default 58,848) into a fresh
database, funds the month, then times ``create`` (eligibility, amounts, one payment per
person, reasons for skips) and ``release`` (funding check, two ledger legs per payment,
payments to ready, outbox events), each one transaction as the CLI runs them.
Ends with ``RESULT create_s=... release_s=...``.

    python bench/cycle.py [--size N] [--database-url postgresql://postgres@127.0.0.1/bench]
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generated_roster(size: int) -> Path:
    """Return ``bench/out/roster-<size>.xlsx`` (a generated Huế roster), made on first use."""
    from gateway.rosters.demo import write_xlsx

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    roster = out / f"roster-{size}.xlsx"
    if not roster.exists():
        write_xlsx(str(roster), size)
    return roster


def fresh_database(url: str | None, tmp: str) -> str:
    """Return a URL of an empty, migrated database (recreated if PostgreSQL)."""
    import sqlalchemy as sa

    from gateway.migrate import upgrade

    if url is None:
        url = f"sqlite:///{os.path.join(tmp, 'bench.db')}"
    elif url.startswith("postgresql"):
        parsed = sa.engine.make_url(url)
        admin = sa.create_engine(parsed.set(drivername="postgresql+psycopg", database="postgres"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
        admin.dispose()
    upgrade(url)
    return url


def main() -> None:
    """Import, fund, create, release; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=58_848)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from gateway import create_app
    from gateway.db import get_db
    from gateway.payroll.cycles import approve_cycle, create_cycle, release_cycle, submit_cycle
    from gateway.payroll.funding import allocate
    from gateway.pii.codec import get_pii
    from gateway.rosters.importer import ImportSettings, import_roster
    from gateway.rosters.source import open_roster

    roster = generated_roster(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(args.database_url, tmp)
        app = create_app({
            "ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "bench",
            "PII_KEYS": f"b1:{base64.b64encode(b'p' * 32).decode()}",
            "BLIND_INDEX_KEY": base64.b64encode(b"i" * 32).decode(), "PROVINCE_CODE": "46",
        })
        period = date.today().replace(day=1)
        with app.app_context():
            db, codec = get_db(), get_pii()
            t = time.perf_counter()
            with db.sessionmaker() as session:
                imported = import_roster(session, codec, open_roster(str(roster)),
                                         ImportSettings(providers=["sandbox"], province_code="46"))
            print(f"setup: imported {imported.accepted} people in {time.perf_counter() - t:.1f} s")
            with db.session() as session:
                allocate(session, program_code="TGXH_THANG", period=period,
                         amount=10**12, reference="bench", actor="bench")

            t = time.perf_counter()
            with db.session() as session:
                cycle = create_cycle(session, codec, program_code="TGXH_THANG", period=period,
                                     actor="bench:maker", province_code="46").cycle
            create_s = time.perf_counter() - t
            print(f"create: {cycle.payment_count} payments, {cycle.total_amount:,} VND, "
                  f"{cycle.skipped_count} skipped in {create_s:.2f} s")
            with db.session() as session:
                submit_cycle(session, cycle.ref, "bench:maker")
            with db.session() as session:
                approve_cycle(session, cycle.ref, "bench:checker")
            t = time.perf_counter()
            with db.session() as session:
                release_cycle(session, cycle.ref, "bench:checker")
            release_s = time.perf_counter() - t
            print(f"release: {cycle.payment_count} payments to ready, "
                  f"{2 * cycle.payment_count} ledger legs in {release_s:.2f} s")
            db.dispose()
    backend = url.split(":", 1)[0]
    print(f"backend {backend}, {args.size} beneficiaries")
    print(f"RESULT create_s={create_s:.2f} release_s={release_s:.2f}")


if __name__ == "__main__":
    main()
