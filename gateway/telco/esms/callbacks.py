"""eSMS's calls to us: delivery reports and inbound short-code SMS (MO), both HTTP GETs.

Both live under ``/telco/esms/<key>/``. Delivery reports are unsigned
(``esms-api/callback-url.md``), so the secret path segment (``ESMS_CALLBACK_KEY``, several
during a rotation) and the ``ESMS_ALLOWED_IPS`` allow-list are their authentication, as for
Africa's Talking (:mod:`gateway.telco.trust`); any refusal is a 404. An MO is also signed
(``esms-api/svoucher-connect/connect-to-shortcode-service.md``): a missing or wrong ``sign``
files nothing. The reply to an MO goes back in the HTTP answer, in eSMS's XML.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Flask, Response, abort, current_app, request

from gateway.channels.inbound import Unstored, inbox
from gateway.channels.sms import apply_delivery_report
from gateway.db import get_db
from gateway.telco import trust
from gateway.telco.base import DeliveryReport, InboundMessage
from gateway.telco.esms.codes import delivery_status
from gateway.telco.esms.signature import mo_sign_valid
from gateway.vn.cells import InvalidValue
from gateway.vn.phone import parse_phone
from ussd_menus import catalogs

log = logging.getLogger(__name__)
bp = Blueprint("esms", __name__, url_prefix="/telco/esms/<key>")

TELCO = "esms"
ID_MAX = 100
SMS_MAX = 1000


@bp.url_value_preprocessor
def _check_caller(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 unless the path holds a configured key and the caller's address is allowed."""
    given = str((values or {}).pop("key", ""))
    refusal = trust.refusal(current_app.config, "ESMS_CALLBACK_KEY", "ESMS_ALLOWED_IPS", given,
                            request.remote_addr, request.headers.getlist("X-Forwarded-For"))
    if refusal == "address":
        log.warning("esms callback refused: address not allowed")
    if refusal:
        abort(404)


def _field(args: Mapping[str, str], name: str, limit: int = ID_MAX) -> str | None:
    value = args.get(name)
    if value is None or len(value) > limit or "\x00" in value:
        return None
    return value.strip()


# --- delivery reports -------------------------------------------------------------------

def delivery_report(args: Mapping[str, str]) -> DeliveryReport | None:
    """Read one delivery-report GET, or None when it names no message or an unknown status.

    The report is matched on ``RequestId`` (our message ref, which the sender passes and
    eSMS echoes), else on ``SMSID``. ``telcoid`` (the network) and ``phonenumber`` are not
    kept: the first says nothing we use, the second is personal data.
    """
    message_id = _field(args, "RequestId") or _field(args, "SMSID")
    mapped = delivery_status(_field(args, "SendStatus", 4) or "", _field(args, "SendSuccess", 9),
                             _field(args, "SendFailed", 9), _field(args, "TypeId", 4))
    if not message_id or mapped is None:
        return None
    status, reason = mapped
    return DeliveryReport(message_id, status, reason)


@bp.get("/delivery")
def delivery() -> Response:
    """Record eSMS's delivery report on the message it names; always answer 200."""
    report = delivery_report(request.args)
    if report is None:
        log.info("esms delivery report ignored: no message id or unknown status")
    else:
        with get_db().session() as s:
            if not apply_delivery_report(s, report, telco=TELCO):
                log.info("esms delivery report for an unknown message")
    return Response("OK", 200, mimetype="text/plain")


# --- inbound SMS (MO) on the short code -------------------------------------------------

# Characters XML 1.0 cannot carry at all, even escaped: a query may hold any of them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def client_response(message: str | None, smsid: str, receiver: str) -> str:
    """Write the XML answer eSMS reads the reply from (``<ClientResponse>``)."""
    return ("<ClientResponse>"
            f"<Message>{_text(message or '')}</Message>"
            f"<Smsid>{_text(smsid)}</Smsid>"
            f"<Receiver>{_text(receiver)}</Receiver>"
            "</ClientResponse>")


def _xml(body: str, status: int = 200) -> Response:
    return Response(body, status, mimetype="application/xml")


def inbound_message(args: Mapping[str, str], private_key: str,
                    cpid: str | None = None) -> InboundMessage | str:
    """Read one signed MO GET, or say why it is refused ("sign", "cpid", "fields", "phone")."""
    smsid = _field(args, "smsid")
    content = _field(args, "content", SMS_MAX)
    given_cpid = _field(args, "cpid")
    when = _field(args, "receiverTime", 20)
    sign = _field(args, "sign")
    if not smsid or content is None or given_cpid is None or when is None:
        return "fields"
    if not sign or not mo_sign_valid(sign, given_cpid, smsid, content, when, private_key):
        return "sign"
    if cpid is not None and given_cpid != cpid:
        return "cpid"
    try:
        phone = parse_phone((args.get("sender") or "")[:32])
    except (InvalidValue, ValueError, TypeError):
        return "phone"
    return InboundMessage(TELCO, smsid, phone, content)


@bp.get("/mo")
def mo() -> Response:
    """Answer a short-code SMS once per eSMS ``smsid``, the reply in eSMS's XML."""
    private_key = current_app.config.get("ESMS_MO_PRIVATE_KEY")
    if not private_key:
        abort(404)  # no short-code service configured: the route does not exist
    message = inbound_message(request.args, str(private_key),
                              current_app.config.get("ESMS_MO_CPID"))
    smsid = (_field(request.args, "smsid") or "")[:ID_MAX]
    sender = (_field(request.args, "sender", 32) or "")
    if isinstance(message, str):
        if message in ("sign", "cpid", "fields"):
            log.warning("esms mo refused: %s", message)
            return Response("refused", 403, mimetype="text/plain")
        return _xml(client_response(None, smsid, sender))  # not a Vietnamese mobile: no reply
    try:
        # None: nothing to say now (a redelivery, or a handling that failed and is retried
        # from the database, its reply then going by SMS).
        reply = inbox(current_app).receive(message, reply_by_sms=False)
    except Unstored:
        # Not even stored (the database is down): the sender still gets a short answer.
        log.warning("esms mo not stored")
        reply = catalogs.text(catalogs.DEFAULT_LANGUAGE, "error.system")
    return _xml(client_response(reply, smsid, sender))


def init_app(app: Flask) -> None:
    """Register the eSMS callbacks (the access-log filter on ``/telco/`` paths covers them)."""
    app.register_blueprint(bp)
