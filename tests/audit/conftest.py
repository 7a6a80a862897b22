"""Helpers for audit tests: append events, tamper with rows the way an intruder with SQL would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.audit import record
from gateway.db import Database, get_db


@pytest.fixture
def db(app: Flask) -> Database:
    """Give the test app's database."""
    return get_db(app)


@pytest.fixture
def append(db: Database) -> Callable[[int], None]:
    """Give a function that appends N committed events, one transaction each."""

    def _append(n: int) -> None:
        for i in range(n):
            with db.session() as session:
                record(
                    session, actor="cli:tester", action="cycle.approve", subject_type="cycle",
                    subject_id=i + 1, before={"state": "submitted"}, after={"state": "approved"},
                    detail={"payments": 10 * (i + 1)},
                )

    return _append


@pytest.fixture
def tamper(db: Database) -> Callable[..., None]:
    """Give a function that runs raw SQL behind the application's back."""

    def _tamper(sql: str, **params: object) -> None:
        with db.engine.begin() as conn:
            conn.execute(sa.text(sql), params)

    return _tamper
