"""Payroll tests: the ledger is checked after every one (people come from tests.support)."""

from __future__ import annotations

import pytest

from tests.support.fixtures import mark_folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Check the ledger after every test of this folder."""
    mark_folder(items, __file__, pytest.mark.ledger)
