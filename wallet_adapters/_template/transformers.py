"""Pure mapping between our types and the Template Pay API's JSON (no I/O here).

FILL: every name below is the template protocol's; write your provider's objects as its
documentation shows them, and test them against its published examples.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

from wallet_adapters.base import (
    CURRENCY,
    CallbackEvent,
    TransferRequest,
    TransferResult,
    TransferStatus,
)
from wallet_adapters.errors import AdapterError, TransferNotFound

# FILL: the provider's status words, exactly as documented. Only these are final; anything
# else (received, processing, a word added next year) stays pending until a final one comes.
STATUS_MAP: Mapping[str, TransferStatus] = types.MappingProxyType(
    {"paid": TransferStatus.SUCCEEDED, "rejected": TransferStatus.FAILED}
)

# FILL: the provider's error codes that we give our own meaning. A key reused with another
# amount or payee must become "modified_request".
ERROR_CODE_MAP: Mapping[str, str] = types.MappingProxyType(
    {"idempotency_conflict": "modified_request"}
)

_RETRYABLE_HTTP = frozenset({429, 500, 502, 503, 504})


def map_status(value: object) -> TransferStatus:
    """Map the provider's payout state to ours; anything not explicitly final is pending."""
    return STATUS_MAP.get(str(value).lower(), TransferStatus.PENDING)


def parse_amount(value: object) -> int | None:
    """Read an amount in whole đồng, or None when it is not one (1.5, "500000", true)."""
    if type(value) is not int or value < 0:
        return None
    return value


def payout_body(request: TransferRequest, callback_url: str | None) -> dict[str, Any]:
    """Build the JSON body of ``POST /v1/payouts``."""
    body: dict[str, Any] = {
        "reference": request.idempotency_key,  # echoed in the Payout, so callbacks name it
        "amount": request.amount,
        "currency": CURRENCY,
        "recipient": {"msisdn": request.msisdn},
        "description": request.note[:140],
    }
    if callback_url:
        body["callback_url"] = callback_url
    return body


def result_from_payout(key: str, payout: Mapping[str, Any]) -> TransferResult:
    """Turn a Payout object into our result (``raw`` keeps only a few small fields)."""
    status = map_status(payout.get("state"))
    reason = None
    if status is TransferStatus.FAILED:
        reason = _text(payout.get("failure_reason")) or "rejected by the provider"
    return TransferResult(
        idempotency_key=key,
        status=status,
        provider_ref=_text(payout.get("id")),
        amount=parse_amount(payout.get("amount")),
        reason=reason,
        raw={k: payout[k] for k in ("id", "state", "updated_at") if k in payout},
    )


def callback_key(body: Any) -> str | None:
    """Read our key from a callback body, or None (the body may be anything until verified)."""
    payout = body.get("payout") if isinstance(body, Mapping) else None
    key = payout.get("reference") if isinstance(payout, Mapping) else None
    return key if isinstance(key, str) and key else None


def event_from_callback(body: Mapping[str, Any], event_id: str) -> CallbackEvent:
    """Turn a verified callback body into our event.

    Raises:
        ValueError: if it is not a payout event naming our key with a whole-đồng amount.
    """
    payout = body.get("payout")
    key = callback_key(body)
    if body.get("type") != "payout.updated" or not isinstance(payout, Mapping) or key is None:
        raise ValueError("callback is not a payout event naming our reference")
    amount = payout.get("amount")
    if amount is not None and parse_amount(amount) is None:
        raise ValueError("amount is not a whole number of đồng")
    result = result_from_payout(key, payout)
    return CallbackEvent(key, result.status, result.provider_ref, result.amount, event_id,
                         result.reason)


def error_from_response(status_code: int, body: Any, *, idempotency_key: str = "",
                        lookup: bool = False) -> AdapterError:
    """Turn a non-2xx answer into our error: 429/5xx retryable, 404 on lookups not found.

    Args:
        lookup: True for status queries, where 404 means "no transfer under this key".
    """
    error = body.get("error") if isinstance(body, Mapping) else None
    error = error if isinstance(error, Mapping) else {}
    code = _text(error.get("code")) or f"http_{status_code}"
    reason = _text(error.get("message")) or f"provider answered HTTP {status_code}"
    if status_code in _RETRYABLE_HTTP or status_code >= 500:
        return AdapterError(code, reason, retryable=True)
    if status_code == 404 and lookup:
        return TransferNotFound(code, reason, idempotency_key=idempotency_key)
    return AdapterError(ERROR_CODE_MAP.get(code, code), reason, retryable=False)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
