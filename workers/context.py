"""The worker process's app and disburser, built once per process."""

from __future__ import annotations

import threading

from flask import Flask

from gateway.disbursement.engine import Disburser
from gateway.disbursement.service import disburser_for, forget

_lock = threading.Lock()
_app: Flask | None = None


def use(app: Flask) -> None:
    """Make ``app`` this process's app (tests and `gateway worker` call it)."""
    global _app
    with _lock:
        if _app is not None:
            forget(_app)
        forget(app)
        _app = app


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
    return disburser_for(app())
