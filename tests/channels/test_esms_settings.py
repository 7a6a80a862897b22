"""eSMS settings are checked at start-up: a bad value stops create_app, naming the variable."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from gateway import create_app, telco
from gateway.config import ConfigError
from gateway.telco.esms.settings import (
    PRODUCTION_URL,
    ZnsTemplate,
    parse_templates,
    settings_from,
)
from tests.support.app import app_config


def build(**settings: Any) -> Any:
    return create_app(app_config("sqlite://", "redis://127.0.0.1:1", **settings))


@pytest.mark.parametrize("settings, named", [
    ({"SMS_TELCO": "viettel"}, "CHITRA_SMS_TELCO"),
    ({"ESMS_BASE_URL": "rest.esms.vn"}, "CHITRA_ESMS_BASE_URL"),
    ({"ESMS_BASE_URL": "ftp://rest.esms.vn"}, "CHITRA_ESMS_BASE_URL"),
    ({"ESMS_SANDBOX": "perhaps"}, "CHITRA_ESMS_SANDBOX"),
    ({"ESMS_TIMEOUT": "soon"}, "CHITRA_ESMS_TIMEOUT"),
    ({"ESMS_TIMEOUT": 600}, "CHITRA_ESMS_TIMEOUT"),
    ({"ESMS_CALLBACK_KEY": "a/b"}, "CHITRA_ESMS_CALLBACK_KEY"),
    ({"ESMS_ALLOWED_IPS": "203.162.0.0/16, esms.vn"}, "CHITRA_ESMS_ALLOWED_IPS"),
    ({"ESMS_ZALO_TEMPLATES": "succeeded=12345", "ESMS_ZALO_OA_ID": "1"},
     "CHITRA_ESMS_ZALO_TEMPLATES"),
    ({"ESMS_ZALO_TEMPLATES": "succeeded:1,succeeded:2", "ESMS_ZALO_OA_ID": "1"},
     "CHITRA_ESMS_ZALO_TEMPLATES"),
    ({"ESMS_ZALO_TEMPLATES": "succeeded:12345:amount|2month", "ESMS_ZALO_OA_ID": "1"},
     "CHITRA_ESMS_ZALO_TEMPLATES"),
    ({"ESMS_ZALO_TEMPLATES": "succeeded:12345"}, "CHITRA_ESMS_ZALO_OA_ID"),
    ({"ESMS_API_KEY": "k"}, "CHITRA_ESMS_SECRET_KEY"),
    ({"ESMS_API_KEY": "k", "ESMS_SECRET_KEY": "s"}, "CHITRA_ESMS_BRANDNAME"),
    ({"ESMS_BRANDNAME": "A BRANDNAME TOO LONG"}, "CHITRA_ESMS_BRANDNAME"),
])
def test_a_bad_value_stops_the_start_up(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        build(**settings)


def test_values_from_the_environment_are_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    # from_prefixed_env reads JSON: digits become numbers, true becomes a bool.
    monkeypatch.setenv("CHITRA_SMS_TELCO", "ESMS")
    monkeypatch.setenv("CHITRA_ESMS_API_KEY", "12345678")
    monkeypatch.setenv("CHITRA_ESMS_SECRET_KEY", "87654321")
    monkeypatch.setenv("CHITRA_ESMS_BRANDNAME", "CHITRA")
    monkeypatch.setenv("CHITRA_ESMS_SANDBOX", "true")
    monkeypatch.setenv("CHITRA_ESMS_ZALO_OA_ID", "4097311281936189049")
    monkeypatch.setenv("CHITRA_ESMS_ZALO_TEMPLATES", "succeeded:205644, failed:205645:month|amount")
    monkeypatch.setenv("CHITRA_ESMS_ALLOWED_IPS", "203.162.0.0/16")
    monkeypatch.setenv("CHITRA_ESMS_BASE_URL", "https://rest.esms.vn/MainService.svc/json/")
    app = build()
    cfg = app.config
    assert telco.sms_telco(app) == "esms"
    assert cfg["ESMS_ALLOWED_IPS"] == (ipaddress.ip_network("203.162.0.0/16"),)
    settings = settings_from(cfg)
    assert settings is not None
    assert (settings.api_key, settings.secret_key, settings.sandbox) == (
        "12345678", "87654321", True)
    assert settings.zalo_oa_id == "4097311281936189049"
    assert settings.zalo_templates == {"succeeded": ZnsTemplate("205644"),
                                       "failed": ZnsTemplate("205645", ("month", "amount"))}
    assert settings.base_url == PRODUCTION_URL


def test_the_defaults_send_nothing_and_point_at_production() -> None:
    cfg = build().config
    assert cfg["SMS_TELCO"] == "africastalking"
    assert cfg["ESMS_BASE_URL"] == PRODUCTION_URL and cfg["ESMS_SANDBOX"] is False
    assert settings_from(cfg) is None


def test_templates_may_be_a_json_object() -> None:
    assert parse_templates({"succeeded": 205644}) == {"succeeded": ZnsTemplate("205644")}
    assert parse_templates("") == {} and parse_templates(None) == {}
