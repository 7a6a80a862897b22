"""The channel services are built with the app: a broken menu graph stops ``create_app``."""

from __future__ import annotations

import functools

import pytest

from gateway import create_app
from gateway.channels import hop
from gateway.channels.hop import ussd_hop
from gateway.config import ConfigError
from tests.conftest import app_config
from ussd_menus import UssdEngine
from ussd_menus.menus import SCREENS
from ussd_menus.screens import Kind, Option, Screen


def test_the_hop_service_exists_before_the_first_hop(database_url: str, redis_url: str) -> None:
    app = create_app(app_config(database_url, redis_url))
    assert isinstance(ussd_hop(app), hop.UssdHop)


def test_a_broken_menu_graph_stops_create_app_with_a_clear_message(
        database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {**SCREENS, "main": Screen("main", Kind.MENU,
                                        options=(Option("main.history", "nowhere"),))}
    monkeypatch.setattr(hop, "UssdEngine", functools.partial(UssdEngine, screens=broken))
    with pytest.raises(ConfigError, match=r"USSD menu graph is broken: .*nowhere"):
        create_app(app_config(database_url, redis_url))


def test_an_unknown_sms_telco_stops_create_app(database_url: str, redis_url: str) -> None:
    with pytest.raises(ConfigError, match="CHITRA_SMS_TELCO must be africastalking"):
        create_app(app_config(database_url, redis_url, SMS_TELCO="viettel"))


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("AT_CALLBACK_KEY", "a/b", "CHITRA_AT_CALLBACK_KEY"),
    ("AT_BASE_URL", "ftp://x", "CHITRA_AT_BASE_URL must be an http"),
])
def test_a_bad_at_setting_stops_create_app(database_url: str, redis_url: str, name: str,
                                           value: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        create_app(app_config(database_url, redis_url, **{name: value}))


def test_the_access_log_filter_hides_every_aggregators_key_and_query() -> None:
    import logging

    from gateway.telco import HideCallbackKey

    line = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%s", (
        '10.0.0.9 "GET /telco/esms/s3cret-key/delivery?SMSID=1&Phone=0912345678 HTTP/1.1" 200',),
        None)
    HideCallbackKey().filter(line)
    assert line.getMessage() == '10.0.0.9 "GET /telco/esms/***/delivery?*** HTTP/1.1" 200'
