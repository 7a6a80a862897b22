"""Wallet fixtures: an app with the telco callbacks open, a CAMARA SIM-swap stub, helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.channels.models import SmsKind, SmsMessage
from gateway.db import get_db
from gateway.payroll.models import Payment
from gateway.pii.codec import get_pii
from gateway.registry.models import Beneficiary, WalletLink
from tests.channels.conftest import KEY, dial  # noqa: F401 (fixture)
from tests.conftest import make_app
from tests.disbursement.conftest import make_disburser, sandbox_book  # noqa: F401 (fixtures)
from tests.payroll.conftest import ledger_stays_sound  # noqa: F401 (autouse)
from tests.wallets.camara_stub import CamaraStub

AN = "+84912345678"  # Nguyễn Văn An: his roster phone is also his wallet phone
NEW_PHONE = "+84935551234"


@pytest.fixture
def camara() -> Iterator[CamaraStub]:
    """Give a running CAMARA SimSwap stub."""
    stub = CamaraStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Extra settings of the test app (tests override this fixture to add some)."""
    return {}


@pytest.fixture
def app(database_url: str, redis_url: str, app_settings: dict[str, object]) -> Iterator[Flask]:
    """Give an app on empty tables with the telco callbacks open under the test key."""
    with make_app(database_url, redis_url, AT_CALLBACK_KEY=KEY, HOTLINE="1900 1234",
                  **app_settings) as application:
        yield application


def link_of(app: Flask, beneficiary_ref: str) -> WalletLink:
    """Return the beneficiary's wallet link as stored now."""
    with get_db(app).sessionmaker() as s:
        link = s.scalar(sa.select(WalletLink).join(Beneficiary)
                        .where(Beneficiary.ref == beneficiary_ref))
        assert link is not None
        s.expunge(link)
        return link


def otp_messages(app: Flask) -> list[SmsMessage]:
    """Return the one-time code SMS rows, oldest first."""
    with get_db(app).sessionmaker() as s:
        rows = list(s.scalars(sa.select(SmsMessage).where(SmsMessage.kind == SmsKind.OTP.value)
                              .order_by(SmsMessage.id)))
        for row in rows:
            s.expunge(row)
        return rows


def received_code(app: Flask, message: SmsMessage | None = None) -> str:
    """Read the code as the wallet phone would: from the (sealed) queued SMS."""
    message = message or otp_messages(app)[-1]
    text = get_pii(app).open("sms_message", "body", message.ref, message.body)
    found = re.search(r"\b(\d{6})\b", text)
    assert found, "no code in the message"
    return found.group(1)


def payment_state(app: Flask, payment_id: int) -> tuple[str, str | None]:
    """Return a payment's state and reason."""
    with get_db(app).sessionmaker() as s:
        p = s.get(Payment, payment_id)
        assert p is not None
        return p.state, p.state_reason
