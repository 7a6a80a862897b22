"""The process's disburser: one per process, so adapters and their connection pools are
built once (the web layer uses it to verify callbacks; workers to pay)."""

from __future__ import annotations

import threading

from flask import Flask

from gateway.disbursement.engine import Disburser

_lock = threading.Lock()
_disbursers: dict[int, Disburser] = {}


def disburser_for(app: Flask) -> Disburser:
    """Return the disburser of ``app`` in this process, building it on first use."""
    with _lock:
        found = _disbursers.get(id(app))
        if found is None:
            from gateway.db import get_db
            from gateway.pii.codec import get_pii
            from gateway.wallets.service import sim_swap_for
            from gateway.wallets.simswap import max_age_hours

            cfg = app.config
            found = Disburser(
                get_db(app), get_pii(app), redis_client=app.extensions.get("chitra.redis"),
                callback_base=cfg.get("PUBLIC_URL"),
                adapter_overrides=cfg.get("WALLET_ADAPTER_OVERRIDES") or {},
                sim_swap=sim_swap_for(app), sim_swap_max_age_hours=max_age_hours(cfg))
            _disbursers[id(app)] = found
        return found


def forget(app: Flask) -> None:
    """Drop the app's disburser (its settings changed; tests use this)."""
    with _lock:
        _disbursers.pop(id(app), None)
