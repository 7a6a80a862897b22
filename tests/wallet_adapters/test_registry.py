"""The adapter registry: enabling by configuration, settings schemas, masking secrets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from wallet_adapters import (
    InvalidSettings,
    SettingSpec,
    UnknownProvider,
    WalletAdapter,
    available,
    create,
    masked_settings,
    register,
    registry,
    settings_schema,
)
from wallet_adapters.gsma import GsmaAdapter
from wallet_adapters.sandbox import SandboxAdapter


def test_builtin_providers_are_available() -> None:
    assert {"sandbox", "gsma"} <= set(available())


def test_create_builds_the_registered_adapter() -> None:
    assert isinstance(create("sandbox", {}), SandboxAdapter)
    gsma = create("gsma", {"base_url": "http://127.0.0.1:9"})
    assert isinstance(gsma, GsmaAdapter)
    assert isinstance(gsma, WalletAdapter)


def test_unknown_provider_is_refused() -> None:
    with pytest.raises(UnknownProvider):
        create("momo-nonexistent", {})


def test_provider_not_enabled_in_configuration_is_refused() -> None:
    with pytest.raises(UnknownProvider) as raised:
        create("sandbox", {}, enabled={"gsma"})
    assert "not enabled" in raised.value.reason
    assert isinstance(create("sandbox", {}, enabled=["sandbox"]), SandboxAdapter)


def test_missing_required_setting_is_refused() -> None:
    with pytest.raises(InvalidSettings):
        create("gsma", {})


def test_unknown_setting_is_refused_so_typos_do_not_pass_silently() -> None:
    with pytest.raises(InvalidSettings) as raised:
        create("sandbox", {"failure_rat": 0.5})
    assert "failure_rat" in raised.value.reason


def test_string_settings_from_env_or_forms_are_coerced() -> None:
    clean = registry.validate_settings(
        "gsma", {"base_url": "http://x", "timeout_s": "2.5", "max_connections": "50"})
    assert clean["timeout_s"] == 2.5 and clean["max_connections"] == 50
    with pytest.raises(InvalidSettings):
        registry.validate_settings("gsma", {"base_url": "http://x", "timeout_s": "soon"})


def test_out_of_range_fault_rate_is_refused() -> None:
    with pytest.raises(InvalidSettings):
        create("sandbox", {"failure_rate": "1.5"})


def test_each_adapter_declares_which_settings_are_secret() -> None:
    secrets = {s.name for s in settings_schema("gsma") if s.secret}
    assert secrets == {"api_key", "webhook_secret"}
    assert {s.name for s in settings_schema("sandbox") if s.secret} == {"webhook_secret"}


def test_masked_settings_hide_secrets_and_undeclared_keys() -> None:
    shown = masked_settings("gsma", {
        "base_url": "https://mmp.example", "api_key": "tok_live_123",
        "webhook_secret": "whsec_abc", "mystery": "x", "callback_url": None,
    })
    assert shown["base_url"] == "https://mmp.example"
    assert shown["api_key"] == shown["webhook_secret"] == shown["mystery"] == registry.MASK
    assert "tok_live_123" not in repr(shown)
    assert shown["callback_url"] is None


class _Echo:
    """Test provider."""

    name = "echo-test"

    def __init__(self, settings: Mapping[str, Any]):
        self.settings = settings


@pytest.fixture
def echo_registered() -> Iterator[None]:
    register("echo-test", settings=(SettingSpec("token", secret=True, required=True),))(_Echo)
    yield
    registry._providers.pop("echo-test", None)


def test_third_party_providers_register_with_a_decorator(echo_registered: None) -> None:
    assert "echo-test" in available()
    adapter = create("echo-test", {"token": "t"})
    assert isinstance(adapter, _Echo) and adapter.settings == {"token": "t"}
    assert masked_settings("echo-test", {"token": "t"}) == {"token": registry.MASK}


def test_registering_a_second_factory_under_a_taken_name_is_refused(
    echo_registered: None,
) -> None:
    with pytest.raises(ValueError):
        register("echo-test")(lambda settings: None)


def test_builtin_providers_are_the_packages_and_the_template_is_not_one() -> None:
    assert set(registry._BUILTIN_MODULES) >= {"wallet_adapters.sandbox", "wallet_adapters.gsma"}
    assert not any(m.split(".")[-1].startswith("_") for m in registry._BUILTIN_MODULES)


def test_display_names_come_from_the_adapter_then_the_known_wallets() -> None:
    assert registry.display_name("sandbox") == "Sandbox"
    assert registry.display_name("gsma") == "GSMA Mobile Money"
    for name, shown in {"viettelmoney": "Viettel Money", "vnptmoney": "VNPT Money",
                        "mobifonemoney": "MobiFone Money", "momo": "MoMo",
                        "zalopay": "ZaloPay"}.items():
        assert registry.display_name(name) == shown
    assert registry.display_name("vi-moi") == "vi-moi"  # unknown: shown as configured


def test_a_new_provider_owns_its_display_name_and_statement_headers() -> None:
    register("echo-test", display_name="Echo Ví", statement_columns={
        "reference": ("echo_ref",), "status": ("echo_state",)})(_Echo)
    try:
        assert registry.display_name("echo-test") == "Echo Ví"
        columns = registry.statement_columns()
        assert "echo_ref" in columns["reference"] and "echo_state" in columns["status"]
        assert "requestingOrganisationTransactionReference" in columns["reference"]
    finally:
        registry._providers.pop("echo-test", None)
    assert "echo_ref" not in registry.statement_columns().get("reference", ())


def test_an_adapter_for_a_known_wallet_keeps_its_known_name_unless_it_gives_one() -> None:
    register("momo")(_Echo)
    try:
        assert registry.display_name("momo") == "MoMo"
    finally:
        registry._providers.pop("momo", None)


def test_statement_columns_for_a_field_statements_lack_are_refused() -> None:
    with pytest.raises(ValueError, match="fee"):
        register("echo-test", statement_columns={"fee": ("phí",)})
    assert "echo-test" not in available()
