"""What the GSMA simulator's callbacks carry: ``PUT {X-Callback-URL}`` headers and Error body.

The stub kit's :class:`~wallet_adapters.stub_callbacks.CallbackDispatcher` sends them, signed
with Standard Webhooks, when due; a succeeded transfer's body is the Transaction object
(:meth:`~wallet_adapters.gsma.sim.provider.GsmaSimulator.transaction`).
"""

from __future__ import annotations

from typing import Any

from wallet_adapters.gsma import transformers as tf
from wallet_adapters.sandbox.book import BookEntry


def callback_headers(entry: BookEntry) -> dict[str, str]:
    """Give the GSMA headers of a callback about ``entry`` (not covered by the signature)."""
    return {"X-CorrelationID": entry.idempotency_key, "X-Date": tf.now_iso()}


def error_callback(entry: BookEntry) -> dict[str, Any]:
    """Build the Error object a declined disbursement's callback carries, naming our key."""
    return {
        "errorCategory": "businessRule",
        "errorCode": "requestDeclined",
        "errorDescription": entry.reason or "declined",
        "errorDateTime": tf.now_iso(),
        "errorParameters": [
            {"key": "clientCorrelationId", "value": entry.idempotency_key},
            {"key": "transactionReference", "value": entry.provider_ref},
        ],
    }
