"""One worker process: an RQ worker on the disbursement queue (``python -m workers.worker``).

It runs jobs in-process (RQ's SimpleWorker): the app, the adapters and their connection pools
are built once per process instead of once per forked job, and a chunk job already holds
hundreds of provider calls in flight, so there is nothing to gain from a fork per job.
"""

from __future__ import annotations

import argparse
import logging

from rq import SimpleWorker

from gateway.redis_conn import get_redis
from workers import context
from workers.relay import QUEUE


def main(argv: list[str] | None = None) -> None:
    """Work the disbursement queue until stopped (or until empty with ``--burst``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    app = context.app()
    logging.getLogger("rq.worker").setLevel(logging.WARNING)
    with app.app_context():
        worker = SimpleWorker([QUEUE], connection=get_redis(app), name=args.name)
        worker.work(burst=args.burst, with_scheduler=False, logging_level="WARNING")


if __name__ == "__main__":
    main()
