"""Start or locate the real services the tests talk to."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import redis
import sqlalchemy as sa


def _worker_number(worker_id: str) -> int:
    match = re.search(r"(\d+)$", worker_id)
    return int(match.group(1)) if match else 0


def _local_redis_answers() -> bool:
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.3).ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False
    return True


@contextmanager
def redis_url_for_worker(worker_id: str) -> Iterator[str]:
    """Yield a Redis URL on its own database number for this worker."""
    db = 1 + _worker_number(worker_id)  # database 0 is left to whoever else uses the server
    configured = os.environ.get("CHITRA_TEST_REDIS_URL")
    if configured:
        # Given as redis://host:port (no database number): each worker appends its own.
        yield f"{configured.rstrip('/')}/{db}"
        return
    if _local_redis_answers():
        yield f"redis://127.0.0.1:6379/{db}"
        return
    from gateway.embedded_redis import EmbeddedRedis

    with tempfile.TemporaryDirectory(prefix="chitra-redis-") as tmp:
        server = EmbeddedRedis(tmp)
        try:
            yield f"{server.url}/{db}"
        finally:
            server.stop()


@contextmanager
def database_url_for_worker(worker_id: str, tmp_dir: str) -> Iterator[str]:
    """Yield a migrated database URL for this worker: PostgreSQL if configured, else SQLite."""
    base = os.environ.get("CHITRA_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{os.path.join(tmp_dir, f'chitra-{worker_id}.db')}"
        _migrate(url)
        yield url
        return
    # One PostgreSQL database per xdist worker, created from the configured one's server.
    base_url = sa.engine.make_url(base)
    # Connect to the server's maintenance database to create this worker's database.
    admin_url = base_url.set(drivername="postgresql+psycopg", database="postgres")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{base_url.database}_{worker_id}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base_url.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    from gateway.migrate import upgrade

    upgrade(url)
