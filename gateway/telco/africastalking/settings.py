"""Africa's Talking settings (``CHITRA_AT_*``), parsed once when the app is created."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.settings import SettingError
from gateway.telco import trust

NAME = "africastalking"


@dataclass(frozen=True)
class AtSettings:
    """Say how to reach Africa's Talking and who may call our AT callbacks."""

    callback_keys: tuple[str, ...]  # the current key first; an old one during a rotation
    allowed: tuple[trust.Network, ...]  # addresses allowed to call; empty: any
    proxies: tuple[trust.Network, ...]  # our reverse proxies (their X-Forwarded-For is read)
    username: str
    api_key: str | None
    base_url: str | None  # None: the SDK's own host; tests and demos point it at the stub
    sender_id: str | None


def _text(cfg: Mapping[str, Any], name: str) -> str | None:
    value = cfg.get(name)
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if "\x00" in text or len(text) > 500:
        raise SettingError(name, "text of at most 500 characters", value)
    return text


def load(cfg: Mapping[str, Any]) -> AtSettings:
    """Read the ``AT_*`` settings.

    Raises:
        gateway.settings.SettingError: a key, an address list or the base URL is malformed.
    """
    try:
        keys = trust.split_keys(cfg.get("AT_CALLBACK_KEY"))
    except trust.TrustSettingError as exc:
        raise SettingError("AT_CALLBACK_KEY", f"one key or new,old ({exc})",
                           cfg.get("AT_CALLBACK_KEY")) from None
    networks = {}
    for name in ("AT_ALLOWED_IPS", "TRUSTED_PROXIES"):
        try:
            networks[name] = trust.parse_networks(cfg.get(name))
        except trust.TrustSettingError as exc:
            raise SettingError(name, f"addresses or CIDR blocks ({exc})", cfg.get(name)) from None
    base_url = _text(cfg, "AT_BASE_URL")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise SettingError("AT_BASE_URL", "an http(s) URL", base_url)
    return AtSettings(keys, networks["AT_ALLOWED_IPS"], networks["TRUSTED_PROXIES"],
                      _text(cfg, "AT_USERNAME") or "sandbox", _text(cfg, "AT_API_KEY"),
                      base_url, _text(cfg, "AT_SENDER_ID"))
