"""The worker process's app and disburser, built once per process."""

from __future__ import annotations

import threading

from flask import Flask

from gateway.disbursement.engine import Disburser

_lock = threading.Lock()
_app: Flask | None = None
_disburser: Disburser | None = None


def use(app: Flask) -> None:
    """Make ``app`` this process's app (tests and `gateway worker` call it)."""
    global _app, _disburser
    with _lock:
        _app, _disburser = app, None


def app() -> Flask:
    """Return this process's app, creating it from the environment on first use."""
    global _app
    with _lock:
        if _app is None:
            from gateway import create_app

            _app = create_app()
        return _app


def disburser() -> Disburser:
    """Return this process's disburser (adapters and their pools live as long as it)."""
    global _disburser
    current = app()
    with _lock:
        if _disburser is None:
            from gateway.db import get_db
            from gateway.pii.codec import get_pii
            from gateway.redis_conn import get_redis

            cfg = current.config
            _disburser = Disburser(
                get_db(current), get_pii(current), redis_client=get_redis(current),
                callback_base=cfg.get("PUBLIC_URL"),
                adapter_overrides=cfg.get("WALLET_ADAPTER_OVERRIDES") or {})
        return _disburser
