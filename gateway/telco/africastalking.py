"""Africa's Talking callbacks: USSD hops, USSD session ends, inbound SMS, SMS delivery reports.

All four live under ``/telco/africastalking/<key>/``; AT signs nothing, so the secret path
segment (``AT_CALLBACK_KEY``, several during a rotation) is the authentication, compared in
constant time and never logged, and ``AT_ALLOWED_IPS`` can restrict the callers' addresses
(see :mod:`gateway.telco.trust`). Whatever arrives, a USSD caller gets a short valid
``CON``/``END`` screen and AT gets a 200: an HTTP error would end the caller's session with a
telco error instead of our words.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, request
from sqlalchemy.exc import IntegrityError

from gateway.channels import ratelimit
from gateway.channels.models import InboundSms, SmsKind
from gateway.channels.outbound import stage_sms
from gateway.channels.port import DbPort, language_key
from gateway.channels.sms import apply_delivery_report
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.redis_conn import get_redis
from gateway.registry.validation import InvalidValue, parse_phone
from gateway.telco import trust
from gateway.wallets.service import wallet_verification
from ussd_menus import RedisSessionStore, SmsResponder, UssdEngine, catalogs
from ussd_menus.gsm7 import fits_screen
from ussd_menus.session import Batch

log = logging.getLogger(__name__)
bp = Blueprint("africastalking", __name__, url_prefix="/telco/africastalking/<key>")

TEXT_MAX = 400  # AT's cumulative input; a real session types far less
ID_MAX = 100
SMS_MAX = 1000
_ENGINE = "chitra.ussd_engine"
_STORE = "chitra.ussd_store"
_PORT = "chitra.ussd_port"

TOO_FAST = {
    "vi": "Ban thao tac qua nhanh. Vui long thu lai sau 1 phut.",
    "vi_accented": "Bạn thao tác quá nhanh. Vui lòng thử lại sau 1 phút.",
    "en": "Too many requests. Please try again in a minute.",
}
SMS_TOO_MANY = {
    "vi": "ChiTra: ban da gui qua nhieu tin trong 1 gio. Vui long thu lai sau.",
    "vi_accented": "ChiTra: ban da gui qua nhieu tin trong 1 gio. Vui long thu lai sau.",
    "en": "ChiTra: too many messages this hour. Please try again later.",
}


# --- the secret path --------------------------------------------------------------------

class _HideCallbackKey(logging.Filter):
    """Replace the callback key in access-log lines (werkzeug, gunicorn) with ``***``.

    A query string on a telco path is masked too: a gateway misconfigured to send USSD by GET
    would put the caller's whole input (``text=3*<PIN>``) and phone number into it.
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
    """Register the callbacks and keep the key out of the access logs we control."""
    app.register_blueprint(bp)
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _HideCallbackKey) for f in logger.filters):
            logger.addFilter(_HideCallbackKey())


@bp.url_value_preprocessor
def _check_caller(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 unless the path holds a configured key and the caller's address is allowed.

    A disallowed address gets the same 404 as a wrong key: a scanner learns nothing.
    """
    given = str((values or {}).pop("key", ""))
    cfg = current_app.config
    if not trust.key_matches(given, cfg.get("AT_CALLBACK_KEY")):
        abort(404)
    allowed = trust.parse_networks(cfg.get("AT_ALLOWED_IPS"))  # parsed at start-up already
    if allowed:
        caller = trust.client_address(request.remote_addr,
                                      request.headers.getlist("X-Forwarded-For"),
                                      trust.parse_networks(cfg.get("TRUSTED_PROXIES")))
        if not trust.address_allowed(caller, allowed):
            log.warning("telco callback refused: address not allowed")
            abort(404)


# --- shared pieces ----------------------------------------------------------------------

def _port(channel: str) -> DbPort:
    cfg = current_app.config
    return DbPort(get_db(), get_pii(), get_redis(), hotline=str(cfg["HOTLINE"]),
                  province_code=cfg.get("PROVINCE_CODE"), channel=channel,
                  wallets=wallet_verification())


def _engine() -> UssdEngine:
    """Build the engine once per app: it validates the whole menu graph."""
    engine = current_app.extensions.get(_ENGINE)
    if engine is None:
        store = RedisSessionStore(get_redis(), prefix="chitra:ussd",
                                  phone_key_secret=current_app.config["SECRET_KEY"].encode())
        port = _port("ussd")
        engine = UssdEngine(port, store)
        current_app.extensions[_STORE] = store
        current_app.extensions[_PORT] = port
        current_app.extensions[_ENGINE] = engine
    return engine


def _field(name: str, limit: int) -> str | None:
    value = request.form.get(name)
    if value is None or len(value) > limit or "\x00" in value:
        return None
    return value


def _phone(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return parse_phone(raw.strip()[:32])
    except (InvalidValue, ValueError, TypeError):
        return None


def _lang(phone: str | None) -> str:
    if phone is None:
        return catalogs.DEFAULT_LANGUAGE
    try:
        return catalogs.normalise_language(_port("ussd").language(phone))
    except Exception:  # Redis down: the default language still answers
        return catalogs.DEFAULT_LANGUAGE


def _ussd(text: str, *, end: bool) -> Response:
    body = ("END " if end else "CON ") + text
    if not fits_screen(text):
        body = "END " + catalogs.text(catalogs.DEFAULT_LANGUAGE, "error.system")
    return Response(body, 200, mimetype="text/plain")


def _system_error(lang: str) -> Response:
    return _ussd(catalogs.text(lang, "error.system"), end=True)


# --- USSD -------------------------------------------------------------------------------

@bp.post("/ussd")
def ussd() -> Response:
    """Answer one USSD hop with ``CON ...`` (more to come) or ``END ...`` (session over)."""
    session_id = _field("sessionId", ID_MAX)
    text = _field("text", TEXT_MAX)
    if text is None and "text" not in request.form:
        text = ""  # some gateways omit an empty first-hop text
    phone = _phone(request.form.get("phoneNumber"))
    if phone is None or not session_id or text is None:
        lang = _lang(phone)
        key = "unknown_phone" if phone is None else "error.system"
        return _ussd(catalogs.text(lang, key, hotline=current_app.config["HOTLINE"]), end=True)
    try:
        engine = _engine()
        store: RedisSessionStore = current_app.extensions[_STORE]
        port: DbPort = current_app.extensions[_PORT]
        # One round trip counts the hop and reads the session, the resume copy and the
        # phone's language (which a session's first screen needs).
        pipe = Batch(get_redis())
        ratelimit.queue_hit(pipe, "ussd", get_pii().phone_index(phone), 60)
        store.prefetch(pipe, session_id, phone)
        pipe.get(language_key(get_pii(), phone))
        count, _, session, resume, lang = pipe.execute()
        if int(count) > int(current_app.config["USSD_HOPS_PER_MINUTE"]):
            return _ussd(TOO_FAST[_lang(phone)], end=True)
        with store.primed(session_id, phone, [session, resume]), \
                port.primed_language(phone, lang):
            reply = engine.handle(session_id, phone, text)
    except Exception:
        # No input, phone or session id in the log: the exception type is enough to alert.
        log.exception("ussd hop failed")
        return _system_error(_lang(phone))
    return _ussd(reply.text, end=reply.end)


@bp.post("/ussd/events")
def ussd_events() -> Response:
    """Acknowledge AT's end-of-session notice, keeping only its outcome (nothing personal)."""
    status = (request.form.get("status") or "")[:20]
    hops = (request.form.get("hopsCount") or "")[:6]
    if status in ("Success", "Incomplete", "Failed"):
        log.info("ussd session ended: %s after %s hops", status, hops if hops.isdigit() else "?")
    return Response("OK", 200, mimetype="text/plain")


# --- SMS --------------------------------------------------------------------------------

@bp.post("/sms/inbound")
def sms_inbound() -> Response:
    """Answer an inbound SMS once per AT message id, queueing the reply as an outbound SMS."""
    message_id = _field("id", ID_MAX)
    phone = _phone(request.form.get("from"))
    text = (request.form.get("text") or "")[:SMS_MAX].replace("\x00", "")
    if not message_id or phone is None:
        return Response("OK", 200, mimetype="text/plain")  # nothing we could answer
    db, codec = get_db(), get_pii()
    try:
        with db.session() as s:
            s.add(InboundSms(at_message_id=message_id))
    except IntegrityError:
        return Response("OK", 200, mimetype="text/plain")  # AT retried: answered already
    try:
        reply = _sms_reply(phone, text)
        if reply is not None:
            with db.session() as s:
                reply_id = stage_sms(s, codec, phone, reply, SmsKind.REPLY)
                s.execute(sa.update(InboundSms).where(InboundSms.at_message_id == message_id)
                          .values(reply_id=reply_id))
    except Exception:
        log.exception("inbound sms not answered")
    return Response("OK", 200, mimetype="text/plain")


def _sms_reply(phone: str, text: str) -> str | None:
    """Write the reply, or the polite refusal once when the phone sends too much."""
    limit = int(current_app.config["SMS_INBOUND_PER_HOUR"])
    count = ratelimit.hit(get_redis(), "sms", get_pii().phone_index(phone), 3600)
    if count > limit:
        # Refuse once per window: answering every message would let anyone run up our bill.
        return SMS_TOO_MANY[_lang(phone)] if count == limit + 1 else None
    return SmsResponder(_port("sms")).reply(phone, text)


@bp.post("/sms/delivery")
def sms_delivery() -> Response:
    """Record AT's delivery report on the outbound message it names."""
    message_id = _field("id", ID_MAX)
    status = (request.form.get("status") or "")[:20]
    # NUL is refused by PostgreSQL text columns: drop it rather than fail AT's report.
    reason = (request.form.get("failureReason") or "").replace("\x00", "")[:100] or None
    if message_id:
        with get_db().session() as s:
            if not apply_delivery_report(s, message_id, status, reason):
                log.info("delivery report for an unknown message")
    return Response("OK", 200, mimetype="text/plain")
