"""Wallet verification settings: the one-time codes' key and the SIM-swap check."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway import settings as parse


@dataclass(frozen=True)
class WalletSettings:
    """Hold the wallet verification settings, parsed once when the app is created."""

    otp_key: bytes  # HMAC key of the one-time codes
    sim_swap_url: str | None  # a CAMARA SimSwap-style base URL; None: no check configured
    sim_swap_token: str | None
    sim_swap_max_age_hours: int
    sim_swap_cache_seconds: float
    sim_swap_timeout: float


def load(cfg: Mapping[str, Any]) -> WalletSettings:
    """Parse the wallet settings (``SECRET_KEY`` must already be set).

    Raises:
        gateway.settings.SettingError: a value cannot be used (the message names it).
    """
    key = parse.base64_key(cfg, "OTP_KEY", min_bytes=16)
    if key is None:
        # A separate key per use: knowing the codes' key tells nothing of the session secret.
        key = hmac.new(str(cfg["SECRET_KEY"]).encode(), b"chitra one-time codes v1",
                       hashlib.sha256).digest()
    return WalletSettings(
        otp_key=key,
        sim_swap_url=parse.url(cfg, "SIM_SWAP_URL"),
        sim_swap_token=parse.text(cfg, "SIM_SWAP_TOKEN"),
        sim_swap_max_age_hours=parse.integer(cfg, "SIM_SWAP_MAX_AGE_HOURS", low=1, high=2400,
                                             default=72),
        sim_swap_cache_seconds=parse.number(cfg, "SIM_SWAP_CACHE_SECONDS", low=0, high=86400,
                                            default=300),
        sim_swap_timeout=parse.number(cfg, "SIM_SWAP_TIMEOUT", low=0.1, high=60, default=3.0),
    )
