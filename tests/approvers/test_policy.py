"""The approver TOTP policy setting: its defaults per environment, and refusing typos."""

from __future__ import annotations

import pytest

from gateway import create_app
from gateway.approvers.settings import policy
from gateway.approvers.totp import TotpPolicy
from gateway.config import ConfigError
from tests.support.app import app_config


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("CHITRA_APPROVER_TOTP", raising=False)
    return monkeypatch


@pytest.mark.parametrize(("env", "expected"), [
    ("production", TotpPolicy.REQUIRED), ("testing", TotpPolicy.ENROLLED)])
def test_production_requires_a_code_from_every_approver_by_default(clean_env, tmp_path, env,
                                                                  expected):
    app = create_app(app_config(f"sqlite:///{tmp_path}/x.db", "redis://127.0.0.1:1", ENV=env))
    assert policy(app) is expected


def test_the_policy_can_be_set_and_a_typo_stops_the_start(clean_env, tmp_path):
    url = f"sqlite:///{tmp_path}/x.db"
    clean_env.setenv("CHITRA_APPROVER_TOTP", "Off")
    assert policy(create_app(app_config(url, "redis://127.0.0.1:1"))) is TotpPolicy.OFF
    clean_env.setenv("CHITRA_APPROVER_TOTP", "sometimes")
    with pytest.raises(ConfigError) as err:
        create_app(app_config(url, "redis://127.0.0.1:1"))
    assert "CHITRA_APPROVER_TOTP must be required, enrolled or off" in str(err.value)
