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
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, request
from sqlalchemy.exc import IntegrityError

from gateway.channels import ratelimit
from gateway.channels.models import InboundSms, SmsKind
from gateway.channels.outbound import stage_sms
from gateway.channels.port import DbPort, language_key_for
from gateway.channels.sms import apply_delivery_report
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.redis_conn import get_redis
from gateway.telco import trust
from gateway.vn.cells import InvalidValue
from gateway.vn.phone import parse_phone
from gateway.wallets.service import wallet_verification
from ussd_menus import RedisSessionStore, SmsResponder, UssdEngine, catalogs
from ussd_menus.batch import Batch
from ussd_menus.gsm7 import fits_screen

log = logging.getLogger(__name__)
bp = Blueprint("africastalking", __name__, url_prefix="/telco/africastalking/<key>")

TEXT_MAX = 400  # AT's cumulative input; a real session types far less
ID_MAX = 100
SMS_MAX = 1000
_HOP = "chitra.ussd_hop"

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
    app.wsgi_app = UssdFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _HideCallbackKey) for f in logger.filters):
            logger.addFilter(_HideCallbackKey())


def _refusal(cfg: Mapping[str, Any], key: str, remote_addr: str | None,
             forwarded_for: list[str]) -> str | None:
    """Say why a callback is refused ("key" or "address"), or None when it may come in."""
    if not trust.key_matches(key, cfg.get("AT_CALLBACK_KEY")):
        return "key"
    allowed = trust.parse_networks(cfg.get("AT_ALLOWED_IPS"))  # parsed at start-up already
    if allowed:
        caller = trust.client_address(remote_addr, forwarded_for,
                                      trust.parse_networks(cfg.get("TRUSTED_PROXIES")))
        if not trust.address_allowed(caller, allowed):
            return "address"
    return None


@bp.url_value_preprocessor
def _check_caller(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Answer 404 unless the path holds a configured key and the caller's address is allowed.

    A disallowed address gets the same 404 as a wrong key: a scanner learns nothing.
    """
    given = str((values or {}).pop("key", ""))
    refusal = _refusal(current_app.config, given, request.remote_addr,
                       request.headers.getlist("X-Forwarded-For"))
    if refusal == "address":
        log.warning("telco callback refused: address not allowed")
    if refusal:
        abort(404)


# --- shared pieces ----------------------------------------------------------------------

def _port(channel: str, app: Flask | None = None) -> DbPort:
    app = app or current_app
    cfg = app.config
    return DbPort(get_db(app), get_pii(app), get_redis(app), hotline=str(cfg["HOTLINE"]),
                  province_code=cfg.get("PROVINCE_CODE"), channel=channel,
                  wallets=wallet_verification(app))


def _field(form: Mapping[str, str], name: str, limit: int) -> str | None:
    value = form.get(name)
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


def _lang(phone: str | None, port: DbPort | None = None) -> str:
    if phone is None:
        return catalogs.DEFAULT_LANGUAGE
    try:
        return catalogs.normalise_language((port or _port("ussd")).language(phone))
    except Exception:  # Redis down: the default language still answers
        return catalogs.DEFAULT_LANGUAGE


def _screen(text: str, *, end: bool) -> str:
    """Prefix a screen with ``CON``/``END``; one that would not fit becomes the error screen."""
    if not fits_screen(text):
        return "END " + catalogs.text(catalogs.DEFAULT_LANGUAGE, "error.system")
    return ("END " if end else "CON ") + text


# --- USSD -------------------------------------------------------------------------------

class UssdHop:
    """Answer one USSD hop from AT's form fields; built once per app, used by every thread.

    Flask-free, so the WSGI fast path (:class:`UssdFastPath`) and the blueprint view share it.
    """

    def __init__(self, app: Flask) -> None:
        """Build the engine once: it validates the whole menu graph."""
        cfg = app.config
        self._app = app
        self._redis = get_redis(app)
        self._codec = get_pii(app)
        self._store = RedisSessionStore(self._redis, prefix="chitra:ussd",
                                        phone_key_secret=str(cfg["SECRET_KEY"]).encode())
        self._port = _port("ussd", app)
        self._engine = UssdEngine(self._port, self._store)

    @staticmethod
    def of(app: Flask) -> UssdHop:
        """Return the app's hop service, building it on first use."""
        hop = app.extensions.get(_HOP)
        if hop is None:
            hop = app.extensions[_HOP] = UssdHop(app)
        return hop

    def answer(self, form: Mapping[str, str]) -> str:
        """Return the reply body, ``CON ...`` or ``END ...``, for one hop's form fields."""
        session_id = _field(form, "sessionId", ID_MAX)
        text = _field(form, "text", TEXT_MAX)
        if text is None and "text" not in form:
            text = ""  # some gateways omit an empty first-hop text
        phone = _phone(form.get("phoneNumber"))
        if phone is None or not session_id or text is None:
            lang = _lang(phone, self._port)
            key = "unknown_phone" if phone is None else "error.system"
            hotline = str(self._app.config["HOTLINE"])
            return _screen(catalogs.text(lang, key, hotline=hotline), end=True)
        try:
            # One round trip counts the hop and reads the session, the resume copy and the
            # phone's language (which a session's first screen needs).
            index = self._codec.phone_index(phone)
            batch = Batch(self._redis)
            ratelimit.queue_hit(batch, "ussd", index, 60)
            self._store.prefetch(batch, session_id, phone)
            batch.get(language_key_for(index))
            count, _, session, resume, lang = batch.execute()
            if int(count) > int(self._app.config["USSD_HOPS_PER_MINUTE"]):
                chosen = catalogs.normalise_language(self._port.language_from(lang))
                return _screen(TOO_FAST[chosen], end=True)
            with self._store.primed(session_id, phone, [session, resume]), \
                    self._port.primed_language(phone, lang):
                reply = self._engine.handle(session_id, phone, text)
        except Exception:
            # No input, phone or session id in the log: the exception type is enough to alert.
            log.exception("ussd hop failed")
            return _screen(catalogs.text(_lang(phone, self._port), "error.system"), end=True)
        return _screen(reply.text, end=reply.end)


def _answer(app: Flask, form: Mapping[str, str]) -> str:
    try:
        hop = UssdHop.of(app)
    except Exception:  # no Redis configured, a broken menu graph: say so politely
        log.exception("ussd hop failed")
        return _screen(catalogs.text(catalogs.DEFAULT_LANGUAGE, "error.system"), end=True)
    return hop.answer(form)


@bp.post("/ussd")
def ussd() -> Response:
    """Answer one USSD hop with ``CON ...`` (more to come) or ``END ...`` (session over).

    Hops in AT's usual shape (a small urlencoded body) are answered by the fast path before
    Flask sees them; this view answers the rest (multipart, chunked, large) the same way.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return Response(_answer(app, request.form), 200, mimetype="text/plain")


class UssdFastPath:
    """Answer AT's USSD hops straight from WSGI, before Flask builds a request.

    USSD is the hot path: a session is several hops, each waited for by a person at a phone,
    and Flask's request machinery (context, routing, form parsing, response object) costs
    more CPU than ChiTra's own work for a hop. This middleware answers the common shape of a
    hop (``POST .../<key>/ussd``, a urlencoded body of at most ``FAST_BODY_MAX`` bytes, an
    allowed caller) with the same :class:`UssdHop` as the view and the same response; any
    other request, a wrong key or a refused address included, goes on to Flask untouched.
    """

    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        """Wrap ``wsgi_app`` (the app's own ``wsgi_app``)."""
        self._app = app
        self._next = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Answer a USSD hop, or pass the request on."""
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") == "POST" and path.startswith(_PATH_PREFIX)
                and path.endswith(_USSD_SUFFIX)):
            size = _fast_body_size(environ)
            key = path[len(_PATH_PREFIX):-len(_USSD_SUFFIX)]
            if size is not None and "/" not in key and self._trusted(key, environ):
                try:
                    raw = environ["wsgi.input"].read(size)
                except OSError:  # the caller hung up mid-body, as Werkzeug would say: 400
                    return _plain(start_response, "400 Bad Request", b"Bad Request")
                body = _answer(self._app, _parse_form(raw)).encode()
                return _plain(start_response, "200 OK", body)
        return self._next(environ, start_response)

    def _trusted(self, key: str, environ: dict[str, Any]) -> bool:
        """Apply the blueprint's checks; a refusal is left to Flask to answer (404) and log."""
        forwarded = environ.get("HTTP_X_FORWARDED_FOR")
        return _refusal(self._app.config, key, environ.get("REMOTE_ADDR"),
                        [forwarded] if forwarded else []) is None


def _plain(start_response: Any, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


_PATH_PREFIX = bp.url_prefix.split("<", 1)[0]  # "/telco/africastalking/"
_USSD_SUFFIX = "/ussd"
FAST_BODY_MAX = 8192  # AT's hop is ~200 bytes; anything bigger takes Flask's general path


def _fast_body_size(environ: dict[str, Any]) -> int | None:
    """Return the body's size when the fast path can take it: urlencoded and small."""
    ctype = environ.get("CONTENT_TYPE", "")
    if ctype.partition(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return None
    try:
        size = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return size if 0 <= size <= FAST_BODY_MAX else None


def _parse_form(body: bytes) -> dict[str, str]:
    """Decode a urlencoded body as Werkzeug's ``request.form`` would; the first value wins.

    Same result as ``parse_qsl(..., keep_blank_values=True)`` with Werkzeug's error handler,
    at a third of its cost: most of AT's values need no unquoting at all.
    """
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return {}  # Werkzeug gives an empty form too
    form: dict[str, str] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name, errors="werkzeug.url_quote")
        if name in form:
            continue
        if "%" in value or "+" in value:
            value = unquote_plus(value, errors="werkzeug.url_quote")
        form[name] = value
    return form


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
    message_id = _field(request.form, "id", ID_MAX)
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
    message_id = _field(request.form, "id", ID_MAX)
    status = (request.form.get("status") or "")[:20]
    # NUL is refused by PostgreSQL text columns: drop it rather than fail AT's report.
    reason = (request.form.get("failureReason") or "").replace("\x00", "")[:100] or None
    if message_id:
        with get_db().session() as s:
            if not apply_delivery_report(s, message_id, status, reason):
                log.info("delivery report for an unknown message")
    return Response("OK", 200, mimetype="text/plain")
