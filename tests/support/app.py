"""Build the test app on the real test database and Redis, and run its commands."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from flask import Flask
from flask.testing import FlaskCliRunner

TEST_PII_KEY = base64.b64encode(b"k" * 32).decode()
TEST_INDEX_KEY = base64.b64encode(b"i" * 32).decode()


def app_config(database_url: str, redis_url: str, **overrides: object) -> dict[str, object]:
    """Return the settings of a test app on the given real database and Redis."""
    return {
        "ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret",
        "PII_KEYS": f"t1:{TEST_PII_KEY}",
        "BLIND_INDEX_KEY": TEST_INDEX_KEY,
        "PROVINCE_CODE": "46",
        "WALLET_PROVIDERS": "sandbox,viettelmoney",
        **overrides,
    }


_SEED_ROWS: dict[str, dict[str, list[dict[str, object]]]] = {}


def empty_tables(app: Flask) -> None:
    """Reset every table to what the migrations left (their seed rows), keeping the schema."""
    from gateway.db import get_db
    from gateway.models import Base

    engine = get_db(app).engine
    tables = Base.metadata.sorted_tables
    url = str(engine.url)
    if url not in _SEED_ROWS:
        with engine.connect() as conn:
            _SEED_ROWS[url] = {
                t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in tables}
    seeds = _SEED_ROWS[url]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
        for table in tables:
            if seeds.get(table.name):
                conn.execute(table.insert(), seeds[table.name])
        if engine.dialect.name == "postgresql":
            # Inserting explicit ids does not move the sequences past them.
            for table in tables:
                if seeds.get(table.name) and "id" in table.c:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM \"{table.name}\"))")


@contextmanager
def make_app(database_url: str, redis_url: str, **settings: object) -> Iterator[Flask]:
    """Build an app with these settings on empty tables and an empty Redis database."""
    from gateway import create_app
    from gateway.db import get_db

    application = create_app(app_config(database_url, redis_url, **settings))
    empty_tables(application)
    redis.Redis.from_url(redis_url).flushdb()
    with application.app_context():
        yield application
    get_db(application).dispose()


class GatewayRunner:
    """Invoke ``gateway`` commands against the test app."""

    def __init__(self, app: Flask) -> None:
        self._runner: FlaskCliRunner = app.test_cli_runner()

    def invoke(self, *args: str, **kwargs: object):  # type: ignore[no-untyped-def]
        """Run ``gateway ARGS...`` and return click's result."""
        from gateway.cli import cli

        return self._runner.invoke(cli, list(args), **kwargs)  # type: ignore[arg-type]
