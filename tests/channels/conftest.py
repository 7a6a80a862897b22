"""Channel fixtures: an app with the Africa's Talking callbacks open, and a USSD dialler."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.telco.africastalking.stub import AtStub
from tests.channels.esms_fixtures import (  # noqa: F401 (fixtures)
    esms_app,
    esms_live,
    esms_sender,
    esms_stub,
)
from tests.conftest import make_app
from tests.payroll.conftest import ledger_stays_sound  # noqa: F401 (autouse)

KEY = "test-at-callback-key-7f3a"
BASE = f"/telco/africastalking/{KEY}"
_SESSIONS = count(1)


@pytest.fixture
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    """Give an app whose Africa's Talking callbacks answer under ``BASE``."""
    with make_app(database_url, redis_url, AT_CALLBACK_KEY=KEY,
                  HOTLINE="1900 1234") as application:
        yield application


@pytest.fixture
def stub() -> Iterator[AtStub]:
    """Give a running Africa's Talking SMS stub on a free local port."""
    server = AtStub(api_key="at-test-key").start()
    yield server
    server.stop()


@dataclass
class Dialler:
    """Play one USSD session in AT's wire format: cumulative ``text``, one POST per hop."""

    client: FlaskClient
    phone: str
    session_id: str = field(default_factory=lambda: f"ATUid_test_{next(_SESSIONS)}")
    inputs: list[str] = field(default_factory=list)

    def dial(self, prefilled: str = "") -> str:
        """Open the session (optionally with a pre-filled dial string) and return the screen."""
        self.inputs = [prefilled] if prefilled else []
        return self._post()

    def send(self, value: str) -> str:
        """Type ``value`` and return the next screen (``CON ...`` or ``END ...``)."""
        self.inputs.append(value)
        return self._post()

    def _post(self) -> str:
        response = self.client.post(f"{BASE}/ussd", data={
            "sessionId": self.session_id, "serviceCode": "*384*12#",
            "phoneNumber": self.phone, "networkCode": "45204", "text": "*".join(self.inputs)})
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        return response.get_data(as_text=True)


def give_pin(app: Flask, phone: str, pin: str) -> str:
    """Let the beneficiary of ``phone`` have chosen ``pin`` on USSD already; return their ref."""
    import sqlalchemy as sa

    from gateway.db import get_db
    from gateway.pii.codec import get_pii
    from gateway.pins.service import choose_pin, repeat_pin
    from gateway.registry.models import Beneficiary
    from ussd_menus.port import PinChange

    with get_db(app).session() as s:
        person = s.scalars(sa.select(Beneficiary).where(
            Beneficiary.phone_bidx == get_pii(app).phone_index(phone))).one()
        assert choose_pin(s, person.id, pin) is PinChange.ACCEPTED
        assert repeat_pin(s, person.id, pin, actor="ussd:beneficiary",
                          subject_ref=person.ref) is PinChange.SAVED
        return person.ref


@pytest.fixture
def dial(client: FlaskClient):  # type: ignore[no-untyped-def]
    """Give a function that starts a USSD session from a phone."""
    def start(phone: str) -> Dialler:
        return Dialler(client, phone)
    return start
