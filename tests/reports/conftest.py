"""Report fixtures: a driven cycle, and the ledger check after each test."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.support.driven import Driven, drive
from tests.support.fixtures import mark_folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Check the ledger after every test of this folder."""
    mark_folder(items, __file__, pytest.mark.ledger)


@pytest.fixture
def driven(app: Flask, people: dict[str, str]) -> Driven:
    """Give the December cycle driven through every step (see tests.support.driven)."""
    return drive(app, people)
