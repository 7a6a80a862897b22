"""Report fixtures: the registry's people, a driven cycle, and the ledger check after each test."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.payroll.conftest import ledger_stays_sound, people  # noqa: F401 (fixtures)
from tests.reports.scenario import Driven, drive


@pytest.fixture
def driven(app: Flask, people: dict[str, str]) -> Driven:  # noqa: F811
    """Give the December cycle driven through every step (see tests.reports.scenario)."""
    return drive(app, people)
