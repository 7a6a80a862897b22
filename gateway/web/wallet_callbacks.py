"""``POST /wallets/<provider>/callback``: provider callbacks, verified by the adapter."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request

from gateway.db import get_db
from gateway.disbursement.callbacks import apply_event, event_headers, request_status_query
from gateway.disbursement.service import disburser_for
from wallet_adapters import AdapterError, CallbackRejected

log = logging.getLogger(__name__)
bp = Blueprint("wallet_callbacks", __name__)
SEEN_TTL = 7 * 24 * 3600
BODY_MAX = 64 * 1024  # a transfer event is a few hundred bytes


@bp.route("/wallets/<provider>/callback", methods=["POST", "PUT"])
def callback(provider: str) -> tuple[dict[str, str], int]:
    """Verify a provider callback and apply it (GSMA sends PUT; others POST)."""
    if provider not in current_app.config["WALLET_PROVIDERS"]:
        return {"error": "unknown provider"}, 404
    if (request.content_length or 0) > BODY_MAX:
        return {"error": "too_large"}, 413
    body = request.get_data(cache=False)
    if len(body) > BODY_MAX:  # chunked: no length announced
        return {"error": "too_large"}, 413
    redis_client = current_app.extensions.get("chitra.redis")

    def seen(event_id: str) -> bool:
        if redis_client is None:
            return False
        return not redis_client.set(f"chitra:cb:{provider}:{event_id}", 1, nx=True, ex=SEEN_TTL)

    try:
        adapter = disburser_for(current_app._get_current_object()).adapter(  # type: ignore[attr-defined]
            provider)
    except AdapterError as exc:
        # Enabled but not buildable (no adapter of that kind, bad settings): nothing here can
        # verify its callbacks. The operator must see it; the caller learns only "not here".
        log.error("%s callbacks cannot be verified: %s", provider, exc.code)
        return {"error": "unknown provider"}, 404
    try:
        event = adapter.parse_callback(event_headers(request.headers), body, seen=seen)
    except CallbackRejected as exc:
        if exc.code == "replay":
            # A redelivery of an event already verified and applied: acknowledge it so the
            # provider stops retrying; its effect happened once.
            return {"result": "duplicate"}, 200
        # Never trusted as an outcome; at most it tells us whom to ask.
        with get_db().session() as session:
            asked = request_status_query(session, getattr(exc, "idempotency_key", None),
                                         f"unverified callback ({exc.code})")
        log.warning("rejected %s callback: %s", provider, exc.code)
        return {"error": exc.code, "status_query": "requested" if asked else "none"}, 401
    except Exception:
        # An adapter bug on odd input: still a refusal (nothing was applied), never a 500;
        # the traceback is logged so the adapter gets fixed.
        log.exception("%s callback could not be read", provider)
        return {"error": "unreadable"}, 400
    try:
        with get_db().session() as session:
            applied = apply_event(session, provider, event)
    except Exception:
        # Not applied: free the event id so the provider's redelivery is applied, not
        # acknowledged as a duplicate of something that never happened.
        if redis_client is not None and event.event_id:
            redis_client.delete(f"chitra:cb:{provider}:{event.event_id}")
        raise
    return {"result": applied.result}, applied.status
