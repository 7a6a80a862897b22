"""Approver TOTP fixtures: a clock the test sets, and the ledger check after each test."""

from __future__ import annotations

import pytest

from gateway.approvers import totp as approver_totp
from tests.approvers.codes import T0
from tests.support.fixtures import mark_folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Check the ledger after every test of this folder."""
    mark_folder(items, __file__, pytest.mark.ledger)


class Clock:
    """The time the approver TOTP checks run at; tests move it by whole steps."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, steps: int = 1) -> None:
        """Move on by ``steps`` periods of 30 s."""
        self.now += 30 * steps


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Run every TOTP check (CLI, API and domain defaults) at a time the test controls."""
    fixed = Clock(T0)
    monkeypatch.setattr(approver_totp, "clock", fixed)
    return fixed
