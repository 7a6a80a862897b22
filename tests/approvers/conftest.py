"""Approver TOTP fixtures: people, funded submitted cycles, and a clock the test sets."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from gateway.approvers import totp as approver_totp
from gateway.db import get_db
from gateway.payroll import cycles
from gateway.payroll.funding import allocate
from gateway.pii.codec import get_pii
from otp.totp import decode_secret, totp_code

# The standard people and the ledger check after every test, as in the payroll tests.
from tests.payroll.conftest import add_people, ledger_stays_sound, people  # noqa: F401

DEC = date(2026, 12, 1)
T0 = 2_000_000_010.0  # 10 s into a time step
COMMUNES = ("19753", "19777", "20182")


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


def submitted_cycle(app: Flask, commune: str = "19753", *, maker: str = "cli:lan") -> str:
    """Create, fund and submit a December cycle of one commune; return its ref."""
    with get_db(app).session() as s:
        ref = cycles.create_cycle(s, get_pii(app), program_code="TGXH_THANG", period=DEC,
                                  actor=maker, province_code="46", communes=[commune]).cycle.ref
        cycles.submit_cycle(s, ref, maker)
        allocate(s, program_code="TGXH_THANG", period=DEC, amount=10_000_000,
                 reference="QD-12", actor="cli:finance")
    return ref


def state_of(app: Flask, ref: str) -> str:
    with get_db(app).sessionmaker() as s:
        return cycles.get_cycle(s, ref).state


def secret_from(uri: str) -> bytes:
    """Return the raw secret a provisioning URI carries."""
    return decode_secret(parse_qs(urlsplit(uri).query)["secret"][0])


def code_at(secret: bytes, at: float) -> str:
    return totp_code(secret, at)


def wrong(code: str) -> str:
    """Return a 6-digit code that is not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
