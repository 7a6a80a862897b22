"""Payroll's own refusals, on top of the shared ones in :mod:`gateway.errors`."""

from __future__ import annotations

from gateway.errors import DomainError, Forbidden


class MakerChecker(Forbidden):
    """The same person may not both prepare and approve a cycle."""

    code = "maker_checker"


class InsufficientFunds(DomainError):
    """The program's allocation for the month cannot cover the cycle."""

    code = "insufficient_funds"
