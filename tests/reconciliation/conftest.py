"""Reconciliation fixtures: a released cycle whose payments reached different states."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support.fixtures import mark_folder
from tests.support.scenario import PaidCycle, paid_cycle


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Check the ledger after every test of this folder."""
    mark_folder(items, __file__, pytest.mark.ledger)


@pytest.fixture
def cycle(app: Flask, people: dict[str, str]) -> PaidCycle:
    """Give a released cycle whose five payments are succeeded, failed, sending or ready."""
    return paid_cycle(app, people)
