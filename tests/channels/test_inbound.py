"""Inbound SMS are never lost: Redis or the database down, then back, files each once."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway.channels.inbound import inbox
from gateway.channels.models import InboundSms, SmsMessage
from gateway.clock import utcnow
from gateway.complaints.models import Complaint
from gateway.db import Database, get_db
from gateway.pii.codec import get_pii
from tests.channels.conftest import BASE, KEY
from tests.channels.test_sms import replies
from tests.channels.test_ussd import AN
from tests.conftest import make_app
from tests.disbursement.conftest import release_cycle
from workers.notify import notify_once

COMPLAINT = "KN chua nhan tien thang 11"
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs redis-server to stop and start a private Redis")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own, which the test stops and starts again."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(database_url: str, private_redis: PrivateRedis) -> Iterator[Flask]:
    """Give an app whose Redis is the test's own server."""
    with make_app(database_url, private_redis.url, AT_CALLBACK_KEY=KEY,
                  HOTLINE="1900 1234") as application:
        yield application


@contextmanager
def database_down(app: Flask) -> Iterator[None]:
    """Point the app's database at a server that is not there, then back (no mock: the driver
    really fails to connect)."""
    db = get_db(app)
    url = sa.engine.make_url(db.url)
    dead = (f"sqlite:////nonexistent-chitra-{_free_port()}/gone.db"
            if url.get_backend_name() == "sqlite"
            else url.set(host="127.0.0.1", port=_free_port()).render_as_string(
                hide_password=False))
    saved = db.engine, db.sessionmaker, db._reads
    down = Database(dead)
    db.engine, db.sessionmaker, db._reads = down.engine, down.sessionmaker, down.reads
    try:
        yield
    finally:
        db.engine, db.sessionmaker, db._reads = saved
        down.dispose()


def post_inbound(client: FlaskClient, message_id: str, text: str = COMPLAINT) -> int:
    """Deliver one inbound SMS the way AT posts it; return the HTTP status."""
    return client.post(f"{BASE}/sms/inbound", data={
        "date": "2026-11-27 10:00:00", "from": AN, "id": message_id, "linkId": "L1",
        "text": text, "to": "8088", "networkCode": "45204"}).status_code


def complaints(app: Flask) -> list[Complaint]:
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(Complaint)))


def inbound_rows(app: Flask) -> list[InboundSms]:
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(InboundSms)))


def later(app: Flask) -> None:
    """Let the stored messages age past the retry delay (as the clock would)."""
    with get_db(app).session() as s:
        s.execute(sa.update(InboundSms).values(received_at=utcnow() - timedelta(minutes=5)))


def test_a_complaint_sent_while_redis_is_down_is_filed_once_it_is_back(
        app: Flask, client: FlaskClient, private_redis: PrivateRedis) -> None:
    release_cycle(app, names=["an"])
    private_redis.stop()
    assert post_inbound(client, "ATX-down-1") == 200  # kept: AT must not resend it
    assert post_inbound(client, "ATX-down-1") == 200  # AT's retry: still one row
    [row] = inbound_rows(app)
    assert row.answered_at is None and complaints(app) == [] and replies(app) == []
    # Its text is kept sealed, never in the clear.
    assert "chua nhan" not in (row.text_enc or "") and AN not in (row.phone_enc or "")
    assert get_pii(app).open("sms_inbound", "text", row.ref, row.text_enc) == COMPLAINT
    later(app)
    assert inbox(app).retry_unanswered() == 0  # Redis still down: kept for the next pass
    private_redis.start()
    notify_once(app, None)  # the worker pool's SMS pass
    [complaint] = complaints(app)
    assert complaint.channel == "sms"
    [reply] = replies(app)
    assert complaint.ticket in reply
    # A redelivery now, and more passes, file nothing twice.
    assert post_inbound(client, "ATX-down-1") == 200
    notify_once(app, None)
    assert len(complaints(app)) == 1 and len(replies(app)) == 1
    [row] = inbound_rows(app)
    assert row.answered_at is not None and row.reply_id is not None


def test_a_complaint_sent_while_the_database_is_down_is_refused_for_a_redelivery(
        app: Flask, client: FlaskClient) -> None:
    release_cycle(app, names=["an"])
    with database_down(app):
        assert post_inbound(client, "ATX-db-1") == 503  # AT delivers it again later
    assert inbound_rows(app) == [] and complaints(app) == []
    assert post_inbound(client, "ATX-db-1") == 200  # the redelivery, the database back
    assert post_inbound(client, "ATX-db-1") == 200  # and one more
    assert len(complaints(app)) == 1 and len(replies(app)) == 1


def test_redis_then_the_database_down_and_both_back_files_the_complaint_once(
        app: Flask, client: FlaskClient, private_redis: PrivateRedis) -> None:
    release_cycle(app, names=["an"])
    private_redis.stop()
    assert post_inbound(client, "ATX-both-1") == 200
    later(app)
    with database_down(app):
        with pytest.raises(sa.exc.OperationalError):
            inbox(app).retry_unanswered()  # the pool logs it and tries again next pass
    private_redis.start()
    assert inbox(app).retry_unanswered() == 1
    assert inbox(app).retry_unanswered() == 0
    assert post_inbound(client, "ATX-both-1") == 200
    assert len(complaints(app)) == 1 and len(replies(app)) == 1


def test_two_handlers_of_one_message_file_it_once(app: Flask, client: FlaskClient,
                                                  private_redis: PrivateRedis) -> None:
    release_cycle(app, names=["an"])
    private_redis.stop()
    assert post_inbound(client, "ATX-race-1") == 200
    private_redis.start()
    later(app)
    box = inbox(app)
    # A claim taken by one handler keeps the other off until it expires.
    with get_db(app).session() as s:
        s.execute(sa.update(InboundSms).values(claimed_until=utcnow() + timedelta(minutes=1)))
    assert box.retry_unanswered() == 0 and complaints(app) == []
    with get_db(app).session() as s:
        s.execute(sa.update(InboundSms).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert box.retry_unanswered() == 1
    assert box.retry_unanswered() == 0
    assert len(complaints(app)) == 1


def test_a_reply_returned_to_the_adapter_is_not_also_queued(app: Flask) -> None:
    from gateway.telco.base import InboundMessage

    release_cycle(app, names=["an"])
    reply = inbox(app).receive(InboundMessage("esms", "MO-1", AN, COMPLAINT),
                               reply_by_sms=False)
    [complaint] = complaints(app)
    assert reply is not None and complaint.ticket in reply
    assert inbox(app).receive(InboundMessage("esms", "MO-1", AN, COMPLAINT),
                              reply_by_sms=False) is None  # a redelivery
    # The same id from another telco is another message.
    inbox(app).receive(InboundMessage("africastalking", "MO-1", AN, "TC"))
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(SmsMessage)) == 1
    assert len(complaints(app)) == 1 and len(inbound_rows(app)) == 2


