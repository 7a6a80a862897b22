"""The app's wallet verification service and SIM-swap check, built once from the settings."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

from flask import Flask, current_app

from gateway.wallets.simswap import max_age_hours, sim_swap_check
from gateway.wallets.verification import WalletVerification
from otp import OneTimeCodes, SimSwapCheck

_SERVICE = "chitra.wallet_verification"
_SIM_SWAP = "chitra.sim_swap_check"


def otp_key(config: Any) -> bytes:
    """Return the HMAC key of one-time codes: ``OTP_KEY`` (base64) or one derived from SECRET_KEY.

    Raises:
        ValueError: ``OTP_KEY`` is not base64 of at least 16 bytes.
    """
    given = config.get("OTP_KEY")
    if given:
        try:
            key = base64.b64decode(str(given), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("CHITRA_OTP_KEY must be base64") from None
        if len(key) < 16:
            raise ValueError("CHITRA_OTP_KEY must hold at least 16 bytes")
        return key
    # A separate key per use: knowing the codes' key tells nothing of the session secret.
    return hmac.new(str(config["SECRET_KEY"]).encode(), b"chitra one-time codes v1",
                    hashlib.sha256).digest()


def sim_swap_for(app: Flask | None = None) -> SimSwapCheck | None:
    """Return the app's SIM-swap check (cached per app), or None when none is configured."""
    app = app or current_app
    if _SIM_SWAP not in app.extensions:
        app.extensions[_SIM_SWAP] = sim_swap_check(app.config)
    return app.extensions[_SIM_SWAP]


def wallet_verification(app: Flask | None = None) -> WalletVerification:
    """Return the app's wallet verification service, building it on first use.

    Raises:
        RuntimeError: no Redis is configured (codes live in Redis).
    """
    app = app or current_app
    service = app.extensions.get(_SERVICE)
    if service is None:
        from gateway.pii.codec import get_pii
        from gateway.redis_conn import get_redis

        client = get_redis(app)
        service = WalletVerification(
            get_pii(app), OneTimeCodes(client, otp_key(app.config), key_prefix="chitra:otp"),
            redis_client=client, sim_swap=sim_swap_for(app),
            sim_swap_max_age_hours=max_age_hours(app.config))
        app.extensions[_SERVICE] = service
    return service
