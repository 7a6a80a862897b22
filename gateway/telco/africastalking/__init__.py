"""Africa's Talking: USSD hops and SMS (send, inbound, delivery reports) for the gateway.

- :mod:`.callbacks`: the blueprint under ``/telco/africastalking/<key>/`` and its checks;
- :mod:`.ussd`: AT's USSD wire format (``CON``/``END``) and the WSGI fast path;
- :mod:`.sms`: the SMS sender (AT's SDK) and the inbound and delivery callbacks;
- :mod:`.settings`: the ``AT_*`` settings; :mod:`.stub`: a local stand-in for AT's SMS API.
"""

from __future__ import annotations

import secrets

from flask import Flask

from gateway.telco import export, trust
from gateway.telco.africastalking import callbacks, settings, sms, ussd
from gateway.telco.base import SmsSender

NAME = settings.NAME
_SETTINGS = "chitra.at_settings"
_STUB = "chitra.at_stub"


def init_app(app: Flask) -> None:
    """Check the ``AT_*`` settings and serve AT's callbacks, USSD hops by the fast path first."""
    app.extensions[_SETTINGS] = settings.load(app.config)
    app.register_blueprint(callbacks.bp)
    app.wsgi_app = ussd.UssdFastPath(app, app.wsgi_app)  # type: ignore[method-assign]


def sender(app: Flask) -> SmsSender:
    """Build the AT sender from the current ``AT_*`` settings.

    Raises:
        RuntimeError: no API key is configured.
    """
    return sms.sender_from_settings(settings.load(app.config))


def callback_key(app: Flask) -> str | None:
    """Give the current callback key (the first during a rotation), or None when none is set."""
    return next(iter(trust.split_keys(app.config.get("AT_CALLBACK_KEY"))), None)


def ussd_path(app: Flask, key: str | None = None) -> str:
    """Give the USSD callback path under ``key`` or the current configured key.

    Raises:
        RuntimeError: no callback key is configured.
    """
    key = key or callback_key(app)
    if not key:
        raise RuntimeError("set CHITRA_AT_CALLBACK_KEY or pass --key")
    return callbacks.path(key, "ussd")


def start_dev_stub(app: Flask, base: str) -> str:
    """Set up Africa's Talking for a ``gateway run`` and return a line saying where SMS go.

    In development, unless ``CHITRA_AT_BASE_URL`` or ``CHITRA_AT_API_KEY`` name a real
    endpoint, a local AT stub is started on a free loopback port and every process of the run
    (the worker pool sends the SMS) is pointed at it; the stub reports each message delivered
    back to this server. A development run without ``CHITRA_AT_CALLBACK_KEY`` gets a random
    one so that ``gateway ussd-sim`` can dial in. Elsewhere nothing is started: SMS go through
    the configured AT account, or wait queued while ``CHITRA_AT_API_KEY`` is unset.
    """
    from gateway.telco.africastalking.stub import AtStub

    cfg = app.config
    development = cfg["ENV"] == "development"
    if development and not cfg.get("AT_CALLBACK_KEY"):
        export(app, "AT_CALLBACK_KEY", secrets.token_urlsafe(12))
    if not development or cfg.get("AT_BASE_URL") or cfg.get("AT_API_KEY"):
        if not cfg.get("AT_API_KEY"):
            return "queued, not sent: set CHITRA_AT_API_KEY"
        # The SDK picks AT's sandbox host for the username "sandbox".
        host = ("api.sandbox.africastalking.com" if cfg["AT_USERNAME"] == "sandbox"
                else "api.africastalking.com")
        where = cfg.get("AT_BASE_URL") or host
        return f"Africa's Talking ({where}, user {cfg['AT_USERNAME']})"
    callback = base + callbacks.path(str(callback_key(app)), "sms/delivery")
    stub = AtStub("127.0.0.1", 0, delivery_callback=callback).start()
    app.extensions[_STUB] = stub
    export(app, "AT_BASE_URL", stub.url)
    export(app, "AT_API_KEY", "dev-stub")
    return f"AT stub {stub.url} (sent messages: {stub.url}/_stub/messages)"


def stop_dev_stub(app: Flask) -> None:
    """Stop the stub a development run started, if any."""
    stub = app.extensions.get(_STUB)
    if stub:
        stub.stop()
