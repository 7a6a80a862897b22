"""The app's wallet verification service and SIM-swap check, built once when the app is created."""

from __future__ import annotations

from flask import Flask, current_app

from gateway.redis_conn import RedisNotConfigured
from gateway.settings import settings
from gateway.wallets.simswap import sim_swap_check
from gateway.wallets.verification import WalletVerification
from otp import OneTimeCodes, SimSwapCheck

_SERVICE = "chitra.wallet_verification"
_SIM_SWAP = "chitra.sim_swap_check"


def init_app(app: Flask) -> None:
    """Build the SIM-swap check and, when Redis is configured, the wallet verification service.

    ``gateway run`` calls it again once it has started the embedded Redis.
    """
    from gateway.pii.codec import get_pii

    wallets = settings(app).wallets
    check = sim_swap_check(wallets)
    app.extensions[_SIM_SWAP] = check
    client = app.extensions.get("chitra.redis")
    app.extensions[_SERVICE] = None if client is None else WalletVerification(
        get_pii(app), OneTimeCodes(client, wallets.otp_key, key_prefix="chitra:otp"),
        redis_client=client, sim_swap=check,
        sim_swap_max_age_hours=wallets.sim_swap_max_age_hours)


def sim_swap_for(app: Flask | None = None) -> SimSwapCheck | None:
    """Return the app's SIM-swap check, or None when none is configured."""
    return (app or current_app).extensions[_SIM_SWAP]


def wallet_verification(app: Flask | None = None) -> WalletVerification:
    """Return the app's wallet verification service.

    Raises:
        RedisNotConfigured: no Redis is configured (codes live in Redis).
    """
    service = (app or current_app).extensions.get(_SERVICE)
    if service is None:
        raise RedisNotConfigured(
            "no Redis configured: set CHITRA_REDIS_URL (or use the one `gateway run` prints)")
    return service
