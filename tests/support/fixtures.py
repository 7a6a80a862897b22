"""Fixtures every folder may ask for, registered once by the root conftest (``pytest_plugins``).

The ledger check runs after every test marked ``ledger``; a folder switches it on for all its
tests with :func:`mark_folder` in its ``conftest.py``, a module with ``pytestmark``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from gateway.api.roles import Role
from gateway.db import get_db
from gateway.disbursement.engine import Disburser
from gateway.ledger.check import check_ledger
from gateway.pii.codec import get_pii
from tests.support.scenario import Headers, add_people, bearer, keys_by_role
from tests.support.ussd import Dialer, at_hop
from wallet_adapters.sandbox import reset_books


def mark_folder(items: list[pytest.Item], conftest_file: str, marker: pytest.MarkDecorator) -> None:
    """Add ``marker`` to every collected test below the folder of ``conftest_file``."""
    folder = Path(conftest_file).parent
    for item in items:
        if item.path.is_relative_to(folder):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def ledger_stays_sound(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run the ledger check after a test marked ``ledger`` that used the database."""
    marked = request.node.get_closest_marker("ledger") is not None
    # Asking for the app here sets it up first, so it is still there after the test.
    app = request.getfixturevalue("app") if marked and "app" in request.fixturenames else None
    yield
    if app is None:
        return
    with get_db(app).sessionmaker() as session:
        violations = check_ledger(session)
    assert not violations, violations


@pytest.fixture
def people(app: Flask) -> dict[str, str]:
    """Give the standard set of people, imported through the roster path."""
    return add_people(app)


@pytest.fixture
def tokens(app: Flask) -> dict[Role, str]:
    """Give one working API key per role."""
    return keys_by_role()


@pytest.fixture
def as_role(tokens: dict[Role, str]) -> Callable[[Role], Headers]:
    """Give a function returning the Authorization header of a role's key."""
    return lambda role: bearer(tokens[role])


@pytest.fixture
def dial(client: FlaskClient) -> Callable[[str], Dialer[str]]:
    """Give a function that starts a USSD session from a phone, over the telco callback."""
    def start(phone: str) -> Dialer[str]:
        return Dialer(at_hop(client), phone, session_id=None)
    return start


@pytest.fixture
def sandbox_book() -> str:
    """Give a fresh sandbox provider book name."""
    reset_books("test")
    return "test"


@pytest.fixture
def make_disburser(app: Flask, redis_client: redis.Redis,
                   sandbox_book: str) -> Callable[..., Disburser]:
    """Build disbursers whose sandbox runs with the given faults."""

    def make(**faults: object) -> Disburser:
        return Disburser(get_db(app), get_pii(app), redis_client=redis_client,
                         adapter_overrides={"sandbox": {"book": sandbox_book, "seed": 7,
                                                        **faults}})

    return make
