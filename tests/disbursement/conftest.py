"""Disbursement fixtures: a released cycle with verified wallets, a disburser on the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.db import get_db
from gateway.disbursement.engine import Disburser
from gateway.payroll import cycles
from gateway.payroll.funding import allocate
from gateway.payroll.models import Cycle, Payment
from gateway.pii.codec import get_pii
from gateway.registry.models import WalletLink
from tests.payroll.conftest import add_people, ledger_stays_sound  # noqa: F401 (autouse)
from wallet_adapters.sandbox import reset_books

PERIOD = date(2026, 11, 1)  # paid on 05/11/2026, already due


def release_cycle(app: Flask, *, verified: bool = True, names: list[str] | None = None,
                  provider: str = "sandbox") -> list[int]:
    """Import people, set their wallets, and release a funded cycle; return payment ids."""
    add_people(app, names or ["an", "binh", "cuong", "dung", "hai"])
    db = get_db(app)
    with db.session() as s:
        s.execute(sa.update(WalletLink).values(verified=verified, provider=provider))
    with db.session() as s:
        ref = cycles.create_cycle(s, get_pii(app), program_code="TGXH_THANG", period=PERIOD,
                                  actor="cli:maker", province_code="46").cycle.ref
    with db.session() as s:
        cycles.submit_cycle(s, ref, "cli:maker")
    with db.session() as s:
        cycles.approve_cycle(s, ref, "cli:checker")
    with db.session() as s:
        allocate(s, program_code="TGXH_THANG", period=PERIOD, amount=10**9, reference="QD",
                 actor="cli:finance")
    with db.session() as s:
        cycles.release_cycle(s, ref, "cli:checker")
    with db.sessionmaker() as s:
        cycle_id = s.scalar(sa.select(Cycle.id).where(Cycle.ref == ref))
        return list(s.scalars(sa.select(Payment.id).where(Payment.cycle_id == cycle_id)
                              .order_by(Payment.id)))


def states(app: Flask) -> dict[int, str]:
    """Return every payment's state by id."""
    with get_db(app).sessionmaker() as s:
        return dict(s.execute(sa.select(Payment.id, Payment.state)).all())


@pytest.fixture
def sandbox_book() -> str:
    """Give a fresh sandbox provider book name."""
    reset_books("test")
    return "test"


@pytest.fixture
def make_disburser(app: Flask, redis_client, sandbox_book) -> Callable[..., Disburser]:  # type: ignore[no-untyped-def]
    """Build disbursers whose sandbox runs with the given faults."""

    def make(**faults: object) -> Disburser:
        return Disburser(get_db(app), get_pii(app), redis_client=redis_client,
                         adapter_overrides={"sandbox": {"book": sandbox_book, "seed": 7,
                                                        **faults}})

    return make
