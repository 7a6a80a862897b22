"""The wallet adapter protocol and the value types that cross it.

Every provider package implements :class:`WalletAdapter`. Workers hold hundreds of calls in
flight on one event loop, so every I/O method is a coroutine; only callback parsing is sync.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from wallet_adapters.errors import InvalidRequest

CURRENCY = "VND"

# E.164: "+", a non-zero country digit, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


class TransferStatus(StrEnum):
    """Name what we know about a transfer's outcome (a ``str`` enum with lowercase values)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"  # we could not learn (timeout); only a status query resolves it

    @property
    def is_final(self) -> bool:
        """Say whether the provider will never change this outcome."""
        return self is TransferStatus.SUCCEEDED or self is TransferStatus.FAILED


def is_e164(msisdn: str) -> bool:
    """Say whether ``msisdn`` is written in E.164 (``+84912345678``)."""
    return _E164.fullmatch(msisdn) is not None


def is_uuid(value: str) -> bool:
    """Say whether ``value`` looks like a canonical UUID string."""
    return _UUID.fullmatch(value) is not None


def json_or_none(body: bytes) -> Any:
    """Decode a callback body that may be anything, giving None when it is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # deeply nested JSON must not crash the caller
        return None


def mask_msisdn(msisdn: str) -> str:
    """Hide all but the last three digits of a phone number, for logs and reasons."""
    return msisdn[:3] + "*" * max(len(msisdn) - 6, 0) + msisdn[-3:] if len(msisdn) > 6 else "***"


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """Describe one payout: our idempotency key, whole đồng, the payee's E.164 number.

    The same ``idempotency_key`` is persisted with the payment and reused on every retry.

    Raises:
        InvalidRequest: if the amount is not a positive int, the MSISDN not E.164 or the key
            empty.
    """

    idempotency_key: str
    amount: int
    msisdn: str
    note: str = ""
    callback_url: str | None = None

    def __post_init__(self) -> None:
        if not self.idempotency_key or len(self.idempotency_key) > 128:
            raise InvalidRequest("invalid_key", "idempotency key must be 1-128 characters")
        # bool is an int subclass; a True amount is a bug, not one đồng.
        if type(self.amount) is not int or self.amount <= 0:
            raise InvalidRequest("invalid_amount", "amount must be a positive whole number of đồng")
        if _E164.fullmatch(self.msisdn) is None:
            raise InvalidRequest("invalid_msisdn", "payee MSISDN must be in E.164, e.g. +84...")


@dataclass(frozen=True, slots=True)
class TransferResult:
    """Report a transfer's state as the provider told it, keyed by our idempotency key."""

    idempotency_key: str
    status: TransferStatus
    provider_ref: str | None = None
    amount: int | None = None
    reason: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """Report a verified provider callback; ``event_id`` is the same on every redelivery."""

    idempotency_key: str
    status: TransferStatus
    provider_ref: str | None
    amount: int | None
    event_id: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AccountCheck:
    """Say whether a wallet exists and can receive money."""

    msisdn: str
    active: bool
    holder_name: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """Declare one adapter setting so the gateway can validate, store and display it.

    ``secret`` settings are stored encrypted and shown masked. ``kind`` coerces values that
    arrive as strings from the environment or a form (``int``, ``float``, ``bool``, ``str``);
    ``object`` accepts anything (e.g. a callable) as is.
    """

    name: str
    kind: type = str
    default: Any = None
    required: bool = False
    secret: bool = False
    help: str = ""


SeenHook = Callable[[str], bool]


@runtime_checkable
class WalletAdapter(Protocol):
    """Pay e-wallets through one provider; every implementation passes the contract suite.

    Adapters keep no state between calls beyond configuration and connection pools.
    """

    name: str

    async def transfer(self, request: TransferRequest) -> TransferResult:
        """Send one payout, idempotent on ``request.idempotency_key``.

        Returns:
            The provider's answer; ``pending`` is normal for asynchronous providers.

        Raises:
            AdapterError: ``retryable=True`` when not applied (resend with the same key).
            TransferOutcomeUnknown: when it may have been applied; query ``status``.
        """
        ...

    async def status(self, idempotency_key: str) -> TransferResult:
        """Ask the provider what became of the transfer sent under our key.

        Raises:
            TransferNotFound: the provider has no record of the key.
            AdapterError: the provider could not answer (``retryable=True``: ask again later).
        """
        ...

    def parse_callback(
        self, headers: Mapping[str, str], body: bytes, *, seen: SeenHook | None = None
    ) -> CallbackEvent:
        """Verify and parse a provider callback from its headers and raw body.

        Args:
            seen: optional replay hook; returns True if the event id was already seen.

        Raises:
            CallbackRejected: bad or missing signature, stale timestamp, replay, bad payload.
        """
        ...

    async def check_account(self, msisdn: str) -> AccountCheck:
        """Ask whether a wallet exists for this MSISDN.

        Raises:
            NotSupported: if the provider offers no such query.
        """
        ...

    async def balance(self) -> int:
        """Give our disbursement account's available balance in whole đồng.

        Raises:
            NotSupported: if the provider offers no such query.
        """
        ...

    async def aclose(self) -> None:
        """Release connection pools."""
        ...
