"""Build the channel services every telco shares, once per app, in a visible order.

The database port (with the wallet verification service injected), the USSD hop service
(whose engine validates the menu graph, so a broken graph stops the start-up) and the inbox
of inbound SMS. ``gateway run`` builds them again once it has started an embedded Redis.
"""

from __future__ import annotations

from flask import Flask

from gateway.channels.hop import EXTENSION as HOP
from gateway.channels.hop import UssdHop
from gateway.channels.inbound import EXTENSION as INBOX
from gateway.channels.inbound import Inbox
from gateway.channels.port import DbPort
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.wallets.service import wallet_verification
from ussd_menus.screens import GraphError


def port_for(app: Flask, channel: str) -> DbPort:
    """Build the menus' database port for one channel (``ussd`` or ``sms``)."""
    cfg = app.config
    client = app.extensions.get("chitra.redis")
    return DbPort(get_db(app), get_pii(app), client, hotline=str(cfg["HOTLINE"]),
                  province_code=cfg.get("PROVINCE_CODE"), channel=channel,
                  wallets=wallet_verification(app) if client is not None else None)


def init_services(app: Flask) -> None:
    """Build the hop service and the inbox for ``app`` (again after Redis changed).

    Raises:
        ussd_menus.screens.GraphError: the USSD menu graph is broken; the message says where.
    """
    cfg = app.config
    client = app.extensions.get("chitra.redis")
    try:
        hop = UssdHop(port_for(app, "ussd"), get_pii(app), client,  # type: ignore[arg-type]
                      secret_key=str(cfg["SECRET_KEY"]), hotline=str(cfg["HOTLINE"]),
                      hops_per_minute=lambda: int(cfg["USSD_HOPS_PER_MINUTE"]))
    except GraphError as exc:
        raise GraphError(f"the USSD menu graph is broken: {exc}") from None
    app.extensions[HOP] = hop if client is not None else None
    app.extensions[INBOX] = Inbox(get_db(app), get_pii(app), client,  # type: ignore[arg-type]
                                  port_for(app, "sms"),
                                  per_hour=lambda: int(cfg["SMS_INBOUND_PER_HOUR"]))
