"""eSMS fixtures: a running eSMS stub and a sender pointed at it over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from gateway.telco.esms.settings import EsmsSettings, ZnsTemplate
from gateway.telco.esms.sms import EsmsSender
from gateway.telco.esms.stub import EsmsStub
from tests.support.app import make_app

API_KEY = "esms-test-api-key"
SECRET_KEY = "esms-test-secret-key"
BRANDNAME = "CHITRA"
OA_ID = "4097311281936189049"
MO_KEY = "esms-test-mo-private-key"
MO_CPID = "CHITRACP"
CALLBACK_KEY = "test-esms-callback-key-91c2"
GOLDEN = Path(__file__).parent / "esms_golden"


def golden(name: str) -> Any:
    """Load one golden file copied from eSMS's documentation."""
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def settings_for(base_url: str, **overrides: Any) -> EsmsSettings:
    """Give sender settings pointed at ``base_url``."""
    values: dict[str, Any] = {
        "api_key": API_KEY, "secret_key": SECRET_KEY, "brandname": BRANDNAME,
        "base_url": base_url, "sandbox": False, "timeout": 1.0, "zalo_oa_id": OA_ID,
        "zalo_templates": {"succeeded": ZnsTemplate("205644"),
                           "failed": ZnsTemplate("205645", ("month", "amount"))}}
    values.update(overrides)
    return EsmsSettings(**values)


@pytest.fixture
def esms_stub() -> Iterator[EsmsStub]:
    """Give a running eSMS stub that checks our keys and brandname."""
    server = EsmsStub(api_key=API_KEY, secret_key=SECRET_KEY, brandname=BRANDNAME,
                      mo_private_key=MO_KEY, mo_cpid=MO_CPID).start()
    yield server
    server.stop()


@pytest.fixture
def esms_sender(esms_stub: EsmsStub) -> Iterator[EsmsSender]:
    """Give an eSMS sender talking to the stub, reporting to a fixed callback URL."""
    sender = EsmsSender(settings_for(esms_stub.base_url),
                        f"http://127.0.0.1:9/telco/esms/{CALLBACK_KEY}/delivery")
    yield sender
    sender.client.close()


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` over real HTTP on a free local port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def esms_app_settings(**overrides: Any) -> dict[str, Any]:
    """Give the settings of an app whose eSMS callbacks answer under ``CALLBACK_KEY``."""
    return {"ESMS_CALLBACK_KEY": CALLBACK_KEY, "ESMS_MO_PRIVATE_KEY": MO_KEY,
            "ESMS_MO_CPID": MO_CPID, "HOTLINE": "1900 1234", **overrides}


@pytest.fixture
def esms_app(database_url: str, redis_url: str) -> Iterator[Flask]:
    """Give an app with the eSMS callbacks open (delivery reports and MO)."""
    with make_app(database_url, redis_url, **esms_app_settings()) as application:
        yield application


@pytest.fixture
def esms_live(esms_app: Flask) -> Iterator[str]:
    """Serve the eSMS app over HTTP; yield its base URL."""
    with serving(esms_app) as url:
        yield url
