"""Telco adapters: one package per aggregator behind the neutral seam of ``base.py``.

Each package (``africastalking``, and siblings such as ``esms``) turns its aggregator's
callbacks into the neutral services of ``gateway.channels`` (the USSD hop, the inbox of
inbound SMS, delivery reports) and offers an :class:`~gateway.telco.base.SmsSender`. Every
registered package's callbacks are served; ``CHITRA_SMS_TELCO`` picks the one that sends.
A package provides ``init_app(app)``, ``sender(app)`` (raising RuntimeError when its account
is not configured), ``start_dev_stub(app, base_url)`` and ``ussd_path(key)`` when it serves
USSD. See docs/adding-a-telco.md.
"""

from __future__ import annotations

import importlib
import logging
import re
from types import ModuleType

from flask import Flask

from gateway.settings import SettingError
from gateway.telco.base import SmsSender

# Aggregator name -> its package. Adding a telco is one line here.
PACKAGES = {
    "africastalking": "gateway.telco.africastalking",
    "esms": "gateway.telco.esms",
}
DEFAULT = "africastalking"
USSD = "africastalking"  # no Vietnamese aggregator publishes a USSD API


def package(name: str) -> ModuleType:
    """Import one aggregator's package by its registered name."""
    return importlib.import_module(PACKAGES[name])


def sms_telco(app: Flask) -> str:
    """Name the aggregator that sends SMS (``CHITRA_SMS_TELCO``, default africastalking).

    Raises:
        gateway.settings.SettingError: the setting names no registered aggregator.
    """
    name = str(app.config.get("SMS_TELCO") or DEFAULT).strip().lower()
    if name not in PACKAGES:
        raise SettingError("SMS_TELCO", " or ".join(sorted(PACKAGES)), name)
    return name


def sender(app: Flask) -> SmsSender | None:
    """Build the configured aggregator's SMS sender, or None when its account is not set."""
    try:
        return package(sms_telco(app)).sender(app)
    except RuntimeError:
        return None


def start_dev_stub(app: Flask, base_url: str) -> str:
    """Start the configured aggregator's local stub for a development run; say where SMS go."""
    return package(sms_telco(app)).start_dev_stub(app, base_url)


def stop_dev_stub(app: Flask) -> None:
    """Stop whatever stub ``start_dev_stub`` started."""
    package(sms_telco(app)).stop_dev_stub(app)


def export(app: Flask, name: str, value: str) -> None:
    """Set a setting here and, through the environment, in the processes this run starts."""
    import os

    app.config[name] = value
    os.environ[f"CHITRA_{name}"] = value


def ussd_key(app: Flask) -> str | None:
    """Give the USSD callback's current key (to dial in with), or None when none is set."""
    return package(USSD).callback_key(app)


def ussd_path(app: Flask, key: str | None = None) -> str:
    """Give the path of the USSD callback (under the current callback key unless ``key``)."""
    return package(USSD).ussd_path(app, key)


class HideCallbackKey(logging.Filter):
    """Replace the callback key in access-log lines (werkzeug, gunicorn) with ``***``.

    Every aggregator's callbacks live under ``/telco/<aggregator>/<key>/``. A query string
    on a telco path is masked too: a gateway misconfigured to send USSD by GET would put the
    caller's whole input (``text=3*<PIN>``) and phone number into it, and some aggregators
    (eSMS's delivery reports) call with a GET query string by design.
    """

    _PATH = re.compile(r"(/telco/[A-Za-z0-9_-]+/)[^/\s?\"]+")
    _QUERY = re.compile(r"(/telco/[^\s?\"]*)\?[^\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the rendered message when it names a telco callback path; keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        if "/telco/" in message:
            masked = self._QUERY.sub(r"\1?***", self._PATH.sub(r"\1***", message))
            record.msg, record.args = masked, None
        return True


def init_app(app: Flask) -> None:
    """Build the channel services, serve every aggregator's callbacks, hide their keys in logs.

    Raises:
        gateway.settings.SettingError: a telco setting is malformed.
        ussd_menus.screens.GraphError: the USSD menu graph is broken.
    """
    from gateway.telco.services import init_services

    sms_telco(app)
    init_services(app)
    for name in PACKAGES:
        package(name).init_app(app)
    for logger_name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(logger_name)
        if not any(isinstance(f, HideCallbackKey) for f in logger.filters):
            logger.addFilter(HideCallbackKey())
