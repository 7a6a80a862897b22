"""Payment notices end to end: who gets them, what they say, and the pool sending them to AT."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue

from gateway.channels.models import SmsMessage
from gateway.channels.notices import (
    NoticeSettings,
    notice_name,
    notice_settings,
    notice_text,
    stage_notices,
    stage_reminders,
)
from gateway.channels.outbound import open_phone
from gateway.channels.port import DbPort
from gateway.config import update
from gateway.db import get_db
from gateway.payroll.models import PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from gateway.redis_conn import get_redis
from gateway.registry.models import WalletLink
from gateway.server import ensure_telco
from gateway.telco.africastalking.stub import AtStub
from gateway.telco.commands import split_dial
from tests.channels.conftest import KEY
from tests.channels.test_sms import DAY, inbound, replies
from tests.channels.test_ussd import AN, CAREGIVER, make_caregiver, pay
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people
from workers.notify import notify_once, sms_api
from workers.pool import Pool
from workers.relay import QUEUE


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """Serve the app over real HTTP on a free port; give its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def use_stub(app: Flask, stub: AtStub) -> None:
    """Point the app's AT settings at the stub, as `gateway run` does in development."""
    app.config.update(AT_API_KEY="at-test-key", AT_BASE_URL=stub.url, AT_USERNAME="chitra")


def wallet_to(app: Flask, phone: str, *, representative: bool = True) -> None:
    """Move every wallet to ``phone`` (a caregiver's own wallet)."""
    codec = get_pii(app)
    with get_db(app).session() as s:
        for wallet in s.scalars(sa.select(WalletLink)):
            wallet.phone_enc = codec.seal("wallet_link", "phone", wallet.ref, phone)
            wallet.phone_bidx = codec.phone_index(phone)
            wallet.to_representative = representative


def outbound(app: Flask) -> list[tuple[str, str]]:
    """Return (phone, body) of every outbound SMS, oldest first."""
    codec = get_pii(app)
    with get_db(app).sessionmaker() as s:
        return [(open_phone(codec, m), m.body)
                for m in s.scalars(sa.select(SmsMessage).order_by(SmsMessage.id))]


# --- SMS TC before any cycle ----------------------------------------------------------------

@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "N***** V** A*: 500.000 d/thang. Chua co ky chi moi"),
    ("vi_accented", "N***** V** A*: 500.000 đ/tháng. Chưa có kỳ chi mới"),
    ("en", "N***** V** A*: 500.000 VND/month. No payment cycle yet"),
])
def test_tc_before_any_cycle_says_what_they_will_get_and_that_no_cycle_is_out_yet(
        app: Flask, client: FlaskClient, lang: str, expected: str) -> None:
    add_people(app, ["an"])
    DbPort(get_db(app), get_pii(app), get_redis(app)).set_language(AN, lang)
    inbound(client, "TC", f"ATX-tc-{lang}")
    assert replies(app) == [expected]


def test_tc_for_a_caregiver_before_any_cycle_covers_each_person(app: Flask,
                                                               client: FlaskClient) -> None:
    refs = add_people(app, ["an", "binh"])
    make_caregiver(app, [refs["an"], refs["binh"]])
    inbound(client, "TC", "ATX-tc-care", phone=CAREGIVER)
    [reply] = replies(app)
    lines = reply.split("\n")
    assert len(lines) == 2
    assert all(line.endswith("Chua co ky chi moi") for line in lines)


# --- who hears of a payment -----------------------------------------------------------------

def test_a_notice_to_the_beneficiarys_own_wallet_names_no_one(app: Flask) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    assert stage_notices(get_db(app), get_pii(app), NoticeSettings(), now=DAY) == 1
    [(phone, body)] = outbound(app)
    assert phone == AN
    assert body.startswith("ChiTra: Da chuyen ")


def test_a_caregivers_wallet_gets_the_notice_naming_whose_payment_it_is(app: Flask) -> None:
    ids = release_cycle(app, names=["an"])
    wallet_to(app, CAREGIVER)
    pay(app, ids[0])
    assert stage_notices(get_db(app), get_pii(app), NoticeSettings(), now=DAY) == 1
    [(phone, body)] = outbound(app)
    assert phone == CAREGIVER
    assert body.startswith("ChiTra, cho N***** V** A*: Da chuyen ")
    assert "vao vi 09******11" in body  # the caregiver's wallet
    assert len(body) <= 160 and body.isascii()


def test_a_held_payment_without_a_wallet_is_told_to_the_representative(app: Flask) -> None:
    ids = release_cycle(app, names=["an"])
    refs = add_people(app, ["an"])
    make_caregiver(app, [refs["an"]])
    with get_db(app).session() as s:
        s.execute(sa.delete(WalletLink))
        assert transition(s, ids[0], PaymentState.HELD)
    assert stage_notices(get_db(app), get_pii(app), NoticeSettings(), now=DAY) == 1
    [(phone, body)] = outbound(app)
    assert phone == CAREGIVER
    assert body.startswith("ChiTra, cho N***** V** A*: Tien tro cap thang")


def test_caregiver_notices_fit_one_sms_whatever_the_name() -> None:
    settings = NoticeSettings(hotline="1900 1234")
    name = notice_name("Nguyễn Thị Minh Khai Phượng Hoàng")
    assert len(name) <= 18 and name.isascii()
    for lang in ("vi", "en"):
        for state in ("succeeded", "failed", "held"):
            text = notice_text(state, 12_500_000, "11/2026", "09******78", settings, lang, name)
            assert text.isascii() and len(text) <= 160, text


# --- the pool sends them --------------------------------------------------------------------

def test_the_pools_tick_stages_notices_and_sends_them_to_the_at_stub_over_http(
        app: Flask, stub: AtStub) -> None:
    ids = release_cycle(app, names=["an", "binh"])
    wallet_to(app, CAREGIVER)
    pay(app, ids[0])
    pay(app, ids[1])
    use_stub(app, stub)
    update(app, NOTICE_HOURS="0-24")  # the test must not depend on the hour it runs at
    pool = Pool(app, processes=1, notify_every=0)  # no worker processes are started
    assert pool.sms_api is not None  # built from the AT_* settings
    pool.tick(Queue(QUEUE, connection=get_redis(app)), time.monotonic())
    assert pool.notifier is not None
    pool.notifier.join(30)
    sent = stub.state.messages
    assert [m["to"] for m in sent] == [CAREGIVER, CAREGIVER]
    assert {m["message"].split(":")[0] for m in sent} == {"ChiTra, cho N***** V** A*",
                                                          "ChiTra, cho T*** T** B***"}
    assert {m["username"] for m in sent} == {"chitra"}
    with get_db(app).sessionmaker() as s:
        assert set(s.scalars(sa.select(SmsMessage.status))) == {"sent"}
    pool.shutdown()


def test_without_an_at_account_notices_wait_queued(app: Flask) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    assert sms_api(app) is None
    report = notify_once(app, None, now=DAY)
    assert (report.notices, report.calls) == (1, 0)
    with get_db(app).sessionmaker() as s:
        assert list(s.scalars(sa.select(SmsMessage.status))) == ["queued"]


def test_night_notices_wait_but_replies_go(app: Flask, client: FlaskClient, stub: AtStub) -> None:
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    inbound(client, "TC", "ATX-night")
    use_stub(app, stub)
    night = datetime(2026, 11, 27, 16, 0)  # 23:00 in Huế
    report = notify_once(app, sms_api(app), now=night)
    assert (report.notices, report.sent) == (1, 1)
    assert [m["message"] for m in stub.state.messages] == replies(app)
    morning = datetime(2026, 11, 28, 0, 1)  # 07:01 next morning in Huế
    assert notify_once(app, sms_api(app), now=morning).sent == 1
    assert stub.state.messages[-1]["message"].startswith("ChiTra: Da chuyen ")


# --- `gateway run` wiring -------------------------------------------------------------------

@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the CHITRA_AT_* variables that `ensure_telco` exports for child processes."""
    for name in ("AT_CALLBACK_KEY", "AT_BASE_URL", "AT_API_KEY"):
        monkeypatch.setenv(f"CHITRA_{name}", "x")
        monkeypatch.delenv(f"CHITRA_{name}")


def test_development_run_starts_the_at_stub_and_its_reports_come_back(
        app: Flask, served: str, clean_env: None) -> None:
    app.config.update(ENV="development", AT_CALLBACK_KEY=None, AT_API_KEY=None,
                      AT_BASE_URL=None)
    try:
        line = ensure_telco(app, served)
        dev_stub: AtStub = app.extensions["chitra.at_stub"]
        assert line.startswith(f"AT stub {dev_stub.url}")
        assert app.config["AT_CALLBACK_KEY"] and app.config["AT_BASE_URL"] == dev_stub.url
        dev_stub.state.delivery_delay = 0.05
        ids = release_cycle(app, names=["an"])
        pay(app, ids[0])
        update(app, NOTICE_HOURS="0-24")
        assert notify_once(app, sms_api(app)).sent == 1
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with get_db(app).sessionmaker() as s:
                if s.scalar(sa.select(SmsMessage.status)) == "delivered":
                    break
            time.sleep(0.05)
        with get_db(app).sessionmaker() as s:
            assert s.scalar(sa.select(SmsMessage.status)) == "delivered"
    finally:
        app.extensions.pop("chitra.at_stub").stop()
        app.config["AT_CALLBACK_KEY"] = KEY


def test_production_run_starts_no_stub(app: Flask, clean_env: None) -> None:
    app.config.update(ENV="production", AT_API_KEY=None, AT_BASE_URL=None)
    assert ensure_telco(app, "http://127.0.0.1:5000") == "queued, not sent: set CHITRA_AT_API_KEY"
    assert "chitra.at_stub" not in app.extensions
    app.config.update(AT_API_KEY="live-key", AT_USERNAME="hue-sbtxh")
    assert ensure_telco(app, "http://x") == ("Africa's Talking (api.africastalking.com, "
                                             "user hue-sbtxh)")
    app.config["ENV"] = "testing"



# --- `gateway ussd-sim` -----------------------------------------------------------------------

def test_dial_strings_split_into_the_service_code_and_prefilled_inputs() -> None:
    assert split_dial("*384*12#", "*384*12#") == ("*384*12#", [])
    assert split_dial("*384*12*4*1#", "*384*12#") == ("*384*12#", ["4", "1"])
    assert split_dial("*123#", "*384*12#") == ("*123#", [])


def test_ussd_simulator_opens_on_the_main_menu_or_a_prefilled_screen(
        app: Flask, served: str, runner) -> None:  # type: ignore[no-untyped-def]
    add_people(app, ["an"])
    plain = runner.invoke("ussd-sim", "--phone", "0912345678", "--url", served, input="")
    assert plain.exit_code == 0, plain.output
    assert "1 Tien duoc huong" in plain.output
    assert "khong hop le" not in plain.output  # the service code is not an input
    direct = runner.invoke("ussd-sim", "--phone", "0912345678", "--url", served,
                           "--code", "*384*12*1#", input="")
    assert "Tro cap xa hoi hang thang" in direct.output


def test_sms_commands_do_one_pass_by_hand(app: Flask, stub: AtStub, runner) -> None:  # type: ignore[no-untyped-def]
    ids = release_cycle(app, names=["an"])
    pay(app, ids[0])
    use_stub(app, stub)
    update(app, NOTICE_HOURS="0-24")
    staged = runner.invoke("sms", "notices", "--json")
    assert staged.exit_code == 0, staged.output
    assert '"queued": 1' in staged.output
    sent = runner.invoke("sms", "send")
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("sent 1, failed 0")
    assert [m["to"] for m in stub.state.messages] == [AN]


# --- reminders before the payment date --------------------------------------------------------

EVE = datetime(2026, 11, 4, 3, 0)  # 10:00 in Huế the day before the 05/11/2026 payment date


def test_a_reminder_announces_the_payment_date_once_per_ready_payment(app: Flask,
                                                                      redis_client) -> None:  # type: ignore[no-untyped-def]
    ids = release_cycle(app, names=["an", "binh"])
    pay(app, ids[1])  # already paid: nothing to announce
    db, codec = get_db(app), get_pii(app)
    settings = NoticeSettings(hotline="1900 1234", reminder_days=1)
    assert stage_reminders(db, codec, settings, now=DAY) == 0  # the 27th: not the eve
    assert stage_reminders(db, codec, NoticeSettings(), now=EVE) == 0  # reminders off
    assert stage_reminders(db, codec, settings, redis_client=redis_client, now=EVE) == 1
    assert stage_reminders(db, codec, settings, redis_client=redis_client, now=EVE) == 0
    assert stage_reminders(db, codec, settings, now=EVE) == 0  # no Redis: the key still holds
    [(phone, body)] = outbound(app)
    assert phone == AN
    assert body == ("ChiTra: Ngay 05/11/2026 se chuyen 500.000 d tro cap thang 11/2026 vao vi "
                    "09******78. Thac mac xin goi 1900 1234.")


def test_reminders_fill_a_pass_then_carry_on(app: Flask) -> None:
    release_cycle(app)
    settings = NoticeSettings(reminder_days=1)
    db, codec = get_db(app), get_pii(app)
    first = stage_reminders(db, codec, settings, now=EVE, limit=2)
    second = stage_reminders(db, codec, settings, now=EVE, limit=100)
    assert first == 2 and second >= 1
    assert stage_reminders(db, codec, settings, now=EVE, limit=100) == 0
    assert len(outbound(app)) == first + second


def test_reminders_for_a_caregiver_name_the_person_and_fit_one_sms() -> None:
    settings = NoticeSettings(hotline="1900 1234")
    for lang in ("vi", "en"):
        text = notice_text("reminder", 12_500_000, "11/2026", "09******78", settings, lang,
                           notice_name("Nguyễn Thị Minh Khai Phượng"), "05/11/2026")
        assert text.isascii() and len(text) <= 160, text


def test_reminder_days_are_a_setting(app: Flask) -> None:
    from gateway.settings import load_channels as load

    assert notice_settings(load(app.config)).reminder_days == 0
    app.config["NOTICE_REMINDER_DAYS"] = "2"
    assert notice_settings(load(app.config)).reminder_days == 2
    app.config["NOTICE_REMINDER_DAYS"] = 30
    with pytest.raises(ValueError):
        notice_settings(load(app.config))


def test_a_held_notice_says_why_and_what_to_do() -> None:
    from gateway.channels.notices import held_kind

    settings = NoticeSettings(hotline="1900 1234")
    assert held_kind("wallet not verified") == "held"
    assert held_kind("sim_swap") == "held_sim"
    assert held_kind("wallet flagged (change_pending); an officer must review") == "held_review"
    assert held_kind("no wallet link") == "held_review"
    texts = {kind: notice_text(kind, 500_000, "11/2026", "09******78", settings, "vi",
                               "N***** V** A*")
             for kind in ("held", "held_sim", "held_review")}
    assert "chon 5 de xac minh" in texts["held"]  # they can fix it themselves
    assert "SIM vua doi" in texts["held_sim"]
    assert "can bo kiem tra" in texts["held_review"]
    for lang in ("vi", "en"):
        for kind in texts:
            text = notice_text(kind, 12_500_000, "11/2026", "09******78", settings, lang,
                               "N***** V** A*")
            assert text.isascii() and len(text) <= 160, text
