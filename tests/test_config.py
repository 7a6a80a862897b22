"""Settings from CHITRA_* variables and the refusal to start without secrets."""

import json

import pytest

from gateway import create_app
from gateway.config import ConfigError


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "PII_KEYS", "BLIND_INDEX_KEY", "ENV", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(f"CHITRA_{name}", raising=False)
    monkeypatch.setenv("CHITRA_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    return monkeypatch


def test_production_refuses_to_start_and_names_every_missing_secret(clean_env):
    with pytest.raises(ConfigError) as err:
        create_app()
    message = str(err.value)
    for name in ("CHITRA_SECRET_KEY", "CHITRA_PII_KEYS", "CHITRA_BLIND_INDEX_KEY"):
        assert name in message


def test_production_names_only_the_secret_that_is_missing(clean_env):
    from gateway.config import generate_secret

    clean_env.setenv("CHITRA_SECRET_KEY", generate_secret("SECRET_KEY"))
    clean_env.setenv("CHITRA_PII_KEYS", generate_secret("PII_KEYS"))
    with pytest.raises(ConfigError) as err:
        create_app()
    assert "CHITRA_BLIND_INDEX_KEY" in str(err.value)
    assert "CHITRA_PII_KEYS" not in str(err.value)


def test_development_generates_secrets_once_and_keeps_them(clean_env, tmp_path):
    clean_env.setenv("CHITRA_ENV", "development")
    first = create_app({"INSTANCE_PATH_OVERRIDE": None})
    path = first.instance_path + "/dev-secrets.json"
    stored = json.load(open(path))
    second = create_app()
    assert second.config["PII_KEYS"] == first.config["PII_KEYS"] == stored["PII_KEYS"]


def test_environment_variables_configure_and_test_config_overrides(clean_env):
    clean_env.setenv("CHITRA_ENV", "development")
    clean_env.setenv("CHITRA_PROVINCE_CODE", "46")
    clean_env.setenv("CHITRA_WALLET_PROVIDERS", "viettelmoney, sandbox")
    app = create_app()
    assert app.config["PROVINCE_CODE"] == "46"
    assert app.config["WALLET_PROVIDERS"] == ["viettelmoney", "sandbox"]
    app = create_app({"PROVINCE_CODE": "1"})
    assert app.config["PROVINCE_CODE"] == "01"


def test_unknown_env_name_is_refused(clean_env):
    clean_env.setenv("CHITRA_ENV", "staging")
    with pytest.raises(ConfigError, match="CHITRA_ENV"):
        create_app()
