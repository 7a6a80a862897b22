"""Benchmark: import a generated province roster (XLSX) end to end.

Generates a Huế-like roster of ``--size`` rows (default 58,848, the pilot's beneficiaries),
then imports it in a child process through the same code as ``gateway roster import``:
streaming read, validation, encryption, blind indexes, one transaction. Prints rows/s and
the child's peak memory, and ends with ``RESULT seconds=... rows_per_s=... peak_mb=...``.

    python bench/roster_import.py [--size N] [--database-url URL] [--format xlsx|csv]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _child(path: str, database_url: str, queue: multiprocessing.Queue) -> None:
    import base64

    from gateway import create_app
    from gateway.db import get_db
    from gateway.migrate import upgrade
    from gateway.pii.codec import get_pii
    from gateway.rosters.importer import ImportSettings, import_roster
    from gateway.rosters.source import open_roster

    upgrade(database_url)
    app = create_app({
        "ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": "bench",
        "PII_KEYS": f"b1:{base64.b64encode(b'p' * 32).decode()}",
        "BLIND_INDEX_KEY": base64.b64encode(b"i" * 32).decode(), "PROVINCE_CODE": "46",
    })
    with app.app_context():
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        with get_db().sessionmaker() as session:
            report = import_roster(session, get_pii(), open_roster(path),
                                   ImportSettings(providers=["sandbox"], province_code="46"))
        seconds = time.perf_counter() - start
    queue.put((seconds, report.accepted, report.rejected, report.flagged, base_rss))


def main() -> None:
    """Generate, import, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=58_848)
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    args = parser.parse_args()

    from gateway.rosters.demo import write_csv, write_xlsx

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"roster-{args.size}.{args.format}"
    if not path.exists():
        t = time.perf_counter()
        (write_xlsx if args.format == "xlsx" else write_csv)(str(path), args.size)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(str(path), url, queue))
        proc.start()
        seconds, accepted, rejected, flagged, base_kb = queue.get()
        proc.join()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    backend = url.split(":", 1)[0]
    print(f"rows {args.size}: accepted {accepted}, rejected {rejected}, flagged {flagged}")
    print(f"import {seconds:.2f} s on {backend} = {accepted / seconds:,.0f} rows/s; "
          f"peak memory {peak_mb:.0f} MB (of which {base_kb / 1024:.0f} MB before the import)")
    print(f"RESULT seconds={seconds:.2f} rows_per_s={accepted / seconds:.0f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
