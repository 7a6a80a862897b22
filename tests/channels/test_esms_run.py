"""``gateway run`` pointed at eSMS by configuration alone: notices go out through eSMS."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway import telco
from gateway.channels.models import SmsMessage
from gateway.db import get_db
from gateway.payroll.models import PaymentState
from gateway.payroll.payments import transition
from gateway.server import ensure_telco
from gateway.telco.esms import settings
from gateway.telco.esms.dev import EXTENSION
from gateway.telco.esms.stub import EsmsStub
from tests.channels.esms_fixtures import (
    API_KEY,
    BRANDNAME,
    OA_ID,
    SECRET_KEY,
    esms_app_settings,
    serving,
)
from tests.channels.test_ussd import pay
from tests.support.app import make_app
from tests.support.scenario import due_cycle
from workers.notify import notify_once, sms_api

EXPORTED = ("ESMS_CALLBACK_KEY", "ESMS_BASE_URL", "ESMS_API_KEY", "ESMS_SECRET_KEY",
            "ESMS_BRANDNAME", "ESMS_MO_PRIVATE_KEY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the CHITRA_ESMS_* variables that a development run exports for its children."""
    for name in EXPORTED:
        monkeypatch.setenv(f"CHITRA_{name}", "x")
        monkeypatch.delenv(f"CHITRA_{name}")


def status_of_all(app: Flask) -> set[str]:
    with get_db(app).sessionmaker() as s:
        return set(s.scalars(sa.select(SmsMessage.status)))


def wait_for(app: Flask, status: str) -> set[str]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and status_of_all(app) != {status}:
        time.sleep(0.05)
    return status_of_all(app)


@pytest.fixture
def configured(database_url: str, redis_url: str,
               esms_stub: EsmsStub) -> Iterator[tuple[Flask, str]]:
    """Give an app configured for eSMS as an operator would, served over HTTP."""
    with make_app(database_url, redis_url, **esms_app_settings(
            SMS_TELCO="esms", ESMS_API_KEY=API_KEY, ESMS_SECRET_KEY=SECRET_KEY,
            ESMS_BRANDNAME=BRANDNAME, ESMS_BASE_URL=esms_stub.base_url,
            NOTICE_HOURS="0-24")) as app:
        with serving(app) as url:
            app.config["PUBLIC_URL"] = url
            yield app, url


def test_a_notice_goes_out_through_esms_and_its_report_comes_back(
        configured: tuple[Flask, str], esms_stub: EsmsStub) -> None:
    app, url = configured
    assert ensure_telco(app, url) == (f"eSMS ({esms_stub.base_url}, brandname {BRANDNAME})")
    # A report comes a second later, as from eSMS: not before the send is recorded.
    esms_stub.state.auto_deliver = True
    ids = due_cycle(app, names=["an"])
    pay(app, ids[0])
    sender = sms_api(app)
    assert sender is not None and sender.name == "esms"
    assert notify_once(app, sender).sent == 1
    [sent] = esms_stub.state.messages
    assert sent["Phone"] == "0912345678" and sent["Brandname"] == BRANDNAME
    assert sent["Content"].startswith("ChiTra: Da chuyen 500.000 d tro cap thang 11/2026")
    assert sent["IsUnicode"] == "0"
    assert wait_for(app, "delivered") == {"delivered"}


def test_a_notice_kind_with_a_zns_template_goes_zalo_first(
        configured: tuple[Flask, str], esms_stub: EsmsStub) -> None:
    app, _ = configured
    app.config.update(ESMS_ZALO_OA_ID=OA_ID,
                      ESMS_ZALO_TEMPLATES="succeeded:205644:amount|month|wallet")
    settings.check(app.config)
    ids = due_cycle(app, names=["an", "binh"])
    pay(app, ids[0])
    with get_db(app).session() as s:  # Bình's payment fails: that kind has no template
        assert transition(s, ids[1], PaymentState.SENDING)
        assert transition(s, ids[1], PaymentState.FAILED)
    assert notify_once(app, sms_api(app)).sent == 2
    zalo, sms = sorted(esms_stub.state.messages, key=lambda m: m["channel"] != "zalo")
    assert (zalo["channel"], zalo["TempID"], zalo["OAID"]) == ("zalo", "205644", OA_ID)
    assert zalo["Params"][:2] == ["500.000 đ", "11/2026"]  # accented: ZNS allows it
    assert zalo["Params"][2] == "09******78"  # the wallet phone, masked
    assert sms["channel"] == "sms" and "Chua chuyen duoc" in sms["Content"]


def test_development_run_starts_the_esms_stub_and_its_reports_come_back(
        database_url: str, redis_url: str, clean_env: None) -> None:
    with make_app(database_url, redis_url, SMS_TELCO="esms", NOTICE_HOURS="0-24") as app:
        with serving(app) as url:
            app.config.update(ENV="development", PUBLIC_URL=url)
            try:
                line = ensure_telco(app, url)
                stub: EsmsStub = app.extensions[EXTENSION]
                assert line.startswith(f"eSMS stub {stub.url}")
                assert app.config["ESMS_BASE_URL"] == stub.base_url
                assert app.config["ESMS_CALLBACK_KEY"] and app.config["ESMS_MO_PRIVATE_KEY"]
                ids = due_cycle(app, names=["an"])
                pay(app, ids[0])
                assert notify_once(app, sms_api(app)).sent == 1
                assert wait_for(app, "delivered") == {"delivered"}
                # The stub signs MOs with the run's key: a beneficiary can text in.
                mo = f"{url}/telco/esms/{app.config['ESMS_CALLBACK_KEY']}/mo"
                status, answer = stub.state.mo(mo, "84912345678", "TC")
                assert status == 200 and "<Message>" in answer
            finally:
                telco.stop_dev_stub(app)
                app.config["ENV"] = "testing"
        assert EXTENSION not in app.extensions


def test_production_run_starts_no_stub(database_url: str, redis_url: str,
                                       clean_env: None) -> None:
    with make_app(database_url, redis_url, SMS_TELCO="esms") as app:
        app.config["ENV"] = "production"
        assert ensure_telco(app, "http://x") == "queued, not sent: set CHITRA_ESMS_API_KEY"
        assert EXTENSION not in app.extensions and sms_api(app) is None
        app.config.update(ESMS_API_KEY="k", ESMS_SECRET_KEY="s", ESMS_BRANDNAME="CHITRA",
                          ESMS_SANDBOX=True)
        assert ensure_telco(app, "http://x") == (
            "eSMS (https://rest.esms.vn/MainService.svc/json, brandname CHITRA, "
            "sandbox: checked, not sent)")
        app.config["ENV"] = "testing"
