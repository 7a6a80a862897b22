"""The blueprint of Africa's Talking's callbacks and who may call it.

All four callbacks live under ``/telco/africastalking/<key>/``; AT signs nothing, so the
secret path segment (``AT_CALLBACK_KEY``, several during a rotation) is the authentication,
compared in constant time and never logged, and ``AT_ALLOWED_IPS`` can restrict the callers'
addresses (see :mod:`gateway.telco.trust`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, current_app, request

from gateway.telco import trust
from gateway.telco.africastalking.settings import NAME

log = logging.getLogger(__name__)
bp = Blueprint(NAME, __name__, url_prefix=f"/telco/{NAME}/<key>")
PATH_PREFIX = f"/telco/{NAME}/"


def path(key: str, callback: str) -> str:
    """Give the path of one AT callback (``ussd``, ``sms/inbound``, ...) under ``key``."""
    return f"{PATH_PREFIX}{key}/{callback}"


def refusal(cfg: Mapping[str, Any], key: str, remote_addr: str | None,
            forwarded_for: list[str]) -> str | None:
    """Say why a callback is refused ("key" or "address"), or None when it may come in."""
    return trust.refusal(cfg, "AT_CALLBACK_KEY", "AT_ALLOWED_IPS", key, remote_addr,
                         forwarded_for)


@bp.url_value_preprocessor
def _check_caller(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 unless the path holds a configured key and the caller's address is allowed.

    A disallowed address gets the same 404 as a wrong key: a scanner learns nothing.
    """
    given = str((values or {}).pop("key", ""))
    why = refusal(current_app.config, given, request.remote_addr,
                  request.headers.getlist("X-Forwarded-For"))
    if why == "address":
        log.warning("telco callback refused: address not allowed")
    if why:
        abort(404)
