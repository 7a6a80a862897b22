"""The app's disburser: built once when the app is created, so adapters and their connection
pools live as long as the process (the web layer uses it to verify callbacks; workers to pay)."""

from __future__ import annotations

from flask import Flask

from gateway.disbursement.engine import Disburser
from gateway.settings import mapping

_KEY = "chitra.disburser"


def init_app(app: Flask) -> None:
    """Build the app's disburser from its settings (again when ``gateway run`` changed them)."""
    from gateway.db import get_db
    from gateway.pii.codec import get_pii
    from gateway.settings import settings
    from gateway.wallets.service import sim_swap_for

    typed = settings(app)
    # Tests swap an adapter's settings in through app.config, then build the disburser again.
    overrides = mapping(app.config, "WALLET_ADAPTER_OVERRIDES")
    app.extensions[_KEY] = Disburser(
        get_db(app), get_pii(app), redis_client=app.extensions.get("chitra.redis"),
        callback_base=typed.public_url, adapter_overrides=overrides,
        sim_swap=sim_swap_for(app), sim_swap_max_age_hours=typed.wallets.sim_swap_max_age_hours)


def disburser_for(app: Flask) -> Disburser:
    """Return the disburser of ``app``."""
    return app.extensions[_KEY]


def forget(app: Flask) -> None:
    """Build the app's disburser again (its settings changed: tests use this)."""
    init_app(app)
