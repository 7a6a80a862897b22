"""Menu 5 on USSD (Africa's Talking wire format) and SMS ``XT``: the real app, DB and Redis."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway.channels.models import SmsMessage
from gateway.db import get_db
from tests.support.scenario import add_people, due_cycle
from tests.support.ussd import BASE
from tests.wallets.helpers import AN, link_of, otp_messages, payment_state, received_code

PIN = "4827"


def open_wallet_menu(dial) -> object:  # type: ignore[no-untyped-def]
    """Dial, choose 5 and set up the PIN the first time; return the call at the wallet menu."""
    call = dial(AN)
    call.dial()
    assert call.send("5").startswith("CON Tao ma PIN")
    call.send(PIN)
    wallet = call.send(PIN)
    assert "Chua xac minh\n1 Nhap ma xac minh vi\n2 Doi vi\n3 Nhan ma moi qua SMS" in wallet
    return call


def test_menu_5_offers_a_code_then_verifies_the_wallet_and_frees_the_payment(
        app: Flask, dial, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    [pid] = due_cycle(app, verified=False, names=["an"])
    from gateway.disbursement.engine import Disburser
    from gateway.pii.codec import get_pii

    Disburser(get_db(app), get_pii(app)).send([pid])
    assert payment_state(app, pid)[0] == "held"
    call = open_wallet_menu(dial)
    offer = call.send("1")  # no code waits yet: offer to send one
    assert offer.startswith("CON Chua co ma nao dang cho.") and "1 Gui ma cho toi" in offer
    prompt = call.send("1")
    assert prompt.startswith("CON Da gui ma qua SMS den so cua vi (hieu luc 5 phut)")
    code = received_code(app)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    again = call.send(wrong)
    assert again.startswith("CON Ma khong dung")
    assert call.send(code) == "END Vi da duoc xac minh. Cam on ban."
    assert link_of(app, add_people(app, ["an"])["an"]).verified
    assert payment_state(app, pid) == ("ready", "wallet verified")
    assert code not in caplog.text and wrong not in caplog.text


def test_a_waiting_code_is_asked_for_directly_and_a_verified_wallet_says_so(
        app: Flask, dial) -> None:  # type: ignore[no-untyped-def]
    add_people(app, ["an"])
    call = open_wallet_menu(dial)
    assert call.send("3").startswith("CON Da gui ma qua SMS")  # "get a new code"
    code = received_code(app)
    later = dial(AN)
    assert "1 Tiep tuc\n2 Bat dau lai" in later.dial()  # the dropped session at the prompt
    later.send("2")
    later.send("5")
    later.send(PIN)
    assert later.send("1").startswith("CON Nhap ma 6 so gui qua SMS:")  # a code waits
    assert later.send(code).startswith("END Vi da duoc xac minh")
    done = dial(AN)
    done.dial()
    done.send("5")
    done.send(PIN)
    assert done.send("1") == "END Vi cua ban da duoc xac minh."


def test_asking_again_at_once_is_told_to_wait(app: Flask, dial) -> None:  # type: ignore[no-untyped-def]
    add_people(app, ["an"])
    call = open_wallet_menu(dial)
    call.send("3")
    again = dial(AN)
    again.dial()
    again.send("2")  # start again rather than resume at the code prompt
    again.send("5")
    again.send(PIN)
    assert again.send("3") == "END Ma vua duoc gui. Vui long doi 1 phut roi thu lai."
    assert len(otp_messages(app)) == 1


def sms(client: FlaskClient, text: str, message_id: str) -> str:
    """Send an inbound SMS from An and return the reply queued for him."""
    response = client.post(f"{BASE}/sms/inbound",
                           data={"id": message_id, "from": AN, "text": text, "to": "8088"})
    assert response.status_code == 200
    with get_db().sessionmaker() as s:
        reply = s.scalars(sa.select(SmsMessage).where(SmsMessage.kind == "reply")
                          .order_by(SmsMessage.id.desc())).first()
        assert reply is not None
        return reply.body


def test_sms_xt_asks_for_a_code_and_xt_code_verifies(
        app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    [pid] = due_cycle(app, verified=False, names=["an"])
    from gateway.disbursement.engine import Disburser
    from gateway.pii.codec import get_pii

    Disburser(get_db(app), get_pii(app)).send([pid])
    assert sms(client, "XT", "ATXid_1").startswith("ChiTra: da gui ma qua SMS den so cua vi.")
    code = received_code(app)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert sms(client, f"XT {wrong}", "ATXid_2") == "Ma khong dung"
    assert sms(client, "XT 12", "ATXid_3").startswith("Gui XT kem ma 6 so")
    assert sms(client, f"xt {code}", "ATXid_4") == "Vi da duoc xac minh. Cam on ban."
    assert payment_state(app, pid)[0] == "ready"
    assert sms(client, f"XT {code}", "ATXid_5") == "Vi da duoc xac minh. Cam on ban."
    with get_db(app).sessionmaker() as s:
        bodies = list(s.scalars(sa.select(SmsMessage.body)))
    assert all(code not in b for b in bodies)  # replies never echo it; the OTP body is sealed
    assert code not in caplog.text


def test_sms_xt_code_without_any_sent_code_says_it_expired(app: Flask,
                                                          client: FlaskClient) -> None:
    add_people(app, ["an"])
    assert sms(client, "XT 123456", "ATXid_9").startswith("Ma da het han")
