"""Pure mapping between our types and GSMA Mobile Money API v1.2 JSON (no I/O here).

Objects used: the disbursement request (``POST /transactions/type/disbursement``), the Request
State object (202 answer and ``GET /requeststates/{id}``), the Response object
(``GET /responses/{clientCorrelationId}`` → ``link``), the Transaction object (callback and
``GET /transactions/{ref}``) and the Error object.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from wallet_adapters.base import (
    CURRENCY,
    CallbackEvent,
    TransferRequest,
    TransferResult,
    TransferStatus,
)
from wallet_adapters.errors import AdapterError, TransferNotFound

# Request State ``status``: explicit, anything else stays pending.
REQUEST_STATE_STATUS: Mapping[str, TransferStatus] = types.MappingProxyType(
    {"completed": TransferStatus.SUCCEEDED, "failed": TransferStatus.FAILED}
)

# Transaction ``transactionStatus`` is free text in the spec; only these words are final.
# "reversed" is deliberately absent: a reversal is a new money movement for reconciliation,
# not an outcome of this payout.
TRANSACTION_STATUS: Mapping[str, TransferStatus] = types.MappingProxyType(
    {
        "completed": TransferStatus.SUCCEEDED,
        "success": TransferStatus.SUCCEEDED,
        "successful": TransferStatus.SUCCEEDED,
        "failed": TransferStatus.FAILED,
        "rejected": TransferStatus.FAILED,
        "declined": TransferStatus.FAILED,
    }
)

# GSMA harmonised error codes that we give our own meaning. Our key is reused only on retries
# of the very same payment, so a duplicateRequest means "same key, other parameters".
ERROR_CODE_MAP: Mapping[str, str] = types.MappingProxyType(
    {"duplicateRequest": "modified_request"}
)

_RETRYABLE_HTTP = frozenset({429, 500, 502, 503, 504})


def map_request_state_status(value: object) -> TransferStatus:
    """Map a Request State ``status`` to ours; anything not explicitly final is pending."""
    return REQUEST_STATE_STATUS.get(str(value).lower(), TransferStatus.PENDING)


def map_transaction_status(value: object) -> TransferStatus:
    """Map a Transaction ``transactionStatus`` to ours; anything not explicitly final is pending."""
    return TRANSACTION_STATUS.get(str(value).lower(), TransferStatus.PENDING)


def format_amount(amount: int) -> str:
    """Write whole đồng as the GSMA amount string (VND has no minor unit)."""
    return str(amount)


def parse_amount(value: object) -> int | None:
    """Read a GSMA amount string ("50000" or "50000.00") as whole đồng, or None."""
    if value is None or value == "":
        return None
    try:
        whole, _, fraction = str(value).partition(".")
        if fraction.strip("0"):
            return None  # fractional đồng do not exist; refuse to guess
        return int(whole)
    except ValueError:
        return None


def now_iso() -> str:
    """Give the current UTC time as the ISO 8601 string GSMA uses for X-Date and requestDate."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def disbursement_body(
    request: TransferRequest, *, debit_key: str | None, debit_value: str | None
) -> dict[str, Any]:
    """Build the JSON body of ``POST /transactions/type/disbursement``."""
    body: dict[str, Any] = {
        "amount": format_amount(request.amount),
        "currency": CURRENCY,
        "creditParty": [{"key": "msisdn", "value": request.msisdn}],
        "descriptionText": request.note[:160],
        "requestDate": now_iso(),
        # Echoed back in the Transaction object, so a signed callback names our key itself.
        "requestingOrganisationTransactionReference": request.idempotency_key,
    }
    if debit_key and debit_value:
        body["debitParty"] = [{"key": debit_key, "value": debit_value}]
    return body


def credit_msisdn(body: Mapping[str, Any]) -> str | None:
    """Read the payee MSISDN from a Transaction's ``creditParty`` list."""
    for party in body.get("creditParty") or ():
        if isinstance(party, Mapping) and party.get("key") == "msisdn":
            return str(party.get("value"))
    return None


def _small_raw(body: Mapping[str, Any]) -> dict[str, Any]:
    keep = ("serverCorrelationId", "objectReference", "status", "transactionStatus",
            "transactionReference", "notificationMethod", "pollLimit")
    return {k: body[k] for k in keep if k in body}


def error_reason(error: Mapping[str, Any] | None) -> str | None:
    """Turn a GSMA Error object into a short reason ``errorCode: errorDescription``."""
    if not error:
        return None
    code = error.get("errorCode") or "genericError"
    text = error.get("errorDescription") or error.get("errordescription") or ""
    return f"{code}: {text}" if text else str(code)


def result_from_request_state(key: str, body: Mapping[str, Any]) -> TransferResult:
    """Turn a Request State object into our result."""
    status = map_request_state_status(body.get("status"))
    error = body.get("error") if isinstance(body.get("error"), Mapping) else None
    return TransferResult(
        idempotency_key=key,
        status=status,
        provider_ref=body.get("objectReference") or body.get("serverCorrelationId"),
        amount=None,
        reason=error_reason(error) if status is TransferStatus.FAILED else None,
        raw=_small_raw(body),
    )


def result_from_transaction(key: str, body: Mapping[str, Any]) -> TransferResult:
    """Turn a Transaction object into our result."""
    status = map_transaction_status(body.get("transactionStatus"))
    return TransferResult(
        idempotency_key=key,
        status=status,
        provider_ref=body.get("transactionReference"),
        amount=parse_amount(body.get("amount")),
        reason=_metadata(body, "failureReason") if status is TransferStatus.FAILED else None,
        raw=_small_raw(body),
    )


def result_from_body(key: str, body: Mapping[str, Any]) -> TransferResult:
    """Turn either a Transaction or a Request State object into our result."""
    if "transactionStatus" in body:
        return result_from_transaction(key, body)
    return result_from_request_state(key, body)


def _metadata(body: Mapping[str, Any], name: str, field: str = "metadata") -> str | None:
    items = body.get(field)
    if not isinstance(items, list):
        return None  # absent, or not the array GSMA defines: an untrusted body can hold anything
    for item in items:
        if isinstance(item, Mapping) and item.get("key") == name:
            return str(item.get("value"))
    return None


def callback_key(body: Mapping[str, Any]) -> str | None:
    """Read our idempotency key from a callback body (Transaction or Error object)."""
    key = body.get("requestingOrganisationTransactionReference")
    if key is None:
        key = _metadata(body, "clientCorrelationId", "errorParameters")
    return str(key) if key else None


def event_from_callback(body: Mapping[str, Any], event_id: str) -> CallbackEvent:
    """Turn a callback body (Transaction or Error object) into our event.

    Raises:
        ValueError: if the body is neither, or does not name our idempotency key.
    """
    key = callback_key(body)
    if not key:
        raise ValueError("callback does not name our idempotency key")
    if "transactionStatus" in body:
        status = map_transaction_status(body["transactionStatus"])
        return CallbackEvent(
            idempotency_key=key,
            status=status,
            provider_ref=body.get("transactionReference"),
            amount=parse_amount(body.get("amount")),
            event_id=event_id,
            reason=_metadata(body, "failureReason") if status is TransferStatus.FAILED else None,
        )
    if "errorCode" in body:
        return CallbackEvent(
            idempotency_key=key,
            status=TransferStatus.FAILED,
            provider_ref=_metadata(body, "transactionReference", "errorParameters"),
            amount=None,
            event_id=event_id,
            reason=error_reason(body),
        )
    raise ValueError("callback is neither a Transaction nor an Error object")


def link_reference(link: str) -> tuple[str, str]:
    """Split a Response ``link`` into (resource, id), e.g. ("transactions", "REF1")."""
    parts = [p for p in link.split("?")[0].split("/") if p]
    if len(parts) < 2:
        raise ValueError(f"unexpected response link {link!r}")
    return parts[-2], parts[-1]


def error_from_response(
    status_code: int,
    body: Mapping[str, Any] | None,
    *,
    idempotency_key: str = "",
    lookup: bool = False,
) -> AdapterError:
    """Turn a non-2xx answer into our error: 429/5xx retryable, 4xx final.

    Args:
        lookup: True for status queries, where 404 means "no transfer under this key".
    """
    error = body if isinstance(body, Mapping) else {}
    provider_code = str(error.get("errorCode") or f"http_{status_code}")
    reason = str(
        error.get("errorDescription") or error.get("errordescription")
        or f"provider answered HTTP {status_code}"
    )
    if status_code in _RETRYABLE_HTTP or status_code >= 500:
        return AdapterError(provider_code, reason, retryable=True)
    if status_code == 404 and lookup:
        return TransferNotFound(provider_code, reason, idempotency_key=idempotency_key)
    return AdapterError(ERROR_CODE_MAP.get(provider_code, provider_code), reason, retryable=False)
