"""Africa's Talking USSD: its wire format over the neutral hop service.

AT posts each hop as a form (``sessionId``, ``phoneNumber``, ``text``: the caller's whole
input so far, ``1*2``) and reads the answer as ``CON <screen>`` (more to come) or ``END
<screen>``. Whatever arrives, a caller gets a short valid screen and AT gets a 200: an HTTP
error would end the caller's session with a telco error instead of our words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from flask import Flask, Response, current_app, request

from gateway.channels.hop import HopReply, failure, ussd_hop
from gateway.telco.africastalking.callbacks import PATH_PREFIX, bp, refusal
from gateway.telco.africastalking.sms import ID_MAX, field, phone_of

log = logging.getLogger(__name__)

TEXT_MAX = 400  # AT's cumulative input; a real session types far less


def _wire(reply: HopReply) -> str:
    return ("END " if reply.end else "CON ") + reply.text


def _answer(app: Flask, form: Mapping[str, str]) -> str:
    """Read AT's hop fields, answer through the app's hop service, write ``CON``/``END``."""
    session_id = field(form, "sessionId", ID_MAX)
    text = field(form, "text", TEXT_MAX)
    if text is None and "text" not in form:
        text = ""  # some gateways omit an empty first-hop text
    hop = ussd_hop(app)
    if hop is None:  # no Redis configured: say so politely
        log.error("ussd hop failed: no Redis configured")
        return _wire(failure())
    return _wire(hop.answer(session_id, phone_of(form.get("phoneNumber")), text))


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
        if (environ.get("REQUEST_METHOD") == "POST" and path.startswith(PATH_PREFIX)
                and path.endswith(_USSD_SUFFIX)):
            size = _fast_body_size(environ)
            key = path[len(PATH_PREFIX):-len(_USSD_SUFFIX)]
            if size is not None and "/" not in key and self._trusted(key, environ):
                try:
                    raw = environ["wsgi.input"].read(size)
                except OSError:  # the caller hung up mid-body, as Werkzeug would say: 400
                    return _plain(start_response, "400 Bad Request", b"Bad Request")
                body = _answer(self._app, parse_form(raw)).encode()
                return _plain(start_response, "200 OK", body)
        return self._next(environ, start_response)

    def _trusted(self, key: str, environ: dict[str, Any]) -> bool:
        """Apply the blueprint's checks; a refusal is left to Flask to answer (404) and log."""
        forwarded = environ.get("HTTP_X_FORWARDED_FOR")
        return refusal(self._app.config, key, environ.get("REMOTE_ADDR"),
                        [forwarded] if forwarded else []) is None


def _plain(start_response: Any, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


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


def parse_form(body: bytes) -> dict[str, str]:
    """Decode a urlencoded body as Werkzeug's ``request.form`` would; the first value wins.

    Same result as ``parse_qsl(..., keep_blank_values=True)`` with Werkzeug's error handler,
    at a fraction of its cost: most of AT's values need no unquoting at all.
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
