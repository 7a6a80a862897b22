"""Fixtures for the menu engine: a fake port and sessions in the real test Redis."""

from __future__ import annotations

import pytest
import redis

from tests.ussd_menus.fakes import FakePort, demo_port
from tests.ussd_menus.ports import PIN_CODE, DbLine, FakeLine
from ussd_menus.engine import UssdEngine
from ussd_menus.session import RedisSessionStore


@pytest.fixture
def port() -> FakePort:
    """Give a port with the demo beneficiaries."""
    return demo_port()


@pytest.fixture
def store(redis_client: redis.Redis) -> RedisSessionStore:
    """Give a session store on the empty test Redis database."""
    return RedisSessionStore(redis_client, ttl_seconds=300, resume_seconds=180)


@pytest.fixture
def engine(port: FakePort, store: RedisSessionStore) -> UssdEngine:
    """Give an engine wired to the fake port and the real Redis."""
    return UssdEngine(port, store)


@pytest.fixture
def line_pin() -> str | None:
    """Give the PIN every caller of ``line`` has on DbPort (a module overrides: None for none)."""
    return PIN_CODE


@pytest.fixture(params=["fake", pytest.param("db", marks=pytest.mark.db)])
def line(request: pytest.FixtureRequest, store: RedisSessionStore,
         line_pin: str | None) -> FakeLine | DbLine:
    """Give the callers on one port: the fake, or the database's over a real app."""
    if request.param == "fake":
        return FakeLine(store)
    return DbLine(request.getfixturevalue("app"), store, line_pin)
