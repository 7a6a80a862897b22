"""Typed settings: the parsed values every room reads, and the parsers that produce them.

``gateway.config.load`` parses every setting once, when the app is created, into one frozen
:class:`Settings` (``settings(app)`` returns it); rooms read their section here and never
parse ``app.config`` themselves. A setting arrives as a string from ``CHITRA_<NAME>``
(Flask's ``from_prefixed_env`` may already have read JSON: a number, a list) or as any value
from ``create_app(test_config=...)``. Each parser names the variable and the form it expects
when the value cannot be used, so a typo such as ``CHITRA_NOTICE_HOURS=7to22`` stops
``create_app`` and ``gateway run`` with one line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

_KEY = "chitra.settings"


class SettingError(ValueError):
    """A setting's value cannot be used; the message names it and the form it expects."""

    def __init__(self, name: str, expected: str, value: object) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        super().__init__(f"CHITRA_{name} must be {expected}, not {shown}")
        self.name = name


def _given(cfg: Mapping[str, Any], name: str) -> Any:
    value = cfg.get(name)
    return None if isinstance(value, str) and value.strip() == "" else value


def text(cfg: Mapping[str, Any], name: str, *, max_length: int = 2000) -> str | None:
    """Return a setting as stripped text, or None when it is unset or empty."""
    value = _given(cfg, name)
    if value is None:
        return None
    if isinstance(value, bool | list | dict | tuple):
        raise SettingError(name, "text", value)
    result = str(value).strip()
    if len(result) > max_length or "\x00" in result:
        raise SettingError(name, f"text of at most {max_length} characters", value)
    return result


def required_text(cfg: Mapping[str, Any], name: str, default: str) -> str:
    """Return a text setting, or ``default`` when it is unset."""
    return text(cfg, name) or default


def integer(cfg: Mapping[str, Any], name: str, *, low: int | None = None,
            high: int | None = None, default: int | None = None) -> int:
    """Return a whole number within [low, high] (``default`` when unset)."""
    value = _given(cfg, name)
    expected = "a whole number" + _bounds(low, high)
    if value is None:
        if default is None:
            raise SettingError(name, expected, value)
        return default
    if isinstance(value, bool):
        raise SettingError(name, expected, value)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise SettingError(name, expected, value) from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise SettingError(name, expected, value)
    return number


def number(cfg: Mapping[str, Any], name: str, *, low: float, high: float,
           default: float) -> float:
    """Return a number within [low, high] (``default`` when unset)."""
    value = _given(cfg, name)
    if value is None:
        return default
    expected = f"a number from {low:g} to {high:g}"
    try:
        result = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        raise SettingError(name, expected, value) from None
    if not low <= result <= high:  # also refuses nan
        raise SettingError(name, expected, value)
    return result


def boolean(cfg: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    """Return a yes/no setting: true/false, 1/0, yes/no, on/off."""
    value = _given(cfg, name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise SettingError(name, "true or false", value)


def choice(cfg: Mapping[str, Any], name: str, options: Sequence[str], *,
           default: str | None = None) -> str:
    """Return one of ``options`` (case-insensitive), or ``default`` when unset."""
    value = _given(cfg, name)
    expected = " or ".join(options) if len(options) < 3 else (
        ", ".join(options[:-1]) + " or " + options[-1])
    if value is None:
        if default is None:
            raise SettingError(name, expected, value)
        return default
    word = str(value).strip().lower()
    if word not in options:
        raise SettingError(name, expected, value)
    return word


def names(cfg: Mapping[str, Any], name: str, *, known: Collection[str] | None = None) -> list[str]:
    """Return a comma-separated list of lower-case names (each from ``known`` when given)."""
    value = _given(cfg, name)
    if value is None:
        return []
    parts = value if isinstance(value, list | tuple) else str(value).split(",")
    result = [str(p).strip().lower() for p in parts if str(p).strip()]
    for part in result:
        if not part.replace("_", "").replace("-", "").isalnum():
            raise SettingError(name, "a comma-separated list of names", value)
        if known is not None and part not in known:
            raise SettingError(name, "a comma-separated list of " + ", ".join(sorted(known)),
                               value)
    return result


def hour_range(cfg: Mapping[str, Any], name: str, *, default: str) -> tuple[int, int]:
    """Return local hours ``[start, end)`` written ``7-22``."""
    value = _given(cfg, name) or default
    start, sep, end = str(value).partition("-")
    try:
        hours = int(start), int(end)
    except ValueError:
        hours = (-1, -1)
    if not sep or not 0 <= hours[0] < hours[1] <= 24:
        raise SettingError(name, "two hours from 0 to 24 like 7-22 (start before end)", value)
    return hours


def base64_key(cfg: Mapping[str, Any], name: str, *, min_bytes: int) -> bytes | None:
    """Return a key given in base64 (at least ``min_bytes`` long), or None when unset."""
    value = _given(cfg, name)
    if value is None:
        return None
    try:
        key = base64.b64decode(str(value).strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SettingError(name, f"base64 of at least {min_bytes} bytes", "<hidden>") from None
    if len(key) < min_bytes:
        raise SettingError(name, f"base64 of at least {min_bytes} bytes", "<hidden>")
    return key


def url(cfg: Mapping[str, Any], name: str, *, schemes: Sequence[str] = ("http", "https")
        ) -> str | None:
    """Return a URL with one of ``schemes`` (trailing slash removed), or None when unset."""
    value = text(cfg, name)
    if value is None:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in schemes or not rest or " " in value:
        raise SettingError(name, "a URL starting " + " or ".join(f"{s}://" for s in schemes),
                           value)
    return value.rstrip("/")


def mapping(cfg: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Return a JSON object setting (already a dict from ``test_config``), or {} when unset."""
    value = _given(cfg, name)
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SettingError(name, "a JSON object", value) from None
    if not isinstance(value, dict):
        raise SettingError(name, "a JSON object", value)
    return value


def _bounds(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return ""


# --- sections --------------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelSettings:
    """Hold the channel settings, parsed once when the app is created."""

    hotline: str
    ussd_code: str
    sms_shortcode: str
    ussd_hops_per_minute: int
    sms_inbound_per_hour: int
    notice_hours: tuple[int, int]  # local hours [start, end) for non-urgent notices
    notice_reminder_days: int  # 0: no reminders


def load_channels(cfg: Mapping[str, Any]) -> ChannelSettings:
    """Parse the channel settings.

    Raises:
        gateway.settings.SettingError: a value cannot be used (the message names it).
    """
    return ChannelSettings(
        hotline=required_text(cfg, "HOTLINE", "1900 0000"),
        ussd_code=required_text(cfg, "USSD_CODE", "*384*12#"),
        sms_shortcode=required_text(cfg, "SMS_SHORTCODE", "8088"),
        ussd_hops_per_minute=integer(cfg, "USSD_HOPS_PER_MINUTE", low=1, default=30),
        sms_inbound_per_hour=integer(cfg, "SMS_INBOUND_PER_HOUR", low=1, default=10),
        notice_hours=hour_range(cfg, "NOTICE_HOURS", default="7-22"),
        notice_reminder_days=integer(cfg, "NOTICE_REMINDER_DAYS", low=0, high=14,
                                           default=0),
    )


@dataclass(frozen=True)
class WalletSettings:
    """Hold the wallet verification settings, parsed once when the app is created."""

    otp_key: bytes  # HMAC key of the one-time codes
    sim_swap_url: str | None  # a CAMARA SimSwap-style base URL; None: no check configured
    sim_swap_token: str | None
    sim_swap_max_age_hours: int
    sim_swap_cache_seconds: float
    sim_swap_timeout: float


def load_wallets(cfg: Mapping[str, Any]) -> WalletSettings:
    """Parse the wallet settings (``SECRET_KEY`` must already be set).

    Raises:
        gateway.settings.SettingError: a value cannot be used (the message names it).
    """
    key = base64_key(cfg, "OTP_KEY", min_bytes=16)
    if key is None:
        # A separate key per use: knowing the codes' key tells nothing of the session secret.
        key = hmac.new(str(cfg["SECRET_KEY"]).encode(), b"chitra one-time codes v1",
                       hashlib.sha256).digest()
    return WalletSettings(
        otp_key=key,
        sim_swap_url=url(cfg, "SIM_SWAP_URL"),
        sim_swap_token=text(cfg, "SIM_SWAP_TOKEN"),
        sim_swap_max_age_hours=integer(cfg, "SIM_SWAP_MAX_AGE_HOURS", low=1, high=2400,
                                             default=72),
        sim_swap_cache_seconds=number(cfg, "SIM_SWAP_CACHE_SECONDS", low=0, high=86400,
                                            default=300),
        sim_swap_timeout=number(cfg, "SIM_SWAP_TIMEOUT", low=0.1, high=60, default=3.0),
    )


@dataclass(frozen=True)
class Settings:
    """Every setting of one app, parsed and checked when the app was created."""

    env: str
    database_url: str
    redis_url: str | None
    province_code: str | None
    wallet_providers: tuple[str, ...]
    log_level: str
    public_url: str | None
    payment_day: int
    wallet_adapter_overrides: dict[str, Any]
    approver_totp: str  # "required" | "enrolled" | "off"
    channels: ChannelSettings
    wallets: WalletSettings
    # Each telco aggregator's own section, parsed by its package (gateway.telco).
    telco: Mapping[str, Any] = field(default_factory=dict)


def settings(app: Flask | None = None) -> Settings:
    """Return the app's parsed settings (the current app's by default)."""
    return (app or current_app).extensions[_KEY]


def install(app: Flask, parsed: Settings) -> None:
    """Make ``parsed`` the app's settings (``gateway.config`` calls it)."""
    app.extensions[_KEY] = parsed
