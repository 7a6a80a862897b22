"""Short-code SMS (MO) from eSMS: signed GETs, the SMS keywords, replies in eSMS's XML.

Over real HTTP (the stub signs and sends each MO as eSMS does) to a served app, with real
Redis and database; the keywords must answer exactly as they do on Africa's Talking.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.channels.models import InboundSms, SmsMessage
from gateway.clock import utcnow
from gateway.complaints.models import Complaint
from gateway.db import get_db
from gateway.payroll.models import Payment, PaymentState
from gateway.telco.esms.stub import EsmsStub
from tests.channels import test_inbound
from tests.channels.esms_fixtures import CALLBACK_KEY, esms_app_settings, serving, settings_for
from tests.channels.test_inbound import PrivateRedis, database_down
from tests.channels.test_sms import inbound as at_inbound
from tests.channels.test_sms import replies
from tests.channels.test_ussd import AN, pay
from tests.support.app import make_app
from tests.support.scenario import due_cycle
from tests.support.ussd import KEY, give_pin
from ussd_menus import catalogs
from workers.notify import notify_once

AN_84 = AN.removeprefix("+")  # eSMS writes the sender as 84xxxxxxxxx
COMPLAINT = "KN chua nhan tien thang 11"


def mo(stub: EsmsStub, live: str, content: str, smsid: str, sender: str = AN_84
       ) -> tuple[int, str | None, ET.Element | None]:
    """Send one signed MO; return our status, the reply message and the parsed answer."""
    status, body = stub.state.mo(f"{live}/telco/esms/{CALLBACK_KEY}/mo", sender, content,
                                 smsid=smsid)
    if status != 200:
        return status, None, None
    answer = ET.fromstring(body)
    return status, answer.findtext("Message"), answer


def complaints(app: Flask) -> list[Complaint]:
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(Complaint)))


def outbound(app: Flask) -> list[SmsMessage]:
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(SmsMessage).order_by(SmsMessage.id)))


def test_the_reply_comes_back_in_the_xml_answer(esms_app: Flask, esms_stub: EsmsStub,
                                                esms_live: str) -> None:
    due_cycle(esms_app, names=["an"])
    status, message, answer = mo(esms_stub, esms_live, "TC", "mo-tc-1")
    assert status == 200 and answer is not None
    assert answer.tag == "ClientResponse"
    assert (answer.findtext("Smsid"), answer.findtext("Receiver")) == ("mo-tc-1", AN_84)
    assert message and "500.000 d/thang" in message  # the TC (tra cuu) answer
    assert outbound(esms_app) == []  # the answer carries the reply: no SMS queued as well
    with get_db(esms_app).sessionmaker() as s:
        [row] = s.scalars(sa.select(InboundSms))
        assert (row.telco, row.telco_message_id) == ("esms", "mo-tc-1")
        assert row.answered_at is not None


@pytest.fixture
def both(database_url: str, redis_url: str) -> Iterator[tuple[Flask, str]]:
    """Give an app taking SMS from both eSMS and Africa's Talking, and its URL."""
    with make_app(database_url, redis_url, **esms_app_settings(AT_CALLBACK_KEY=KEY)) as app:
        with serving(app) as url:
            yield app, url


def test_keywords_answer_as_they_do_on_africas_talking(both: tuple[Flask, str],
                                                       esms_stub: EsmsStub) -> None:
    app, url = both
    ids = due_cycle(app, names=["an"])
    pay(app, ids[0])
    give_pin(app, AN, "5938")
    client = app.test_client()
    for n, text in enumerate(["TC", "HD", "XN", "XT", "hello"]):
        _, by_esms, _ = mo(esms_stub, url, text, f"mo-kw-{n}")
        at_inbound(client, text, f"ATX-kw-{n}")
        assert by_esms and by_esms == replies(app)[-1], text


def test_xn_with_the_pin_confirms_the_payment(esms_app: Flask, esms_stub: EsmsStub,
                                              esms_live: str) -> None:
    ids = due_cycle(esms_app, names=["an"])
    pay(esms_app, ids[0])
    give_pin(esms_app, AN, "5938")
    _, message, _ = mo(esms_stub, esms_live, "XN 5938", "mo-xn-1")
    assert message == "Cam on ban. Da ghi nhan ban da nhan tien."
    with get_db(esms_app).sessionmaker() as s:
        assert s.get(Payment, ids[0]).state == PaymentState.CONFIRMED.value


def test_a_complaint_is_filed_once_however_often_esms_delivers_it(
        esms_app: Flask, esms_stub: EsmsStub, esms_live: str) -> None:
    due_cycle(esms_app, names=["an"])
    _, first, _ = mo(esms_stub, esms_live, COMPLAINT, "mo-kn-1")
    status, again, answer = mo(esms_stub, esms_live, COMPLAINT, "mo-kn-1")
    [complaint] = complaints(esms_app)
    assert complaint.channel == "sms" and first and complaint.ticket in first
    assert status == 200 and answer is not None and again in ("", None)  # answered already
    with get_db(esms_app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(InboundSms)) == 1


def test_an_unknown_phone_gets_the_registration_help(esms_app: Flask, esms_stub: EsmsStub,
                                                     esms_live: str) -> None:
    due_cycle(esms_app, names=["an"])
    _, message, _ = mo(esms_stub, esms_live, "TC", "mo-unknown", sender="84988000111")
    assert message and message.startswith("So dien thoai nay chua dang ky")


def test_a_sender_that_is_no_vietnamese_mobile_gets_no_reply(
        esms_app: Flask, esms_stub: EsmsStub, esms_live: str) -> None:
    status, message, _ = mo(esms_stub, esms_live, "TC", "mo-foreign", sender="14155550100")
    assert status == 200 and not message
    with get_db(esms_app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(InboundSms)) == 0


private_redis = test_inbound.private_redis  # a redis-server the test stops and starts


@pytest.fixture
def outage_app(database_url: str, private_redis: PrivateRedis,
               esms_stub: EsmsStub) -> Iterator[tuple[Flask, str]]:
    """Give an app on the private Redis that sends through the eSMS stub, and its URL."""
    settings = settings_for(esms_stub.base_url)
    with make_app(database_url, private_redis.url, **esms_app_settings(
            SMS_TELCO="esms", ESMS_API_KEY=settings.api_key,
            ESMS_SECRET_KEY=settings.secret_key, ESMS_BRANDNAME=settings.brandname,
            ESMS_BASE_URL=esms_stub.base_url, NOTICE_HOURS="0-24")) as app:
        with serving(app) as url:
            app.config["PUBLIC_URL"] = url
            yield app, url


def test_a_complaint_sent_while_redis_is_down_is_filed_once_it_is_back(
        outage_app: tuple[Flask, str], esms_stub: EsmsStub,
        private_redis: PrivateRedis) -> None:
    from gateway import telco

    app, url = outage_app
    due_cycle(app, names=["an"])
    private_redis.stop()
    status, message, _ = mo(esms_stub, url, COMPLAINT, "mo-down-1")
    assert status == 200 and not message  # kept: its reply will go by SMS
    assert mo(esms_stub, url, COMPLAINT, "mo-down-1")[0] == 200  # redelivered: one row
    assert complaints(app) == []
    with get_db(app).session() as s:
        s.execute(sa.update(InboundSms).values(received_at=utcnow() - timedelta(minutes=5)))
    private_redis.start()
    sender = telco.sender(app)
    assert sender is not None and sender.name == "esms"
    notify_once(app, sender)  # the worker pool's SMS pass: answer, then send through eSMS
    [complaint] = complaints(app)
    [reply] = outbound(app)
    assert complaint.ticket in reply.body and reply.status == "sent" and reply.telco == "esms"
    [sent] = esms_stub.state.messages
    assert sent["Phone"] == "0912345678" and complaint.ticket in sent["Content"]
    # eSMS delivering it again, and more passes, file and send nothing twice.
    assert mo(esms_stub, url, COMPLAINT, "mo-down-1")[1] in ("", None)
    notify_once(app, sender)
    assert len(complaints(app)) == 1 and len(outbound(app)) == 1
    assert len(esms_stub.state.messages) == 1


def test_an_mo_that_cannot_be_stored_still_gets_a_short_answer(
        esms_app: Flask, esms_stub: EsmsStub, esms_live: str) -> None:
    due_cycle(esms_app, names=["an"])
    with database_down(esms_app):
        status, message, _ = mo(esms_stub, esms_live, COMPLAINT, "mo-db-1")
    assert status == 200 and message == catalogs.text("vi", "error.system")
    assert complaints(esms_app) == []
