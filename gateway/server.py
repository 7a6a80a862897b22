"""``gateway run``: the whole service in one command.

The web server, the worker pool (``gateway worker`` in its own process group) and, in
development, an embedded Redis and the telco's local stub.
"""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from gateway import redis_conn, telco
from gateway.config import update
from gateway.db import get_db
from gateway.disbursement import service as disbursement
from gateway.migrate import current_revision, head_revision, upgrade
from gateway.telco.services import init_services
from gateway.wallets import service as wallets


def ensure_redis(app: Flask) -> str:
    """Return the Redis URL, starting an embedded redis-server in development if none is set."""
    url = app.config.get("REDIS_URL")
    if url:
        return url
    if app.config["ENV"] != "development":
        raise click.ClickException("CHITRA_REDIS_URL is not set (required outside development)")
    from gateway.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(os.path.join(app.instance_path, "redis"))
    app.extensions["chitra.embedded_redis"] = server
    update(app, REDIS_URL=server.url)
    # Child processes (workers, simulators) inherit the URL through the environment.
    os.environ["CHITRA_REDIS_URL"] = server.url
    # What holds a Redis client is built again on the one that now runs.
    redis_conn.init_app(app)
    wallets.init_app(app)
    disbursement.init_app(app)
    init_services(app)  # the hop service and the inbox on the Redis that now runs
    return server.url


def ensure_telco(app: Flask, base: str) -> str:
    """Set up the configured SMS telco for this run and return a line saying where SMS go.

    The telco's package decides (``start_dev_stub``): in development it may start a local
    stand-in of its API and point every process of the run at it.
    """
    return telco.start_dev_stub(app, base)


def ensure_migrated(app: Flask) -> None:
    """Migrate the database in development; refuse to start on a stale schema elsewhere."""
    current, head = current_revision(get_db(app).engine), head_revision()
    if current == head:
        return
    if app.config["ENV"] == "development":
        click.echo(f"migrating database {current} -> {head}")
        upgrade(app.config["DATABASE_URL"])
        return
    raise click.ClickException(
        f"database is at {current}, code expects {head}: run `gateway db upgrade` first")


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(0, 64),
              help="Disbursement worker processes (0: web only).")
@with_appcontext
def run_command(host: str, port: int, workers: int) -> None:
    """Run the service: web server and disbursement workers (and an embedded Redis in dev)."""
    import signal
    import subprocess
    import sys

    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ensure_migrated(app)
    redis_url = ensure_redis(app)
    base = f"http://{host}:{port}"
    os.environ.setdefault("CHITRA_PUBLIC_URL", base)
    app.config["PUBLIC_URL"] = app.config.get("PUBLIC_URL") or base
    sms = ensure_telco(app, base)
    children = []
    if workers:
        # The pool runs in its own process group of workers; it inherits this environment
        # (database, Redis URL, keys), so every process talks to the same places.
        children.append(subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "worker", "--processes", str(workers)],
            env={**os.environ, "CHITRA_PUBLIC_URL": app.config["PUBLIC_URL"]}))
    click.echo("ChiTra is running:")
    click.echo(f"  health     {base}/healthz   readiness {base}/readyz")
    click.echo(f"  database   {app.config['DATABASE_URL'].split('@')[-1]}")
    embedded = " (embedded)" if "chitra.embedded_redis" in app.extensions else ""
    click.echo(f"  redis      {redis_url}{embedded}")
    click.echo(f"  workers    {workers} disbursement worker processes (queue 'disburse')")
    click.echo(f"  callbacks  {base}/wallets/<provider>/callback")
    click.echo(f"  sms        {sms}")
    notices = (f"staged and sent every 5 s by the worker pool, non-urgent ones only "
               f"{app.config['NOTICE_HOURS']} h Asia/Ho_Chi_Minh" if workers
               else "not sent: no worker pool (--workers 0)")
    click.echo(f"  notices    {notices}")
    key = telco.ussd_key(app)
    if key:
        click.echo(f"  ussd       .venv/bin/gateway ussd-sim --url {base} "
                   f"--key {key} --phone <a roster phone, e.g. 0912345678>")
    click.echo("  commands   .venv/bin/gateway --help   (roster, cycle, report, worker, ...)")
    click.echo("Press Ctrl+C to stop.")
    # SIGTERM (systemd, docker stop, kill) must run the clean-up below like Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        for child in children:
            child.terminate()
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
        telco.stop_dev_stub(app)
        server = app.extensions.get("chitra.embedded_redis")
        if server:
            server.stop()
