"""Who may reach the eSMS callbacks, and what a refused or forged call leaves behind."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.channels.models import InboundSms, SmsMessage
from gateway.db import get_db
from gateway.telco.esms.stub import EsmsStub
from tests.channels.esms_fixtures import (
    CALLBACK_KEY,
    MO_CPID,
    MO_KEY,
    esms_app_settings,
)
from tests.support.app import make_app

NEW_KEY = "rotated-esms-key-4d2e"
ESMS_NET = "203.162.0.0/16"  # stands for eSMS's callback addresses
PATHS = ("delivery", "mo")


def get(app: Flask, path: str, *, key: str = CALLBACK_KEY, peer: str = "127.0.0.1") -> int:
    return app.test_client().get(f"/telco/esms/{key}/{path}?SendStatus=9",
                                 environ_base={"REMOTE_ADDR": peer}).status_code


def nothing_filed(app: Flask) -> bool:
    with get_db(app).session() as s:
        return (s.scalar(sa.select(sa.func.count()).select_from(InboundSms)) == 0
                and s.scalar(sa.select(sa.func.count()).select_from(SmsMessage)) == 0)


def test_a_wrong_key_gets_404_on_every_callback(esms_app: Flask) -> None:
    for path in PATHS:
        assert get(esms_app, path, key="not-the-key") == 404, path
        assert get(esms_app, path, key="") == 404, path


def test_old_and_new_keys_both_open_the_callbacks_during_a_rotation(
        database_url: str, redis_url: str) -> None:
    with make_app(database_url, redis_url,
                  **esms_app_settings(ESMS_CALLBACK_KEY=f"{NEW_KEY},{CALLBACK_KEY}")) as app:
        # An undocumented SendStatus reaches the view and is ignored (200); a refusal is 404.
        assert get(app, "delivery", key=NEW_KEY) == 200
        assert get(app, "delivery", key=CALLBACK_KEY) == 200
        assert get(app, "delivery", key=f"{NEW_KEY},{CALLBACK_KEY}") == 404
        # An MO without its fields is refused by its own check (403), past the key check.
        assert get(app, "mo", key=NEW_KEY) == 403


def test_the_africas_talking_key_does_not_open_esms(database_url: str, redis_url: str) -> None:
    with make_app(database_url, redis_url, AT_CALLBACK_KEY="at-only-key") as app:
        assert get(app, "delivery", key="at-only-key") == 404


def test_without_a_key_configured_the_callbacks_do_not_exist(
        database_url: str, redis_url: str) -> None:
    with make_app(database_url, redis_url) as app:
        assert get(app, "delivery", key="None") == 404


@pytest.fixture
def guarded(database_url: str, redis_url: str) -> Iterator[Flask]:
    """Give an app that takes eSMS callbacks only from eSMS's range."""
    with make_app(database_url, redis_url,
                  **esms_app_settings(ESMS_ALLOWED_IPS=ESMS_NET)) as app:
        yield app


def test_an_address_outside_the_allow_list_gets_404(guarded: Flask,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    assert get(guarded, "delivery", peer="203.162.4.5") == 200
    with caplog.at_level(logging.WARNING):
        for path in PATHS:
            assert get(guarded, path, peer="198.51.100.7") == 404
    assert "esms callback refused: address not allowed" in caplog.text


def test_a_forged_or_missing_signature_files_nothing(esms_app: Flask, esms_live: str,
                                                     esms_stub: EsmsStub) -> None:
    url = f"{esms_live}/telco/esms/{CALLBACK_KEY}/mo"
    esms_stub.state.mo_private_key = "not-our-key"
    assert esms_stub.state.mo(url, "84912345678", "XN")[0] == 403
    esms_stub.state.mo_private_key = MO_KEY
    assert esms_stub.state.mo(url, "84912345678", "XN", sign="")[0] == 403
    assert esms_stub.state.mo(url, "84912345678", "XN", sign="AAAAAAAAAAAAAAAAAAAAAA==")[0] \
        == 403
    esms_stub.state.mo_cpid = "SOMEONEELSE"  # signed right, for another CP's service
    assert esms_stub.state.mo(url, "84912345678", "XN")[0] == 403
    assert nothing_filed(esms_app)


def test_a_tampered_content_breaks_the_signature(esms_app: Flask, esms_live: str) -> None:
    from gateway.telco.esms.signature import mo_sign

    when, smsid = "20261204120000", "mo-tamper-1"
    sign = mo_sign(MO_CPID, smsid, "XN", when, MO_KEY)
    query = (f"sender=84912345678&content=TC&serviceNumber=8088&keyword=TC&sign={sign}"
             f"&cpid={MO_CPID}&smsid={smsid}&receiverTime={when}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{esms_live}/telco/esms/{CALLBACK_KEY}/mo?{query}", timeout=5)
    assert refused.value.code == 403
    assert nothing_filed(esms_app)


def test_without_a_private_key_the_mo_route_does_not_exist(
        database_url: str, redis_url: str) -> None:
    with make_app(database_url, redis_url,
                  **esms_app_settings(ESMS_MO_PRIVATE_KEY=None)) as app:
        assert get(app, "mo") == 404
        assert get(app, "delivery") == 200


def test_the_key_and_the_query_stay_out_of_the_access_log(
        esms_app: Flask, esms_live: str, esms_stub: EsmsStub,
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        esms_stub.state.mo_private_key = "forged"
        esms_stub.state.mo(f"{esms_live}/telco/esms/{CALLBACK_KEY}/mo", "84912345678",
                           "XN 0912345678")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{esms_live}/telco/esms/{CALLBACK_KEY}/nothing?x=1",
                                   timeout=5)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/telco/esms/***/mo?***" in line for line in lines), lines
    assert CALLBACK_KEY not in caplog.text
    assert "84912345678" not in caplog.text and "0912345678" not in caplog.text
