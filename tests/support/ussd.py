"""Play a phone on USSD: one ``Dialer`` for the menu engine and for the telco callback.

A hop is anything that answers ``(session id, phone, cumulative text)``: the engine's
``handle`` (a ``Reply``) or :func:`at_hop`, which posts Africa's Talking's form to the app
(the ``CON ...``/``END ...`` body).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Generic, Protocol, TypeVar

from flask import Flask
from flask.testing import FlaskClient

KEY = "test-at-callback-key-7f3a"
BASE = f"/telco/africastalking/{KEY}"
# The settings of an app whose Africa's Talking callbacks answer under ``BASE``.
TELCO_SETTINGS: dict[str, object] = {"AT_CALLBACK_KEY": KEY, "HOTLINE": "1900 1234"}

R = TypeVar("R")
_SESSIONS = count(1)


class Engine(Protocol[R]):
    def handle(self, session_id: str, phone: str, text: str) -> R: ...


class Dialer(Generic[R]):
    """Play one session in AT's wire format: each hop re-sends every input so far."""

    def __init__(self, hop: Engine[R] | Callable[[str, str, str], R], phone: str,
                 session_id: str | None = "ATUid_1") -> None:
        self._hop: Callable[[str, str, str], R] = getattr(hop, "handle", hop)  # type: ignore[arg-type]
        self.phone = phone
        self.session_id = session_id or f"ATUid_test_{next(_SESSIONS)}"
        self.inputs: list[str] = []

    def dial(self, prefill: str = "") -> R:
        """Open the session, optionally with a pre-filled dial string like ``*384*12*1#``."""
        self.inputs = prefill.split("*") if prefill else []
        return self._hop(self.session_id, self.phone, "*".join(self.inputs))

    def send(self, *values: str) -> R:
        """Type one or more answers, one hop each, and return the last reply."""
        assert values, "type at least one answer"
        for value in values:
            self.inputs.append(value)
            reply = self._hop(self.session_id, self.phone, "*".join(self.inputs))
        return reply

    def repeat(self) -> R:
        """Send the last hop again, as the telco does when it lost the reply."""
        return self._hop(self.session_id, self.phone, "*".join(self.inputs))


def at_hop(client: FlaskClient) -> Callable[[str, str, str], str]:
    """Return a hop that posts Africa's Talking's USSD form to the app and reads the body."""

    def post(session_id: str, phone: str, text: str) -> str:
        response = client.post(f"{BASE}/ussd", data={
            "sessionId": session_id, "serviceCode": "*384*12#",
            "phoneNumber": phone, "networkCode": "45204", "text": text})
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        return response.get_data(as_text=True)

    return post


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
