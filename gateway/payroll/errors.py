"""Payroll errors: each carries a stable code and a sentence in Vietnamese and English."""

from __future__ import annotations


class PayrollError(Exception):
    """A payroll request cannot be carried out; nothing was changed."""

    code = "payroll_error"
    http_status = 409

    def __init__(self, en: str, vi: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.vi = vi or en


class NotFound(PayrollError):
    """The program, cycle or payment does not exist."""

    code = "not_found"
    http_status = 404


class InvalidRequest(PayrollError):
    """A value given is not acceptable (unknown commune, bad period, ...)."""

    code = "invalid_request"
    http_status = 422


class InvalidTransition(PayrollError):
    """The cycle or payment is not in a state that allows this step."""

    code = "invalid_transition"


class MakerChecker(PayrollError):
    """The same person may not both prepare and approve a cycle."""

    code = "maker_checker"
    http_status = 403


class InsufficientFunds(PayrollError):
    """The program's allocation for the month cannot cover the cycle."""

    code = "insufficient_funds"
