"""Wallet verification by SMS code, end to end: held money moves only once the phone is proved."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.channels.models import SmsMessage
from gateway.channels.outbound import SCRUBBED
from gateway.channels.sms import send_queued
from gateway.db import get_db
from gateway.outbox import OutboxEvent
from gateway.payroll.models import PaymentState
from gateway.pii.codec import get_pii
from gateway.registry.models import WalletLink
from gateway.settings import settings
from gateway.telco.africastalking.sms import AtSmsSender
from gateway.telco.africastalking.stub import AtStub
from gateway.wallets.service import wallet_verification
from gateway.wallets.verification import (
    PURPOSE,
    ConfirmStatus,
    StartStatus,
    WalletVerification,
    subject,
)
from otp import CodePolicy, OneTimeCodes
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people
from tests.wallets.conftest import AN, link_of, otp_messages, payment_state, received_code


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(app: Flask, redis_client, clock: Clock) -> WalletVerification:  # type: ignore[no-untyped-def]
    """Give a verification service whose codes follow the test clock."""
    codes = OneTimeCodes(redis_client, settings(app).wallets.otp_key, policy=CodePolicy(),
                         clock=clock, key_prefix="chitra:otp")
    return WalletVerification(get_pii(app), codes, redis_client=redis_client)


def start(app: Flask, service: WalletVerification, ref: str):  # type: ignore[no-untyped-def]
    with get_db(app).session() as s:
        link = s.scalar(sa.select(WalletLink).where(WalletLink.ref == ref))
        return service.start_verification(s, link, actor="test:officer")


def confirm(app: Flask, service: WalletVerification, ref: str, code: str):  # type: ignore[no-untyped-def]
    with get_db(app).session() as s:
        return service.confirm(s, ref, code, actor="test:beneficiary")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_held_payment_goes_out_only_after_the_wallet_phone_proves_itself(
        app: Flask, make_disburser, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    [pid] = release_cycle(app, verified=False, names=["an"])
    disburser = make_disburser()
    assert disburser.send([pid]).held == 1
    assert payment_state(app, pid) == ("held", "wallet not verified")
    refs = add_people(app, ["an"])
    link = link_of(app, refs["an"])
    service = wallet_verification(app)

    sent = start(app, service, link.ref)
    assert sent.status is StartStatus.SENT
    [message] = otp_messages(app)
    assert (message.kind, message.status) == ("otp", "queued")
    assert message.phone_bidx == link.phone_bidx  # to the WALLET phone
    assert not re.search(r"\d{6}", message.body)  # sealed while queued
    stub = AtStub(api_key="at-key").start()
    try:
        report = send_queued(get_db(app), get_pii(app), AtSmsSender("chitra", "at-key", stub.url))
        assert report.sent == 1
        [delivered] = stub.state.messages
    finally:
        stub.stop()
    assert delivered["to"] == AN
    code = re.search(r"\b(\d{6})\b", delivered["message"]).group(1)  # type: ignore[union-attr]
    with get_db(app).sessionmaker() as s:
        assert s.get(SmsMessage, message.id).body == SCRUBBED  # not kept once sent

    refused = confirm(app, service, link.ref, wrong(code))
    assert (refused.status, refused.attempts_left) == (ConfirmStatus.WRONG, 4)
    assert payment_state(app, pid)[0] == "held"
    assert not link_of(app, refs["an"]).verified

    done = confirm(app, service, link.ref, code)
    assert (done.status, done.released) == (ConfirmStatus.VERIFIED, 1)
    proved = link_of(app, refs["an"])
    assert proved.verified and proved.verified_at is not None
    assert payment_state(app, pid) == ("ready", "wallet verified")
    with get_db(app).sessionmaker() as s:
        event = s.scalars(sa.select(OutboxEvent).where(OutboxEvent.topic == "payments.released")
                          .order_by(OutboxEvent.id.desc())).first()
        assert event.payload["payment_ids"] == [pid] and event.dispatched_at is None
        from gateway.audit.models import AuditEvent

        actions = set(s.scalars(sa.select(AuditEvent.action)))
    assert {"wallet_link.code_sent", "wallet_link.verify"} <= actions
    assert disburser.send([pid]).by_state[PaymentState.SUCCEEDED.value] == 1
    assert code not in caplog.text and wrong(code) not in caplog.text


def test_an_expired_code_is_refused(app: Flask, service: WalletVerification,
                                    clock: Clock) -> None:
    ref = link_of(app, add_people(app, ["an"])["an"]).ref
    assert start(app, service, ref).ok
    code = received_code(app)
    clock.now += 301
    assert confirm(app, service, ref, code).status is ConfirmStatus.EXPIRED
    assert not link_of(app, add_people(app, ["an"])["an"]).verified


def test_a_code_works_once(app: Flask, service: WalletVerification) -> None:
    refs = add_people(app, ["an"])
    ref = link_of(app, refs["an"]).ref
    assert start(app, service, ref).ok
    code = received_code(app)
    assert confirm(app, service, ref, code).ok
    with get_db(app).session() as s:  # the link is reset (as a flag review would)
        s.execute(sa.update(WalletLink).values(verified=False, verified_at=None))
    assert confirm(app, service, ref, code).status is ConfirmStatus.EXPIRED


def test_a_code_issued_for_another_purpose_does_not_verify_the_wallet(
        app: Flask, service: WalletVerification) -> None:
    link = link_of(app, add_people(app, ["an"])["an"])
    other = service.codes.issue("payment-confirm", subject(link), link.phone_bidx)
    assert other.ok and other.code
    assert confirm(app, service, link.ref, other.code).status is ConfirmStatus.EXPIRED
    assert start(app, service, link.ref).ok
    assert confirm(app, service, link.ref, other.code).status in (
        ConfirmStatus.WRONG, ConfirmStatus.EXPIRED)
    assert not link_of(app, add_people(app, ["an"])["an"]).verified


def test_five_wrong_codes_lock_it_until_a_new_one_is_sent(
        app: Flask, service: WalletVerification, clock: Clock) -> None:
    ref = link_of(app, add_people(app, ["an"])["an"]).ref
    assert start(app, service, ref).ok
    code = received_code(app)
    outcomes = [confirm(app, service, ref, wrong(code)).status for _ in range(5)]
    assert outcomes == [ConfirmStatus.WRONG] * 4 + [ConfirmStatus.LOCKED]
    assert confirm(app, service, ref, code).status is ConfirmStatus.LOCKED
    link = link_of(app, add_people(app, ["an"])["an"])
    assert not service.pending(link)  # the menus now offer a new code
    assert start(app, service, ref).status is StartStatus.COOLDOWN
    clock.now += 61
    assert start(app, service, ref).ok
    assert confirm(app, service, ref, received_code(app)).ok


def test_resending_waits_for_the_cool_down_and_stops_at_the_phone_limit(
        app: Flask, service: WalletVerification, clock: Clock) -> None:
    ref = link_of(app, add_people(app, ["an"])["an"]).ref
    assert start(app, service, ref).ok
    again = start(app, service, ref)
    assert again.status is StartStatus.COOLDOWN and 0 < (again.retry_after or 0) <= 60
    for _ in range(4):
        clock.now += 61
        assert start(app, service, ref).ok
    clock.now += 61
    limited = start(app, service, ref)
    assert limited.status is StartStatus.PHONE_LIMITED and limited.retry_after
    assert len(otp_messages(app)) == 5
    # Only the newest code counts: each new one replaces the one before.
    first, last = otp_messages(app)[0], otp_messages(app)[-1]
    if received_code(app, first) != received_code(app, last):
        assert confirm(app, service, ref, received_code(app, first)).status is ConfirmStatus.WRONG
    assert confirm(app, service, ref, received_code(app, last)).ok


def test_a_verified_wallet_gets_no_code(app: Flask, service: WalletVerification) -> None:
    ref = link_of(app, add_people(app, ["an"])["an"]).ref
    with get_db(app).session() as s:
        s.execute(sa.update(WalletLink).values(verified=True))
    assert start(app, service, ref).status is StartStatus.ALREADY_VERIFIED
    assert otp_messages(app) == []


def test_codes_are_stored_only_hashed_in_redis(app: Flask, service: WalletVerification,
                                              redis_client) -> None:  # type: ignore[no-untyped-def]
    link = link_of(app, add_people(app, ["an"])["an"])
    assert start(app, service, link.ref).ok
    code = received_code(app).encode()
    for key in redis_client.scan_iter("chitra:otp:*"):
        kind = redis_client.type(key)
        values = (redis_client.hgetall(key).values() if kind == b"hash" else
                  [redis_client.get(key) or b""] if kind == b"string" else [])
        assert all(code not in v for v in values)
    assert service.codes.outstanding(PURPOSE, subject(link))
