"""``gateway run`` with ``CHITRA_SMS_TELCO=esms``: eSMS's account, or its stub in development."""

from __future__ import annotations

import secrets

from flask import Flask

from gateway.telco import export
from gateway.telco.esms.settings import PRODUCTION_URL

STUB_KEY = "dev-stub"
STUB_BRANDNAME = "ChiTra"
EXTENSION = "chitra.esms_stub"


def ensure_esms(app: Flask, base: str) -> str:
    """Set up eSMS for this run and return a line describing where SMS go.

    In development, unless ``CHITRA_ESMS_BASE_URL`` names another endpoint or
    ``CHITRA_ESMS_API_KEY`` is set, a local eSMS stub is started on a free loopback port and
    every process of the run is pointed at it (the settings are exported to the environment
    the children inherit); the stub reports each message delivered back to this server and
    signs MOs with the run's short-code key. A development run without
    ``CHITRA_ESMS_CALLBACK_KEY`` gets a random one. Elsewhere nothing is started.
    """
    cfg = app.config
    development = cfg["ENV"] == "development"
    if development and not cfg.get("ESMS_CALLBACK_KEY"):
        export(app, "ESMS_CALLBACK_KEY", secrets.token_urlsafe(12))
    if not development or cfg.get("ESMS_API_KEY") or cfg["ESMS_BASE_URL"] != PRODUCTION_URL:
        if not cfg.get("ESMS_API_KEY"):
            return "queued, not sent: set CHITRA_ESMS_API_KEY"
        sandbox = ", sandbox: checked, not sent" if cfg.get("ESMS_SANDBOX") else ""
        return f"eSMS ({cfg['ESMS_BASE_URL']}, brandname {cfg['ESMS_BRANDNAME']}{sandbox})"
    from gateway.telco.esms.stub import EsmsStub

    if not cfg.get("ESMS_MO_PRIVATE_KEY"):
        export(app, "ESMS_MO_PRIVATE_KEY", secrets.token_urlsafe(16))
    stub = EsmsStub("127.0.0.1", 0, api_key=STUB_KEY, secret_key=STUB_KEY,
                    brandname=STUB_BRANDNAME, auto_deliver=True,
                    mo_private_key=str(cfg["ESMS_MO_PRIVATE_KEY"]),
                    mo_cpid=str(cfg.get("ESMS_MO_CPID") or "DEVCP")).start()
    app.extensions[EXTENSION] = stub
    for name, value in (("ESMS_BASE_URL", stub.base_url), ("ESMS_API_KEY", STUB_KEY),
                        ("ESMS_SECRET_KEY", STUB_KEY), ("ESMS_BRANDNAME", STUB_BRANDNAME)):
        export(app, name, value)
    return f"eSMS stub {stub.url} (sent messages: {stub.url}/_stub/messages)"


def stop_stub(app: Flask) -> None:
    """Stop the development stub this run started, if any."""
    stub = app.extensions.pop(EXTENSION, None)
    if stub is not None:
        stub.stop()
