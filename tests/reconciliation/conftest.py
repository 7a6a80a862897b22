"""Reconciliation fixtures: a released cycle whose payments reached different states."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.db import get_db
from gateway.ledger.models import Posting
from gateway.payroll.models import Payment, PaymentState
from gateway.payroll.payments import transition
from tests.payroll.conftest import (
    add_people,
    ledger_stays_sound,  # noqa: F401 (autouse fixture)
)
from tests.payroll.test_cycles import ids, payments, released

S = PaymentState


@dataclass(frozen=True)
class Paid:
    """One payment of the fixture cycle as reconciliation sees it."""

    id: int
    ref: str
    amount: int
    state: str
    provider_ref: str | None


@dataclass(frozen=True)
class PaidCycle:
    """A released cycle: an and binh succeeded, cuong failed, dung in flight, hai not sent."""

    ref: str
    by_name: dict[str, Paid]

    def __getitem__(self, name: str) -> Paid:
        return self.by_name[name]


@pytest.fixture
def people(app: Flask) -> dict[str, str]:
    """Give the standard payroll people, imported through the roster path."""
    return add_people(app)


@pytest.fixture
def cycle(app: Flask, people: dict[str, str]) -> PaidCycle:
    """Give a released cycle whose five payments are succeeded, failed, sending or ready."""
    ref = released(app, people)
    who = ids(app, people)
    paid = payments(app, ref)
    pid = {name: paid[bid].id for name, bid in who.items() if bid in paid}
    with get_db(app).session() as s:
        for name in ("an", "binh", "cuong", "dung"):
            assert transition(s, pid[name], S.SENDING)
        assert transition(s, pid["an"], S.SUCCEEDED, provider_ref="VT-0001")
        assert transition(s, pid["binh"], S.SUCCEEDED, provider_ref="VT-0002")
        assert transition(s, pid["cuong"], S.FAILED, reason="declined")
    with get_db(app).sessionmaker() as s:
        rows = {p.id: p for p in s.scalars(sa.select(Payment).where(Payment.id.in_(pid.values())))}
    return PaidCycle(ref, {name: Paid(i, rows[i].ref, rows[i].amount, rows[i].state,
                                      rows[i].provider_ref) for name, i in pid.items()})


def money_snapshot(app: Flask) -> tuple[dict[int, str], dict[str, int], int]:
    """Return every payment's state, every account's balance and the number of postings."""
    with get_db(app).sessionmaker() as s:
        states = dict(s.execute(sa.select(Payment.id, Payment.state)).all())
        balances = {a: int(t) for a, t in s.execute(
            sa.select(Posting.account, sa.func.sum(Posting.amount)).group_by(Posting.account))}
        postings = s.scalar(sa.select(sa.func.count()).select_from(Posting))
    return states, balances, int(postings or 0)


def write_csv(tmp_path: Path, lines: list[str], name: str = "statement.csv",
              encoding: str = "utf-8") -> Path:
    """Write statement lines to a file and return its path."""
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path
