"""Complaint fixtures: the registry's people, and the ledger check after each test."""

from tests.payroll.conftest import ledger_stays_sound, people  # noqa: F401 (fixtures)
