"""Outbound SMS over real HTTP to the Africa's Talking stub, inbound SMS, delivery reports."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from gateway.channels.models import InboundSms, SmsKind, SmsMessage
from gateway.channels.notices import NoticeSettings, not_before, notice_text, stage_notices
from gateway.channels.outbound import stage_sms
from gateway.channels.sms import send_queued
from gateway.complaints.models import Complaint
from gateway.db import get_db
from gateway.outbox import OutboxEvent
from gateway.payroll.models import Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from gateway.telco.africastalking.sms import AtSmsSender
from gateway.telco.africastalking.stub import AtStub
from tests.channels.conftest import BASE, give_pin
from tests.channels.test_ussd import AN, pay
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people
from ussd_menus import catalogs

BINH = "+84987654321"
DAY = datetime(2026, 11, 27, 3, 0)  # 10:00 in Huế
NIGHT = datetime(2026, 11, 27, 16, 0)  # 23:00 in Huế


@pytest.fixture
def api(stub: AtStub) -> AtSmsSender:
    """Give the AT SMS sender (the SDK's SMS service inside) pointed at the stub."""
    return AtSmsSender("chitra", "at-test-key", stub.url)


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """Serve the app over real HTTP (for the stub's delivery reports); give its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def queue(app: Flask, phone: str, body: str, **kwargs: object) -> int:
    """Queue one message and return its id."""
    with get_db(app).session() as s:
        return stage_sms(s, get_pii(app), phone, body, SmsKind.REPLY, **kwargs)  # type: ignore[arg-type]


def messages(app: Flask) -> dict[int, SmsMessage]:
    """Return every outbound message by id."""
    with get_db(app).sessionmaker() as s:
        return {m.id: m for m in s.scalars(sa.select(SmsMessage))}


def test_the_sdk_talks_to_the_configured_host(stub: AtStub, api: AtSmsSender) -> None:
    answer = api.service.send("Xin chao", [AN])
    assert answer["SMSMessageData"]["Recipients"][0]["statusCode"] == 101
    assert requests.get(f"{stub.url}/_stub/messages", timeout=5).json()[0]["to"] == AN


def test_same_text_to_many_phones_goes_in_one_call(app: Flask, stub: AtStub,
                                                   api: AtSmsSender) -> None:
    ids = [queue(app, phone, "Thong bao chung") for phone in (AN, BINH, "+84345678901")]
    ids.append(queue(app, AN, "Tin rieng"))
    report = send_queued(get_db(app), get_pii(app), api, now=DAY)
    assert (report.sent, report.failed, report.calls) == (4, 0, 2)
    rows = messages(app)
    assert all(rows[i].status == "sent" and rows[i].telco_message_id for i in ids)
    assert sorted(m["to"] for m in stub.state.messages if m["message"] == "Thong bao chung") == [
        "+84345678901", AN, BINH]


def test_per_recipient_failures_keep_their_reason(app: Flask, stub: AtStub,
                                                  api: AtSmsSender) -> None:
    stub.state.failures = {BINH: (403, "InvalidPhoneNumber"), "+84345678901": (406,
                                                                               "UserInBlacklist")}
    ok, bad, black = (queue(app, p, "Tin") for p in (AN, BINH, "+84345678901"))
    report = send_queued(get_db(app), get_pii(app), api, now=DAY)
    assert (report.sent, report.failed) == (1, 2)
    rows = messages(app)
    assert rows[ok].status == "sent"
    assert (rows[bad].status, rows[bad].failure_reason) == ("failed", "InvalidPhoneNumber")
    assert (rows[black].status, rows[black].failure_reason) == ("failed", "UserInBlacklist")
    # Failed messages are final: a second pass sends nothing again.
    assert send_queued(get_db(app), get_pii(app), api, now=DAY).calls == 0


def test_an_api_refusal_keeps_messages_queued_for_a_retry(app: Flask, stub: AtStub) -> None:
    wrong_key = AtSmsSender("chitra", "not-the-key", stub.url)
    sms_id = queue(app, AN, "Tin")
    report = send_queued(get_db(app), get_pii(app), wrong_key, now=DAY)
    assert (report.sent, report.retry) == (0, 1)
    row = messages(app)[sms_id]
    assert (row.status, row.attempts) == ("queued", 1)


def test_delivery_reports_update_each_message(app: Flask, client: FlaskClient, stub: AtStub,
                                              api: AtSmsSender, served: str) -> None:
    first = queue(app, AN, "Tin mot")
    second = queue(app, BINH, "Tin hai")
    send_queued(get_db(app), get_pii(app), api, now=DAY)
    callback = f"{served}{BASE}/sms/delivery"
    reported = requests.post(f"{stub.url}/_stub/deliver", timeout=10,
                             json={"callback": callback, "status": "Success"}).json()
    assert reported == {"reported": 2}
    rows = messages(app)
    assert rows[first].status == rows[second].status == "delivered"
    third = queue(app, AN, "Tin ba")
    send_queued(get_db(app), get_pii(app), api, now=DAY)
    requests.post(f"{stub.url}/_stub/deliver", timeout=10, json={
        "callback": callback, "status": "Failed", "failureReason": "UserIsInactive"})
    row = messages(app)[third]
    assert (row.status, row.failure_reason) == ("failed", "UserIsInactive")


def test_unknown_or_late_delivery_reports_are_acknowledged(app: Flask,
                                                           client: FlaskClient) -> None:
    assert client.post(f"{BASE}/sms/delivery", data={"id": "ATXid_nope",
                                                     "status": "Success"}).status_code == 200
    assert client.post(f"{BASE}/sms/delivery", data={}).status_code == 200


def inbound(client: FlaskClient, text: str, message_id: str, phone: str = AN) -> None:
    """Deliver one inbound SMS the way AT posts it."""
    response = client.post(f"{BASE}/sms/inbound", data={
        "date": "2026-11-27 10:00:00", "from": phone, "id": message_id, "linkId": "L1",
        "text": text, "to": "8088", "networkCode": "45204"})
    assert response.status_code == 200


def replies(app: Flask) -> list[str]:
    """Return the bodies of queued replies, oldest first."""
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(SmsMessage.body).where(SmsMessage.kind == "reply")
                              .order_by(SmsMessage.id)))


def test_sms_confirmation_marks_the_payment_confirmed(app: Flask, client: FlaskClient) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    inbound(client, "xn", "ATX-in-0")  # no PIN chosen yet: that happens on USSD only
    give_pin(app, AN, "5938")
    inbound(client, "xn", "ATX-in-1")
    inbound(client, "XN 5938", "ATX-in-2")
    assert replies(app) == [
        catalogs.text("vi", "sms.pin_not_set"), catalogs.text("vi", "sms.xn_pin"),
        "Cam on ban. Da ghi nhan ban da nhan tien."]
    with get_db(app).sessionmaker() as s:
        assert s.get(Payment, ids[0]).state == PaymentState.CONFIRMED.value


def test_sms_complaint_is_filed_once_even_if_at_redelivers(app: Flask,
                                                           client: FlaskClient) -> None:
    release_cycle(app, names=["an"])
    inbound(client, "KN chua nhan tien thang 11", "ATX-in-2")
    inbound(client, "KN chua nhan tien thang 11", "ATX-in-2")
    with get_db(app).sessionmaker() as s:
        complaint = s.scalars(sa.select(Complaint)).one()
        assert complaint.channel == "sms"
        assert s.scalar(sa.select(sa.func.count()).select_from(InboundSms)) == 1
    [reply] = replies(app)
    assert complaint.ticket in reply


def test_sms_from_an_unknown_phone_gets_the_registration_help(app: Flask,
                                                              client: FlaskClient) -> None:
    add_people(app, ["an"])
    inbound(client, "TC", "ATX-in-3", phone="+84988000111")
    assert replies(app)[0].startswith("So dien thoai nay chua dang ky")


def test_too_many_sms_get_one_polite_refusal(app: Flask, client: FlaskClient) -> None:
    add_people(app, ["an"])
    app.config["SMS_INBOUND_PER_HOUR"] = 2
    for n in range(5):
        inbound(client, "TC", f"ATX-rate-{n}")
    bodies = replies(app)
    assert len(bodies) == 3
    assert bodies[-1] == "ChiTra: ban da gui qua nhieu tin trong 1 gio. Vui long thu lai sau."


def test_garbage_inbound_sms_never_fails(app: Flask, client: FlaskClient) -> None:
    for form in ({}, {"from": "garbage", "id": "x"}, {"from": AN, "id": "y" * 300}):
        assert client.post(f"{BASE}/sms/inbound", data=form).status_code == 200
    assert replies(app) == []


def test_payment_notices_are_unaccented_and_tell_what_to_do(app: Flask) -> None:
    settings = NoticeSettings(hotline="1900 1234")
    paid = notice_text("succeeded", 1_250_000, "11/2026", "09******78", settings)
    assert paid == ("ChiTra: Da chuyen 1.250.000 d tro cap thang 11/2026 vao vi 09******78. "
                    "Soan XN gui 8088 hoac bam *384*12# de xac nhan da nhan.")
    for state in ("succeeded", "failed", "held"):
        text = notice_text(state, 1_250_000, "11/2026", "09******78", settings)
        assert text.isascii() and len(text) <= 160
        en = notice_text(state, 1_250_000, "11/2026", "09******78", settings, "en")
        assert en.isascii() and len(en) <= 160
    assert "1900 1234" in notice_text("held", 750_000, "11/2026", "09******78", settings)


def test_notices_wait_for_daytime_in_hue() -> None:
    assert not_before(DAY) is None
    assert not_before(NIGHT) == datetime(2026, 11, 28, 0, 0)  # 07:00 next morning in Huế
    assert not_before(datetime(2026, 11, 27, 22, 30)) == datetime(2026, 11, 28, 0, 0)


def test_payment_events_become_one_notice_each_sent_only_in_daytime(
        app: Flask, stub: AtStub, api: AtSmsSender) -> None:
    ids = release_cycle(app, names=["an", "binh"], verified=True)
    pay(app, ids[0])
    with get_db(app).session() as s:
        transition(s, ids[1], PaymentState.HELD)
    db, codec = get_db(app), get_pii(app)
    assert stage_notices(db, codec, NoticeSettings(), now=NIGHT) == 2
    assert stage_notices(db, codec, NoticeSettings(), now=NIGHT) == 0  # events consumed
    assert send_queued(db, codec, api, now=NIGHT).calls == 0  # asleep until 07:00
    report = send_queued(db, codec, api, now=datetime(2026, 11, 28, 0, 1))
    assert report.sent == 2
    sent = {m["to"]: m["message"] for m in stub.state.messages}
    assert sent[AN].startswith("ChiTra: Da chuyen ")
    assert "vao vi 09******78" in sent[AN]
    assert "tam giu" in sent[BINH]
    with db.sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(OutboxEvent).where(
            OutboxEvent.dispatched_at.is_(None), OutboxEvent.topic.in_(
                ["notice.payment", "sms.outbound"]))) == 0


def test_a_notice_overtaken_by_events_is_not_sent(app: Flask) -> None:
    ids = release_cycle(app, names=["an"])
    with get_db(app).session() as s:
        transition(s, ids[0], PaymentState.HELD)
        transition(s, ids[0], PaymentState.SENDING)
    assert stage_notices(get_db(app), get_pii(app), NoticeSettings(), now=DAY) == 0


def test_a_late_sender_keeps_notices_for_the_morning_but_answers_replies(
        app: Flask, stub: AtStub, api: AtSmsSender) -> None:
    with get_db(app).session() as s:
        stage_sms(s, get_pii(app), AN, "Thong bao", SmsKind.NOTICE)  # staged in daytime
    reply = queue(app, BINH, "Tra loi")
    report = send_queued(get_db(app), get_pii(app), api, now=NIGHT)
    assert report.sent == 1
    assert [m["to"] for m in stub.state.messages] == [BINH]
    assert messages(app)[reply].status == "sent"
    assert send_queued(get_db(app), get_pii(app), api, now=DAY).sent == 1


def test_ussd_simulator_plays_a_session_over_http(app: Flask, served: str, runner) -> None:
    add_people(app, ["an"])
    result = runner.invoke("ussd-sim", "--phone", "0912345678", "--url", served,
                           input="1\n00\n")
    assert result.exit_code == 0, result.output
    assert "1 Tien duoc huong" in result.output
    assert "Tro cap xa hoi hang thang" in result.output
    assert "hung up" in result.output
