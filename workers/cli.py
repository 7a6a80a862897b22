"""The workers' commands: ``gateway worker`` and ``gateway disburse sweep``.

They reach the ``gateway`` command line through the ``flask.commands`` entry points in
pyproject.toml (Flask's own plugin mechanism), so the ``gateway`` package never imports
``workers``.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli_util import emit, json_option


@click.command("worker")
@click.option("--processes", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each keeps hundreds of provider calls in flight).")
@with_appcontext
def worker_command(processes: int) -> None:
    """Run the disbursement worker pool, the outbox relay and the sweeper until stopped."""
    from gateway.redis_conn import get_redis
    from workers.pool import Pool

    try:
        get_redis().ping()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis to work with
        raise click.ClickException(f"cannot reach Redis ({type(exc).__name__}); set "
                                   "CHITRA_REDIS_URL or use `gateway run`") from None
    click.echo(f"worker pool: {processes} processes on queue 'disburse'; Ctrl+C to stop")
    Pool(current_app._get_current_object(), processes).run()  # type: ignore[attr-defined]


@click.group("disburse")
def disburse_group() -> None:
    """Disbursement: one-off relay and sweeper passes (the worker pool runs them continuously)."""


@disburse_group.command("sweep")
@click.option("--all-ready", is_flag=True, help="Re-enqueue every due ready payment (after "
              "Redis was lost).")
@json_option
@with_appcontext
def disburse_sweep(all_ready: bool, as_json: bool) -> None:
    """Relay the outbox and run one sweeper pass, enqueueing what they find."""
    from rq import Queue

    from gateway.redis_conn import get_redis
    from workers.relay import QUEUE, relay_once, sweep_once

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue = Queue(QUEUE, connection=get_redis(app))
    data = {"relayed_jobs": relay_once(app, queue), **sweep_once(app, queue, all_ready=all_ready)}
    emit(data, as_json, lambda d: ", ".join(f"{k} {v}" for k, v in d.items()))
