"""Every setting is parsed when the app is created: a bad value stops the start-up, named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import create_app
from gateway.config import ConfigError, update
from gateway.settings import settings

SECRETS = {"SECRET_KEY": "s", "PII_KEYS": "t1:" + "a" * 43 + "=",
           "BLIND_INDEX_KEY": "a" * 43 + "="}

# One bad value per parsed setting, and a word of the form the message must ask for.
BAD = [
    ("ENV", "staging", "development, testing or production"),
    ("PROVINCE_CODE", "Hue", "whole number from 1 to 99"),
    ("PROVINCE_CODE", "460", "whole number from 1 to 99"),
    ("WALLET_PROVIDERS", "momo;zalopay", "comma-separated list"),
    ("LOG_LEVEL", "loud", "debug, info, warning, error or critical"),
    ("PUBLIC_URL", "chitra.example", "URL starting"),
    ("REDIS_URL", "localhost:6379", "URL starting redis://"),
    ("PAYMENT_DAY", "31", "whole number from 1 to 28"),
    ("PAYMENT_DAY", "fifth", "whole number from 1 to 28"),
    ("WALLET_ADAPTER_OVERRIDES", "{not json", "JSON object"),
    ("WALLET_ADAPTER_OVERRIDES", "[1, 2]", "JSON object"),
    ("APPROVER_TOTP", "sometimes", "required, enrolled or off"),
    ("HOTLINE", "1900\x000000", "text"),
    ("USSD_HOPS_PER_MINUTE", "0", "whole number of at least 1"),
    ("SMS_INBOUND_PER_HOUR", "ten", "whole number of at least 1"),
    ("NOTICE_HOURS", "7to22", "7-22"),
    ("NOTICE_HOURS", "22-7", "7-22"),
    ("NOTICE_REMINDER_DAYS", "30", "whole number from 0 to 14"),
    ("OTP_KEY", "not base64!", "base64 of at least 16 bytes"),
    ("OTP_KEY", "c2hvcnQ=", "base64 of at least 16 bytes"),
    ("SIM_SWAP_URL", "camara", "URL starting"),
    ("SIM_SWAP_MAX_AGE_HOURS", "5000", "whole number from 1 to 2400"),
    ("SIM_SWAP_CACHE_SECONDS", "-1", "number from 0 to 86400"),
    ("SIM_SWAP_TIMEOUT", "soon", "number from 0.1 to 60"),
    ("AT_CALLBACK_KEY", "a/b", "cannot contain"),
    ("AT_ALLOWED_IPS", "10.0.0.0/33", "not an IP address"),
    ("TRUSTED_PROXIES", "proxy.local", "not an IP address"),
    ("API_MAX_BODY_BYTES", "1MB", "whole number from 1024 to 2147483647"),
    ("API_MAX_UPLOAD_BYTES", "-5", "whole number from 1024 to 2147483647"),
]


def _config(tmp_path: Path, **values: object) -> dict[str, object]:
    return {"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/s.db", **SECRETS, **values}


@pytest.mark.parametrize(("name", "value", "expected"), BAD,
                         ids=[f"{n}={v!r}" for n, v, _ in BAD])
def test_a_bad_value_stops_create_app_naming_the_setting_and_its_form(
        tmp_path: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as refused:
        create_app(_config(tmp_path, **{name: value}))
    message = str(refused.value)
    assert f"CHITRA_{name}" in message
    assert expected in message
    assert "\n" not in message


def test_good_values_are_parsed_into_the_typed_settings(tmp_path: Path) -> None:
    app = create_app(_config(tmp_path, PROVINCE_CODE="46", WALLET_PROVIDERS="Sandbox, momo",
                             NOTICE_HOURS="6-21", PAYMENT_DAY="10", LOG_LEVEL="warning",
                             SIM_SWAP_URL="http://127.0.0.1:9/v1/", APPROVER_TOTP="OFF"))
    typed = settings(app)
    assert typed.province_code == "46"
    assert typed.wallet_providers == ("sandbox", "momo")
    assert typed.channels.notice_hours == (6, 21)
    assert typed.payment_day == 10 and typed.log_level == "WARNING"
    assert typed.wallets.sim_swap_url == "http://127.0.0.1:9/v1"
    assert typed.approver_totp == "off"
    # Code that still reads app.config sees the parsed values.
    assert app.config["WALLET_PROVIDERS"] == ["sandbox", "momo"]


def test_update_refuses_a_bad_value_and_keeps_the_settings(tmp_path: Path) -> None:
    app = create_app(_config(tmp_path))
    with pytest.raises(ConfigError, match="CHITRA_NOTICE_HOURS"):
        update(app, NOTICE_HOURS="always")
    assert settings(app).channels.notice_hours == (7, 22)
    assert update(app, NOTICE_HOURS="0-24").channels.notice_hours == (0, 24)


def test_gateway_run_stops_with_one_line_naming_the_setting(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHITRA_")}
    env.update({f"CHITRA_{k}": v for k, v in SECRETS.items()})
    env.update({"CHITRA_ENV": "testing", "CHITRA_DATABASE_URL": f"sqlite:///{tmp_path}/r.db",
                "CHITRA_NOTICE_HOURS": "7to22"})
    gateway = Path(sys.executable).parent / "gateway"
    done = subprocess.run([str(gateway), "run"], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert errors == ["Error: CHITRA_NOTICE_HOURS must be two hours from 0 to 24 like 7-22 "
                      "(start before end), not '7to22'"]
    assert "Traceback" not in done.stdout + done.stderr
