"""The simulated Template Pay API: its routes and wire format, on the shared stub kit.

The book (each key applied at most once, a reused key with other parameters refused), the
fault knobs, the control API and the callback sender come from
:mod:`wallet_adapters.stub_server`; this module only speaks the protocol. FILL: rewrite the
routes and objects as your provider's documentation shows them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from wallet_adapters.base import CURRENCY, is_e164
from wallet_adapters.sandbox.book import BookEntry
from wallet_adapters.stub_server import DROP, Answer, StubProvider

_STATES = {"succeeded": "paid", "failed": "rejected", "pending": "processing"}


class TemplateStub(StubProvider):
    """Answer the Template Pay API from a fake provider's book.

    Arguments are :class:`~wallet_adapters.stub_server.StubProvider`'s.
    """

    label = "template"
    ref_prefix = "TPL"
    callback_method = "POST"

    def error(self, status: int, code: str, description: str) -> Answer:
        """Build the provider's error object."""
        return status, {"error": {"code": code, "message": description}}

    def route(self, method: str, parts: list[str], headers: Mapping[str, str], body: bytes) -> Any:
        """Answer a Template Pay API call."""
        if len(parts) < 2 or parts[0] != "v1":
            return self.error(404, "not_found", "no such route")
        resource = parts[1:]
        if method == "POST" and resource == ["payouts"]:
            return self._payout(headers, body)
        if method == "GET" and len(resource) == 3 and resource[:2] == ["payouts", "by-reference"]:
            entry = self.book.get(resource[2])
            if entry is None:
                return self.error(404, "payout_not_found", "no payout with this reference")
            return 200, self.payout(entry)
        if method == "GET" and len(resource) == 2 and resource[0] == "wallets":
            if not is_e164(resource[1]):
                return self.error(404, "wallet_not_found", "no wallet with this number")
            return 200, {"msisdn": resource[1], "state": "active"}
        if method == "GET" and resource == ["balance"]:
            return 200, {"available": self.balance_left(), "currency": CURRENCY}
        return self.error(404, "not_found", "no such route")

    def _payout(self, headers: Mapping[str, str], raw: bytes) -> Any:
        key = {k.lower(): v for k, v in headers.items()}.get("idempotency-key", "")
        try:
            body = json.loads(raw)
            amount, msisdn = body["amount"], body["recipient"]["msisdn"]
            reference = body["reference"]
        except (ValueError, KeyError, TypeError):
            return self.error(400, "invalid_body", "body is not a payout")
        if not key or reference != key:
            return self.error(400, "invalid_reference", "Idempotency-Key must equal reference")
        if body.get("currency") != CURRENCY:
            return self.error(400, "invalid_currency", "only VND is supported")
        if type(amount) is not int or amount <= 0:
            return self.error(400, "invalid_amount", "amount must be positive whole đồng")
        if not isinstance(msisdn, str) or not is_e164(msisdn):
            return self.error(400, "invalid_recipient", "recipient msisdn must be E.164")
        sub = self.book.submit(key, amount, msisdn, str(body.get("description", "")),
                               self.faults)
        if sub.kind == "unavailable":
            return self.error(503, "unavailable", "try again later")
        if sub.kind == "modified":
            return self.error(409, "idempotency_conflict",
                              "Idempotency-Key already used with another amount or recipient")
        assert sub.entry is not None
        if self.after_submit(sub, body.get("callback_url")) is DROP:
            return DROP
        return (201 if sub.kind == "applied" else 200), self.payout(sub.entry)

    def payout(self, entry: BookEntry) -> dict[str, Any]:
        """Give the Payout object for a book entry."""
        state = _STATES[entry.status().value]
        return {
            "id": entry.provider_ref,
            "reference": entry.idempotency_key,
            "amount": entry.amount,
            "currency": CURRENCY,
            "recipient": {"msisdn": entry.msisdn},
            "state": state,
            "failure_reason": entry.reason if state == "rejected" else None,
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def render_callback(self, entry: BookEntry) -> tuple[dict[str, str], dict[str, Any]]:
        """Build the payout event a callback carries."""
        return {}, {"type": "payout.updated", "payout": self.payout(entry)}
