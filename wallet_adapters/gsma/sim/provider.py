"""The simulated GSMA provider's behaviour, without sockets: its routes and wire format.

``server.py`` puts it behind a threaded HTTP server; tests may also call
:meth:`GsmaSimulator.handle` directly. The book, the fault knobs and the control API are shared
by every stub (:mod:`wallet_adapters.stub_server`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from wallet_adapters.base import CURRENCY, is_e164, is_uuid
from wallet_adapters.gsma import transformers as tf
from wallet_adapters.gsma.sim.callback_sender import callback_headers, error_callback
from wallet_adapters.sandbox.book import BookEntry
from wallet_adapters.stub_server import DROP, Answer, StubProvider

__all__ = ["DROP", "GsmaSimulator", "error_answer"]

_SCID_NAMESPACE = uuid.UUID("6f1c7d52-3a0e-4a55-9a43-2b8f0c1e9d11")


def error_answer(status: int, category: str, code: str, description: str) -> Answer:
    """Build an HTTP status and GSMA Error object pair."""
    return status, {
        "errorCategory": category,
        "errorCode": code,
        "errorDescription": description,
        "errorDateTime": tf.now_iso(),
    }


# Our stub-kit error codes, as GSMA names their categories and codes.
_GSMA_ERRORS = {
    "unauthorised": ("authorisation", "clientAuthorisationError"),
    "not_found": ("identification", "genericError"),
    "bad_config": ("validation", "formatError"),
    "internal": ("internal", "genericError"),
}


class GsmaSimulator(StubProvider):
    """Answer the GSMA Mobile Money API v1.2 disbursement calls from a fake provider's book.

    Arguments are :class:`~wallet_adapters.stub_server.StubProvider`'s.
    """

    label = "gsma"
    ref_prefix = "GSMA"
    callback_method = "PUT"

    def __init__(self, *args: Any, **kwargs: Any):
        self._by_scid: dict[str, str] = {}
        self._by_ref: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def error(self, status: int, code: str, description: str) -> Answer:
        """Build a GSMA Error object for the stub kit's own refusals."""
        category, gsma_code = _GSMA_ERRORS.get(code, ("internal", "genericError"))
        return error_answer(status, category, gsma_code, description)

    def answer_headers(self) -> dict[str, str]:
        """Date every answer as GSMA providers do."""
        return {"X-Date": tf.now_iso()}

    def route(self, method: str, parts: list[str], headers: Mapping[str, str], body: bytes) -> Any:
        """Answer a GSMA call: disbursement, lookups, account status and balance, heartbeat."""
        if method == "POST" and parts == ["transactions", "type", "disbursement"]:
            return self._disburse(headers, body)
        if method == "GET" and len(parts) == 2:
            return self._get(parts[0], parts[1])
        if method == "GET" and len(parts) == 4 and parts[0] == "accounts":
            return self._account(parts[1], parts[2], parts[3])
        if method == "GET" and parts == ["heartbeat"]:
            return 200, {"serviceStatus": "available"}
        path = "/" + "/".join(parts)
        return error_answer(404, "identification", "genericError", f"no route {method} {path}")

    def _disburse(self, headers: Mapping[str, str], raw: bytes) -> Any:
        lowered = {k.lower(): v for k, v in headers.items()}
        key = lowered.get("x-correlationid", "")
        if not is_uuid(key):
            return error_answer(400, "validation", "formatError", "X-CorrelationID must be a UUID")
        try:
            body = json.loads(raw)
            amount = tf.parse_amount(body["amount"])
            msisdn = tf.credit_msisdn(body)
        except (ValueError, KeyError, TypeError):
            return error_answer(400, "validation", "formatError", "body is not a disbursement")
        if body.get("currency") != CURRENCY:
            return error_answer(400, "validation", "currencyNotSupported", "only VND is supported")
        if amount is None or amount <= 0:
            return error_answer(400, "validation", "negativeValue", "amount must be positive đồng")
        if msisdn is None or not is_e164(msisdn):
            return error_answer(
                400, "validation", "identifierError", "creditParty msisdn not E.164"
            )
        sub = self.book.submit(key, amount, msisdn, str(body.get("descriptionText", "")),
                               self.faults)
        if sub.kind == "unavailable":
            return error_answer(503, "serviceUnavailable", "genericError", "try again later")
        if sub.kind == "modified":
            return error_answer(400, "businessRule", "duplicateRequest",
                          "X-CorrelationID already used with a different request")
        entry = sub.entry
        assert entry is not None
        callback_url = lowered.get("x-callback-url")
        scid = str(uuid.uuid5(_SCID_NAMESPACE, key))
        with self._lock:
            self._by_scid[scid] = key
            self._by_ref[entry.provider_ref] = key
        if self.after_submit(sub, callback_url) is DROP:
            return DROP
        return 202, self._request_state(entry, scid, "callback" if callback_url else "polling")

    def _request_state(self, entry: BookEntry, scid: str, method: str = "polling") -> Any:
        status = entry.status().value
        state: dict[str, Any] = {
            "serverCorrelationId": scid,
            "objectReference": entry.provider_ref,
            "status": {"succeeded": "completed", "failed": "failed"}.get(status, "pending"),
            "notificationMethod": method,
            "pollLimit": 100,
        }
        if status == "failed":
            state["error"] = {"errorCategory": "businessRule", "errorCode": "requestDeclined",
                              "errorDescription": entry.reason or "declined"}
        return state

    def transaction(self, entry: BookEntry) -> dict[str, Any]:
        """Give the GSMA Transaction object for a book entry."""
        status = entry.status().value
        body: dict[str, Any] = {
            "transactionReference": entry.provider_ref,
            "requestingOrganisationTransactionReference": entry.idempotency_key,
            "transactionStatus": {"succeeded": "completed"}.get(status, status),
            "type": "disbursement",
            "amount": tf.format_amount(entry.amount),
            "currency": CURRENCY,
            "creditParty": [{"key": "msisdn", "value": entry.msisdn}],
            "descriptionText": entry.note,
            "modificationDate": tf.now_iso(),
        }
        if status == "failed":
            body["metadata"] = [{"key": "failureReason", "value": entry.reason or "declined"}]
        return body

    def render_callback(self, entry: BookEntry) -> tuple[dict[str, str], dict[str, Any]]:
        """Build a GSMA callback: the Transaction object, or an Error object when declined."""
        if entry.status().value == "failed":
            return callback_headers(entry), error_callback(entry)
        return callback_headers(entry), self.transaction(entry)

    def _get(self, resource: str, ident: str) -> Answer:
        if resource == "responses":
            entry = self.book.get(ident)
            if entry is None:
                return error_answer(
                    404, "identification", "genericError", "no request with this id"
                )
            return 200, {"link": f"/transactions/{entry.provider_ref}"}
        lookup = {"requeststates": self._by_scid, "transactions": self._by_ref}.get(resource)
        key = lookup.get(ident) if lookup is not None else None
        entry = self.book.get(key) if key else None
        if entry is None:
            return error_answer(404, "identification", "genericError", f"no {resource} {ident}")
        if resource == "requeststates":
            return 200, self._request_state(entry, ident)
        return 200, self.transaction(entry)

    def _account(self, kind: str, ident: str, what: str) -> Answer:
        if what == "status" and kind == "msisdn":
            return 200, {"accountStatus": "available" if is_e164(ident) else "unregistered"}
        if what == "balance":
            left = self.balance_left()
            return 200, {"availableBalance": str(left), "currentBalance": str(left),
                         "currency": CURRENCY, "accountStatus": "available"}
        return error_answer(404, "identification", "genericError", "unknown account resource")

    def reset(self) -> None:
        """Forget every transfer, as a brand-new provider (faults are kept)."""
        super().reset()
        with self._lock:
            self._by_scid.clear()
            self._by_ref.clear()
