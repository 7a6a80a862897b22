"""USSD journeys in Africa's Talking's wire format, through the real app, database and Redis."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway.complaints.models import Complaint
from gateway.db import get_db
from gateway.payroll.models import Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from gateway.registry.models import Beneficiary
from tests.channels.conftest import BASE, KEY
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people

AN = "+84912345678"  # Nguyễn Văn An's own phone (the roster's "0912345678")
CAREGIVER = "+84911000111"
MAIN_VI = "CON 1 Tien duoc huong\n2 Xac nhan da nhan tien\n3 Lich su chi tra"
PIN = "5938"  # An's USSD PIN, chosen at the first protected screen (see test_pin.py)
NEW_PIN_VI = "CON Tao ma PIN 4 so"
PIN_SAVED_VI = "Da luu ma PIN. Dung cho ai biet.\n"


def pay(app: Flask, payment_id: int) -> None:
    """Move a released payment to succeeded, as the disbursement engine would."""
    with get_db(app).session() as s:
        assert transition(s, payment_id, PaymentState.SENDING)
        assert transition(s, payment_id, PaymentState.SUCCEEDED)


def make_caregiver(app: Flask, names_refs: list[str], phone: str = CAREGIVER) -> None:
    """Record ``phone`` as the representative (người nhận thay) of the given beneficiaries."""
    codec = get_pii(app)
    with get_db(app).session() as s:
        for ref in names_refs:
            person = s.scalar(sa.select(Beneficiary).where(Beneficiary.ref == ref))
            person.rep_phone_enc = codec.seal("beneficiary", "rep_phone", ref, phone)
            person.rep_phone_bidx = codec.phone_index(phone)


def test_first_hop_shows_main_menu_in_unaccented_vietnamese(app: Flask, dial) -> None:
    add_people(app, ["an"])
    assert dial(AN).dial().startswith(MAIN_VI)


def test_national_format_phone_is_normalised(app: Flask, dial) -> None:
    add_people(app, ["an"])
    assert dial("0912345678").dial().startswith(MAIN_VI)


def test_entitlement_history_and_wallet_screens_show_this_cycle(app: Flask, dial) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    call = dial(AN)
    call.dial()
    entitlement = call.send("1")
    assert entitlement.startswith("CON Tro cap xa hoi hang thang\nMuc huong: ")
    assert "Ky 11/2026: Da chuyen vao vi" in entitlement
    assert "Ngay chi: 05/11/2026" in entitlement
    assert call.send("00").startswith(MAIN_VI)
    assert call.send("3").startswith(NEW_PIN_VI)
    call.send(PIN)
    assert call.send(PIN).startswith(f"CON {PIN_SAVED_VI}Lich su chi tra:\n11/2026 ")
    assert call.send("0").startswith(MAIN_VI)
    wallet = call.send("5")
    assert wallet.startswith("CON Vi: Sandbox 09******78\nDa xac minh")
    assert "912345678" not in wallet


def test_confirming_receipt_marks_the_payment_confirmed_once(app: Flask, dial) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    call = dial(AN)
    call.dial()
    assert call.send("2").startswith(NEW_PIN_VI)
    call.send(PIN)
    assert "Ban da nhan du tien chua?" in call.send(PIN)
    assert call.send("1") == "END Cam on ban. Da ghi nhan ban da nhan tien."
    with get_db(app).sessionmaker() as s:
        payment = s.get(Payment, ids[0])
        assert payment.state == PaymentState.CONFIRMED.value
        assert payment.confirmed_at is not None
    again = dial(AN)
    again.dial()
    assert again.send("2").startswith("CON Nhap ma PIN 4 so:")
    again.send(PIN)
    assert again.send("1") == "END Khoan chi nay da duoc xac nhan truoc do. Cam on ban."


def test_nothing_to_confirm_before_any_payment_arrives(app: Flask, dial) -> None:
    release_cycle(app, names=["an"])
    call = dial(AN)
    call.dial()
    assert call.send("2").startswith("END Chua co khoan chi nao da chuyen")


def test_complaint_by_ussd_is_filed_and_its_ticket_queued_by_sms(app: Flask, dial) -> None:
    from gateway.channels.models import SmsMessage
    from gateway.complaints.filing import get_complaint

    ids = release_cycle(app, names=["an"])
    call = dial(AN)
    call.dial()
    assert call.send("4").startswith("CON Ban gap van de gi?")
    end = call.send("1")
    assert end.startswith("END Da ghi nhan khieu nai, ma so KN-")
    ticket = end.split("ma so ")[1].split(".")[0]
    with get_db(app).sessionmaker() as s:
        complaint = get_complaint(s, ticket)
        assert (complaint.kind, complaint.channel) == ("not_received", "ussd")
        assert complaint.payment_id == ids[0]
        sms = s.scalars(sa.select(SmsMessage)).one()
        assert (sms.kind, sms.status) == ("ticket", "queued")
        assert ticket in sms.body
        assert s.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1


def test_retried_last_hop_does_not_file_a_second_complaint(app: Flask, dial) -> None:
    release_cycle(app, names=["an"])
    call = dial(AN)
    call.dial()
    call.send("4")
    first = call.send("1")
    assert call._post() == first  # AT repeats the same hop
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1


def test_accented_vietnamese_is_chosen_and_remembered_for_the_phone(app: Flask, dial,
                                                                     redis_client) -> None:
    add_people(app, ["an"])
    call = dial(AN)
    call.dial()
    assert call.send("6").startswith("CON Chon ngon ngu:")
    menu = call.send("2")
    assert menu.startswith("CON 1 Tiền hưởng")
    assert len(menu) <= 80
    later = dial(AN).dial()
    assert later.startswith("CON 1 Tiền hưởng")
    # The language is kept under the phone's blind index, never the number.
    keys = [k.decode() for k in redis_client.keys("*")]
    assert not any("912345678" in k for k in keys)
    assert f"chitra:lang:{get_pii(app).phone_index(AN)}" in keys


def test_english_menus(app: Flask, dial) -> None:
    release_cycle(app, names=["an"])
    call = dial(AN)
    call.dial()
    call.send("6")
    assert call.send("3").startswith("CON 1 My entitlement\n2 Confirm money received")
    entitlement = call.send("1")
    assert entitlement.startswith("CON Monthly social assistance\nAmount: ")
    assert "VND/month" in entitlement
    assert entitlement.endswith("0 Back\n00 Main menu")


def test_caregiver_picks_among_the_people_they_receive_for(app: Flask, dial) -> None:
    refs = add_people(app, ["an", "binh"])
    make_caregiver(app, [refs["an"], refs["binh"]])
    call = dial(CAREGIVER)
    pick = call.dial()
    assert pick.startswith("CON Chon nguoi huong:\n1 N***** V** A*\n2 T*** T** B***")
    assert "Nguyen" not in pick
    assert call.send("2").startswith(MAIN_VI)
    assert call.send("1").startswith("CON Tro cap xa hoi hang thang")


def test_unknown_phone_ends_with_the_hotline_and_learns_nothing(app: Flask, dial) -> None:
    add_people(app, ["an"])
    screen = dial("+84988000111").dial()
    assert screen == ("END So dien thoai nay chua dang ky nhan tro cap. De dang ky, mang CCCD "
                      "den UBND xa/phuong hoac goi 1900 1234.")
    assert dial("+84988000111").dial("1") == screen


def test_back_home_and_invalid_choices(app: Flask, dial) -> None:
    add_people(app, ["an"])
    call = dial(AN)
    call.dial()
    assert call.send("4").startswith("CON Ban gap van de gi?")
    assert call.send("0").startswith(MAIN_VI)
    call.send("6")
    assert call.send("00").startswith(MAIN_VI)
    assert "Lua chon khong hop le" in call.send("9")


def test_more_pages_through_a_long_caregiver_list(app: Flask, dial, redis_client) -> None:
    from gateway.channels.language import PhoneLanguage

    refs = add_people(app)  # seven people; the deceased one is not offered
    make_caregiver(app, list(refs.values()))
    # Accented Vietnamese allows 80 characters a screen: six names need two pages.
    redis_client.set(PhoneLanguage(get_pii(app), redis_client).key(CAREGIVER), "vi_accented")
    call = dial(CAREGIVER)
    first = call.dial()
    assert first.startswith("CON Chọn người hưởng:\n1 ")
    assert "98 " in first and len(first) <= 80
    second = call.send("98")
    assert second.startswith("CON ") and second != first and len(second) <= 80
    shown = first + second
    assert all(f"{n} " in shown for n in range(1, 7)) and "\n7 " not in shown
    assert call.send("0") == first
    assert call.send("6").startswith("CON 1 Tiền hưởng")


@pytest.mark.parametrize("form", [
    {},
    {"sessionId": "s1"},
    {"sessionId": "s1", "phoneNumber": "not a phone", "text": ""},
    {"sessionId": "s1", "phoneNumber": "+1 202 555 0100", "text": "1"},
    {"sessionId": "x" * 500, "phoneNumber": AN, "text": ""},
    {"sessionId": "s1", "phoneNumber": AN, "text": "1*" * 400},
    {"sessionId": "s1", "phoneNumber": AN, "text": "\x00\x01"},
])
def test_garbage_gets_a_short_valid_end(app: Flask, client: FlaskClient, form) -> None:
    add_people(app, ["an"])
    response = client.post(f"{BASE}/ussd", data=form)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(("END ", "CON ")) and len(body) <= 182


@pytest.mark.parametrize("key", ["wrong", KEY + "x", KEY[:-1]])
def test_wrong_callback_key_is_not_found(client: FlaskClient, key: str) -> None:
    for path in ("ussd", "ussd/events", "sms/inbound", "sms/delivery"):
        response = client.post(f"/telco/africastalking/{key}/{path}",
                               data={"sessionId": "s", "phoneNumber": AN, "text": ""})
        assert response.status_code == 404


def test_callbacks_are_closed_without_a_configured_key(database_url: str,
                                                       redis_url: str) -> None:
    from gateway import create_app
    from tests.conftest import app_config

    closed = create_app(app_config(database_url, redis_url)).test_client()
    assert closed.post("/telco/africastalking/None/ussd").status_code == 404
    assert closed.post("/telco/africastalking//ussd").status_code in (404, 405)


def test_too_many_hops_get_a_polite_end(app: Flask, dial) -> None:
    add_people(app, ["an"])
    app.config["USSD_HOPS_PER_MINUTE"] = 3
    call = dial(AN)
    call.dial()
    call.send("1")
    call.send("0")
    assert call.send("1") == "END Ban thao tac qua nhanh. Vui long thu lai sau 1 phut."


def test_session_end_event_is_acknowledged(client: FlaskClient) -> None:
    response = client.post(f"{BASE}/ussd/events", data={
        "sessionId": "s1", "serviceCode": "*384*12#", "networkCode": "45204",
        "phoneNumber": AN, "status": "Success", "cost": "0", "durationInMillis": "3000",
        "hopsCount": "3", "input": "1*0", "lastAppResponse": "END", "errorMessage": ""})
    assert response.status_code == 200


def test_callback_key_never_reaches_the_logs(app: Flask, dial, caplog) -> None:
    from gateway.telco import HideCallbackKey as _HideCallbackKey

    add_people(app, ["an"])
    with caplog.at_level(logging.DEBUG):
        dial(AN).dial()
        record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                                   '127.0.0.1 - - "%s %s HTTP/1.1" 200 -',
                                   ("POST", f"{BASE}/ussd"), None)
        _HideCallbackKey().filter(record)
    assert KEY not in record.getMessage()
    assert "/telco/africastalking/***/ussd" in record.getMessage()
    assert all(KEY not in r.getMessage() and "912345678" not in r.getMessage()
               for r in caplog.records)
    # gunicorn's access log formats with a dict of atoms; the filter sits on its logger too.
    gunicorn = logging.getLogger("gunicorn.access")
    assert any(isinstance(f, _HideCallbackKey) for f in gunicorn.filters)
    line = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s',
                             ({"h": "10.0.0.1", "r": f"POST {BASE}/sms/inbound HTTP/1.1",
                               "s": "200"},), None)
    for log_filter in gunicorn.filters:
        log_filter.filter(line)
    assert line.getMessage() == '10.0.0.1 "POST /telco/africastalking/***/sms/inbound HTTP/1.1" 200'
