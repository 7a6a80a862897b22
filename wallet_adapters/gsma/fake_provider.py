"""The simulated GSMA provider's behaviour, without sockets: routes, book, faults, callbacks.

``simulator.py`` puts it behind a threaded HTTP server; tests may also call
:meth:`GsmaSimulator.handle` directly.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from wallet_adapters.base import CURRENCY, is_e164, is_uuid
from wallet_adapters.gsma import transformers as tf
from wallet_adapters.gsma.callbacks import CallbackDispatcher
from wallet_adapters.sandbox.adapter import DEMO_WEBHOOK_SECRET
from wallet_adapters.sandbox.book import FAULT_NAMES, BookEntry, Faults, ProviderBook

_SCID_NAMESPACE = uuid.UUID("6f1c7d52-3a0e-4a55-9a43-2b8f0c1e9d11")
DROP = object()  # handler answer meaning "close the connection without answering"

Answer = tuple[int, Any]


def error_answer(status: int, category: str, code: str, description: str) -> Answer:
    """Build an HTTP status and GSMA Error object pair."""
    return status, {
        "errorCategory": category,
        "errorCode": code,
        "errorDescription": description,
        "errorDateTime": tf.now_iso(),
    }


class GsmaSimulator:
    """Hold the simulated provider: its book, faults and callback sender; no sockets here.

    Args:
        faults: fault knobs; changed at run time through ``/_sim/config``.
        webhook_secret: ``whsec_`` secret signing callbacks.
        api_key: when set, requests must carry it as bearer token or ``X-API-Key``.
        timeout_mode: ``"drop"`` closes the connection after applying; ``"hang"`` first sleeps
            ``hang_s`` (longer than the client's timeout) then closes it.
        opening_balance: float of the disbursement account, whole đồng.
    """

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        webhook_secret: str = DEMO_WEBHOOK_SECRET,
        api_key: str | None = None,
        timeout_mode: str = "drop",
        hang_s: float = 2.0,
        opening_balance: int = 10**13,
    ):
        self.faults = faults or Faults()
        self.book = ProviderBook("gsma-simulator", ref_prefix="GSMA")
        self.api_key = api_key
        self.timeout_mode = timeout_mode
        self.hang_s = hang_s
        self.opening_balance = opening_balance
        self._lock = threading.Lock()
        self._by_scid: dict[str, str] = {}
        self._by_ref: dict[str, str] = {}
        self._callbacks_planned: dict[str, int] = {}
        self.callbacks = CallbackDispatcher(webhook_secret, self._callback_body)

    # -- protocol -------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Any:
        """Answer one request: an (HTTP status, JSON) pair, or ``DROP``."""
        path = path.split("?", 1)[0].rstrip("/")
        parts = [unquote(p) for p in path.split("/") if p]
        if parts[:1] == ["_sim"]:
            return self._control(method, parts[1:], body)
        if not self._authorised(headers):
            return error_answer(401, "authorisation", "clientAuthorisationError", "bad credentials")
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000.0)
        if method == "POST" and parts == ["transactions", "type", "disbursement"]:
            return self._disburse(headers, body)
        if method == "GET" and len(parts) == 2:
            return self._get(parts[0], parts[1])
        if method == "GET" and len(parts) == 4 and parts[0] == "accounts":
            return self._account(parts[1], parts[2], parts[3])
        if method == "GET" and parts == ["heartbeat"]:
            return 200, {"serviceStatus": "available"}
        return error_answer(404, "identification", "genericError", f"no route {method} {path}")

    def _authorised(self, headers: Mapping[str, str]) -> bool:
        if not self.api_key:
            return True
        lowered = {k.lower(): v for k, v in headers.items()}
        return (
            lowered.get("authorization") == f"Bearer {self.api_key}"
            or lowered.get("x-api-key") == self.api_key
        )

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
        if sub.kind == "applied" and callback_url:
            with self._lock:
                self._callbacks_planned[key] = len(sub.callbacks)
            for delay in sub.callbacks:
                self.callbacks.schedule(delay, entry, callback_url)
        if sub.timed_out:
            if self.timeout_mode == "hang":
                time.sleep(self.hang_s)
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

    def _callback_body(self, entry: BookEntry) -> dict[str, Any]:
        if entry.status().value == "failed":
            status, error = error_answer(400, "businessRule", "requestDeclined",
                                   entry.reason or "declined")
            error["errorParameters"] = [
                {"key": "clientCorrelationId", "value": entry.idempotency_key},
                {"key": "transactionReference", "value": entry.provider_ref},
            ]
            return error
        return self.transaction(entry)

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
            left = self.opening_balance - self.book.paid_total()
            return 200, {"availableBalance": str(left), "currentBalance": str(left),
                         "currency": CURRENCY, "accountStatus": "available"}
        return error_answer(404, "identification", "genericError", "unknown account resource")

    # -- control API ----------------------------------------------------------------------

    def _control(self, method: str, parts: list[str], raw: bytes) -> Answer:
        if method == "GET" and parts == ["applied"]:
            applied = self.book.applied()
            for item in applied:
                item["callbacks"] = self._callbacks_planned.get(item["idempotency_key"], 0)
            return 200, {"count": len(applied), "applied": applied}
        if parts == ["config"]:
            if method == "POST":
                try:
                    values = json.loads(raw or b"{}")
                    self.configure(**values)
                except (ValueError, TypeError) as exc:
                    return error_answer(400, "validation", "formatError", str(exc))
            return 200, self.config()
        if method == "POST" and parts == ["reset"]:
            self.reset()
            return 200, {"reset": True}
        if method == "POST" and parts == ["resolve"]:
            return 200, {"resolved": self.book.resolve_pending()}
        return error_answer(404, "identification", "genericError", "unknown control endpoint")

    def configure(self, **values: Any) -> None:
        """Change fault knobs (and ``timeout_mode``/``hang_s``) at run time.

        Raises:
            TypeError: on an unknown knob.
            InvalidSettings: on a bad value.
        """
        unknown = set(values) - set(FAULT_NAMES) - {"timeout_mode", "hang_s"}
        if unknown:
            raise TypeError(f"unknown simulator settings: {', '.join(sorted(unknown))}")
        mode = str(values.get("timeout_mode", self.timeout_mode))
        if mode not in ("drop", "hang"):
            raise TypeError('timeout_mode must be "drop" or "hang"')
        self.faults.update(values)
        self.timeout_mode = mode
        self.hang_s = float(values.get("hang_s", self.hang_s))

    def config(self) -> dict[str, Any]:
        """Give the current knobs."""
        return {**self.faults.as_dict(), "timeout_mode": self.timeout_mode, "hang_s": self.hang_s}

    def reset(self) -> None:
        """Forget every transfer, as a brand-new provider (faults are kept)."""
        self.book.reset()
        with self._lock:
            self._by_scid.clear()
            self._by_ref.clear()
            self._callbacks_planned.clear()
