"""Queued SMS through eSMS and its delivery reports back, over real HTTP, Redis and database."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from gateway.channels.models import SmsKind, SmsMessage
from gateway.channels.outbound import stage_sms
from gateway.channels.sms import send_queued
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.telco.base import Template
from gateway.telco.esms.sms import EsmsSender, callback_url
from gateway.telco.esms.stub import EsmsStub
from tests.channels.esms_fixtures import CALLBACK_KEY, settings_for

A, B, C = "+84912345001", "+84912345002", "+84912345003"


def queue(app: Flask, phone: str, body: str = "ChiTra: Da chuyen 1.250.000 d",
          template: Template | None = None) -> int:
    with get_db(app).session() as s:
        message_id = stage_sms(s, get_pii(app), phone, body, SmsKind.REPLY, template=template)
    assert message_id is not None
    return message_id


def rows(app: Flask) -> dict[int, SmsMessage]:
    with get_db(app).sessionmaker() as s:
        return {m.id: m for m in s.scalars(sa.select(SmsMessage))}


def sender_to(stub: EsmsStub, live: str) -> EsmsSender:
    return EsmsSender(settings_for(stub.base_url), callback_url(live, CALLBACK_KEY))


def test_queued_messages_get_per_recipient_outcomes(esms_app: Flask, esms_stub: EsmsStub,
                                                    esms_live: str) -> None:
    ids = [queue(esms_app, p) for p in (A, B, C)]
    esms_stub.state.failures = {"0912345002": "108"}
    report = send_queued(get_db(esms_app), get_pii(esms_app), sender_to(esms_stub, esms_live))
    assert (report.sent, report.failed) == (2, 1)
    got = rows(esms_app)
    assert [got[i].status for i in ids] == ["sent", "failed", "sent"]
    assert got[ids[1]].failure_reason == "108: phone format refused"
    assert {got[i].telco for i in ids} == {"esms"}
    assert got[ids[0]].telco_message_id == got[ids[0]].ref  # the RequestId
    assert [m["RequestId"] for m in esms_stub.state.messages] == [got[ids[0]].ref,
                                                                   got[ids[2]].ref]


def test_a_lost_answer_is_retried_and_sent_once(esms_app: Flask, esms_stub: EsmsStub,
                                                esms_live: str) -> None:
    [message_id] = [queue(esms_app, A)]
    sender = sender_to(esms_stub, esms_live)
    esms_stub.state.faults = ["lost"]
    db, codec = get_db(esms_app), get_pii(esms_app)
    assert send_queued(db, codec, sender).retry == 1
    assert rows(esms_app)[message_id].status == "queued"
    assert send_queued(db, codec, sender).sent == 1  # eSMS answers 124: accepted before
    assert rows(esms_app)[message_id].status == "sent"
    assert len(esms_stub.state.messages) == 1


def test_out_of_balance_keeps_the_batch_queued(esms_app: Flask, esms_stub: EsmsStub,
                                               esms_live: str) -> None:
    ids = [queue(esms_app, p) for p in (A, B)]
    esms_stub.state.faults = ["103"]
    report = send_queued(get_db(esms_app), get_pii(esms_app), sender_to(esms_stub, esms_live))
    assert report.retry == 2
    assert {rows(esms_app)[i].status for i in ids} == {"queued"}


def _deliver(app: Flask, stub: EsmsStub, live: str, phone: str, **report: str) -> str:
    message_id = queue(app, phone)
    assert send_queued(get_db(app), get_pii(app), sender_to(stub, live)).sent == 1
    assert stub.state.deliver(**report) == 1  # an HTTP GET to our CallbackUrl
    return rows(app)[message_id].status


def test_every_documented_send_status_is_applied(esms_app: Flask, esms_stub: EsmsStub,
                                                 esms_live: str) -> None:
    outcomes = {
        "1": _deliver(esms_app, esms_stub, esms_live, A, send_status="1", send_success="0",
                      send_failed="0"),
        "2": _deliver(esms_app, esms_stub, esms_live, A, send_status="2", send_success="0",
                      send_failed="0"),
        "7": _deliver(esms_app, esms_stub, esms_live, A, send_status="7", send_success="0",
                      send_failed="0"),
        "4": _deliver(esms_app, esms_stub, esms_live, A, send_status="4", send_success="0",
                      send_failed="1"),
        "5 ok": _deliver(esms_app, esms_stub, esms_live, A, send_status="5"),
        "5 failed": _deliver(esms_app, esms_stub, esms_live, A, send_status="5",
                             send_success="0", send_failed="1"),
    }
    assert outcomes == {"1": "sent", "2": "sent", "7": "sent", "4": "rejected",
                        "5 ok": "delivered", "5 failed": "failed"}
    failed = [m for m in rows(esms_app).values() if m.status == "failed"]
    assert [m.failure_reason for m in failed] == ["5: not delivered"]


def test_a_pending_report_then_the_final_one(esms_app: Flask, esms_stub: EsmsStub,
                                             esms_live: str) -> None:
    message_id = queue(esms_app, A)
    send_queued(get_db(esms_app), get_pii(esms_app), sender_to(esms_stub, esms_live))
    esms_stub.state.deliver(send_status="7", send_success="0", send_failed="0")
    assert rows(esms_app)[message_id].status == "sent"
    esms_stub.state.reported.clear()  # eSMS reports the same message again, finally
    esms_stub.state.deliver(send_status="5")
    assert rows(esms_app)[message_id].status == "delivered"
    esms_stub.state.reported.clear()  # a late, contrary report keeps the final state
    esms_stub.state.deliver(send_status="5", send_success="0", send_failed="1")
    assert rows(esms_app)[message_id].status == "delivered"


def test_zalo_then_sms_reports_end_delivered(esms_app: Flask, esms_stub: EsmsStub,
                                             esms_live: str) -> None:
    esms_stub.state.zalo_undeliverable = {"0912345001"}
    message_id = queue(esms_app, A, template=Template("succeeded", {"amount": "1.250.000 đ"}))
    send_queued(get_db(esms_app), get_pii(esms_app), sender_to(esms_stub, esms_live))
    assert [m["channel"] for m in esms_stub.state.messages] == ["zalo", "sms"]
    # The failed ZNS report comes first and keeps the message pending; the SMS one ends it.
    assert esms_stub.state.deliver() == 2
    assert rows(esms_app)[message_id].status == "delivered"


def test_zalo_delivered_sends_no_sms(esms_app: Flask, esms_stub: EsmsStub,
                                     esms_live: str) -> None:
    message_id = queue(esms_app, A, template=Template("succeeded", {"amount": "1.250.000 đ"}))
    send_queued(get_db(esms_app), get_pii(esms_app), sender_to(esms_stub, esms_live))
    assert [m["channel"] for m in esms_stub.state.messages] == ["zalo"]
    esms_stub.state.deliver()
    assert rows(esms_app)[message_id].status == "delivered"


def test_reports_that_name_nothing_we_sent_are_acknowledged(esms_app: Flask) -> None:
    client = esms_app.test_client()
    base = f"/telco/esms/{CALLBACK_KEY}/delivery"
    assert client.get(f"{base}?SMSID=nope&SendStatus=5&SendSuccess=1").status_code == 200
    assert client.get(f"{base}?RequestId=&SMSID=&SendStatus=5").status_code == 200
    assert client.get(base).status_code == 200
    assert rows(esms_app) == {}
