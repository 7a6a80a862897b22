"""A recent SIM change on the wallet phone holds the payout and blocks SMS codes.

The check speaks HTTP to a local CAMARA SimSwap stub, as it would to a telco.
"""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.disbursement.engine import Disburser
from gateway.payroll.models import Payment
from gateway.pii.codec import get_pii
from gateway.registry.models import WalletLink
from gateway.settings import load_wallets as load
from gateway.wallets.service import sim_swap_for, wallet_verification
from gateway.wallets.simswap import CachedSimSwapCheck, HttpSimSwapCheck, SimSwapUnavailable
from gateway.wallets.verification import ConfirmStatus, StartStatus
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people
from tests.wallets.camara_stub import CamaraStub
from tests.wallets.conftest import AN, link_of, otp_messages, payment_state, received_code


@pytest.fixture
def app_settings(camara: CamaraStub) -> dict[str, object]:
    return {"SIM_SWAP_URL": camara.url, "SIM_SWAP_TOKEN": "camara-token",
            "SIM_SWAP_MAX_AGE_HOURS": 72}


@pytest.fixture
def disburser(app: Flask, redis_client, sandbox_book) -> Disburser:  # type: ignore[no-untyped-def]
    """Give a disburser with the app's SIM-swap check."""
    return Disburser(get_db(app), get_pii(app), redis_client=redis_client,
                     adapter_overrides={"sandbox": {"book": sandbox_book, "seed": 7}},
                     sim_swap=sim_swap_for(app), sim_swap_max_age_hours=72)


def start(app: Flask, ref: str):  # type: ignore[no-untyped-def]
    with get_db(app).session() as s:
        link = s.scalar(sa.select(WalletLink).where(WalletLink.ref == ref))
        return wallet_verification(app).start_verification(s, link, actor="test")


def test_a_recent_swap_holds_the_payout_and_unverifies_the_wallet(
        app: Flask, camara: CamaraStub, disburser: Disburser,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    camara.state.token = "camara-token"
    ids = release_cycle(app, verified=True, names=["an", "binh"])
    camara.swap(AN, hours_ago=5)
    outcome = disburser.send(ids)
    assert (outcome.held, outcome.by_state["succeeded"]) == (1, 1)
    with get_db(app).sessionmaker() as s:
        held = s.scalar(sa.select(Payment).where(Payment.state == "held"))
        assert held.state_reason == "sim_swap"
        an_link = s.get(WalletLink, held.wallet_link_id)
        assert not an_link.verified
        assert "wallet_link.sim_swap_hold" in set(s.scalars(sa.select(AuditEvent.action)))
    assert len(camara.state.requests) == 2  # one question per phone of the chunk
    # No SMS code while the swap is recent: whoever holds the new SIM would get it.
    assert start(app, an_link.ref).status is StartStatus.SIM_SWAP
    assert otp_messages(app) == []
    assert AN not in caplog.text and AN[3:] not in caplog.text


def test_an_old_swap_holds_nothing(app: Flask, camara: CamaraStub,
                                   disburser: Disburser) -> None:
    [pid] = release_cycle(app, verified=True, names=["an"])
    camara.swap(AN, hours_ago=24 * 30)
    assert disburser.send([pid]).by_state["succeeded"] == 1


def test_a_swap_after_a_code_was_sent_refuses_that_code(app: Flask,
                                                        camara: CamaraStub) -> None:
    ref = link_of(app, add_people(app, ["an"])["an"]).ref
    assert start(app, ref).ok
    code = received_code(app)
    camara.swap(AN, hours_ago=0.1)
    sim_swap_for(app).clear()  # type: ignore[union-attr]
    with get_db(app).session() as s:
        result = wallet_verification(app).confirm(s, ref, code, actor="test")
    assert result.status is ConfirmStatus.SIM_SWAP
    with get_db(app).session() as s:  # and the code was revoked, not just refused once
        camara.state.swapped_at.clear()
        sim_swap_for(app).clear()  # type: ignore[union-attr]
        result = wallet_verification(app).confirm(s, ref, code, actor="test")
    assert result.status is ConfirmStatus.EXPIRED


def test_a_failing_check_defers_the_payout_and_sends_no_code(
        app: Flask, camara: CamaraStub, disburser: Disburser) -> None:
    [pid] = release_cycle(app, verified=True, names=["an"])
    camara.state.failing = True
    outcome = disburser.send([pid])
    assert (outcome.claimed, outcome.held) == (0, 0)
    with get_db(app).sessionmaker() as s:
        payment = s.get(Payment, pid)
        assert payment.state == "ready" and payment.next_attempt_at is not None
    with get_db(app).session() as s:
        s.execute(sa.update(WalletLink).values(verified=False))
    ref = link_of(app, add_people(app, ["an"])["an"]).ref
    assert start(app, ref).status is StartStatus.CHECK_UNAVAILABLE
    assert otp_messages(app) == []
    assert payment_state(app, pid)[0] == "ready"


def test_answers_are_cached_briefly_and_failures_are_not(camara: CamaraStub) -> None:
    now = [0.0]
    check = CachedSimSwapCheck(HttpSimSwapCheck(camara.url), ttl_seconds=60,
                               clock=lambda: now[0])
    camara.swap("+84987654321")
    assert check.check("+84987654321", 72).swapped
    assert check.check("+84987654321", 72).swapped
    assert len(camara.state.requests) == 1
    now[0] += 61
    assert check.check("+84987654321", 72).swapped
    assert len(camara.state.requests) == 2
    camara.state.failing = True
    with pytest.raises(SimSwapUnavailable):
        check.check("+84912000000", 72)
    with pytest.raises(SimSwapUnavailable):
        check.check("+84912000000", 72)
    assert len(camara.state.requests) == 4


def test_no_check_is_configured_by_default(app: Flask) -> None:
    from gateway.wallets.simswap import sim_swap_check

    assert sim_swap_check(load({"SIM_SWAP_URL": None, "SECRET_KEY": "s"})) is None
