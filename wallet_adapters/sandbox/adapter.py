"""The in-process sandbox wallet: a fake provider for demos, tests and benchmarks.

It keeps no state of its own; money lives in a per-process :class:`ProviderBook` named by the
``book`` setting, so adapters re-created for every worker call still share one provider.
Callbacks are signed with Standard Webhooks and handed to an optional ``callback_sink``
(``TransferRequest.callback_url`` is ignored: nothing leaves the process). They run on the
adapter's event loop; those not yet due when the loop ends are lost, as with a real provider
whose callbacks find nobody listening, and ``status`` still answers.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from wallet_adapters import standard_webhooks
from wallet_adapters.base import (
    AccountCheck,
    CallbackEvent,
    SeenHook,
    SettingSpec,
    TransferRequest,
    TransferResult,
    TransferStatus,
)
from wallet_adapters.errors import (
    AdapterError,
    CallbackRejected,
    TransferNotFound,
    TransferOutcomeUnknown,
)
from wallet_adapters.registry import register
from wallet_adapters.sandbox.book import BookEntry, Faults, ProviderBook, get_book

# A fixed, public demo secret so `gateway run` works out of the box; real deployments of the
# sandbox (staging) should still set their own.
DEMO_WEBHOOK_SECRET = "whsec_Y2hpdHJhLXNhbmRib3gtZGVtby1zZWNyZXQta2V5IQ=="

CallbackSink = Callable[[dict[str, str], bytes], Any]

# The sandbox's own callback vocabulary; anything else is not final.
STATUS_MAP: Mapping[str, TransferStatus] = types.MappingProxyType(
    {"succeeded": TransferStatus.SUCCEEDED, "failed": TransferStatus.FAILED}
)

_EMPTY: Mapping[str, Any] = types.MappingProxyType({})


@register("sandbox", display_name="Sandbox")
class SandboxAdapter:
    """Pay into an in-process fake provider with configurable faults."""

    name = "sandbox"
    settings_schema: ClassVar[tuple[SettingSpec, ...]] = (
        SettingSpec("book", str, "default", help="name of the per-process provider book"),
        SettingSpec("latency_ms", float, 0.0, help="delay before every answer"),
        SettingSpec("failure_rate", float, 0.0, help="share of transfers declined"),
        SettingSpec("retryable_error_rate", float, 0.0, help="share answered 503, not applied"),
        SettingSpec("timeout_after_apply_rate", float, 0.0, help="share applied but timed out"),
        SettingSpec("pending_rate", float, 0.0, help="share answered pending, resolved later"),
        SettingSpec("pending_ms", float, 200.0, help="how long pending transfers stay pending"),
        SettingSpec("duplicate_callback_rate", float, 0.0, help="share of callbacks sent twice"),
        SettingSpec("lost_callback_rate", float, 0.0, help="share of callbacks never sent"),
        SettingSpec("late_callback_rate", float, 0.0, help="share of callbacks delayed"),
        SettingSpec("late_callback_ms", float, 500.0, help="extra delay of late callbacks"),
        SettingSpec("seed", int, None, help="makes every fault decision reproducible"),
        SettingSpec(
            "webhook_secret", str, DEMO_WEBHOOK_SECRET, secret=True,
            help="whsec_ secret(s), space separated; the first signs, any verifies",
        ),
        SettingSpec("callback_sink", object, None, help="callable(headers, body) for callbacks"),
        SettingSpec("opening_balance", int, 10**13, help="disbursement account float, đồng"),
        SettingSpec("unregistered_msisdns", str, "", help="comma separated MSISDNs with no wallet"),
    )

    def __init__(self, settings: Mapping[str, Any] | None = None):
        settings = settings or {}
        self._book: ProviderBook = get_book(str(settings.get("book") or "default"))
        self._faults = Faults.from_mapping(settings)
        self._latency = self._faults.latency_ms / 1000.0
        secrets = standard_webhooks.split_secrets(
            settings.get("webhook_secret") or DEMO_WEBHOOK_SECRET
        )
        self._sign_secret = secrets[0]
        self._verifier = standard_webhooks.Verifier(secrets)
        self._sink: CallbackSink | None = settings.get("callback_sink")
        self._opening_balance = int(settings.get("opening_balance") or 10**13)
        self._unregistered = frozenset(
            m.strip() for m in str(settings.get("unregistered_msisdns") or "").split(",") if m
        )
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def book(self) -> ProviderBook:
        """Give the provider book this adapter pays into."""
        return self._book

    def applied(self) -> list[dict[str, Any]]:
        """List every transfer the fake provider applied."""
        return self._book.applied()

    def applied_count(self, idempotency_key: str) -> int:
        """Count how many times the fake provider executed the transfer under this key."""
        return self._book.applied_count(idempotency_key)

    async def transfer(self, request: TransferRequest) -> TransferResult:
        """Apply a transfer in the fake provider, at most once per idempotency key.

        Raises:
            AdapterError: ``provider_unavailable`` (retryable, not applied) or
                ``modified_request`` (key reused with another amount or payee).
            TransferOutcomeUnknown: applied, but the answer was "lost".
        """
        if self._latency:
            await asyncio.sleep(self._latency)
        key = request.idempotency_key
        sub = self._book.submit(key, request.amount, request.msisdn, request.note, self._faults)
        entry = sub.entry
        if sub.kind == "applied":
            assert entry is not None
            if self._sink is not None and sub.callbacks:
                self._schedule_callbacks(entry, sub.callbacks)
            if sub.timed_out:
                raise TransferOutcomeUnknown(
                    "timeout", "sandbox applied the transfer but the answer timed out",
                    idempotency_key=key,
                )
            return _result(entry)
        if sub.kind == "replayed":
            assert entry is not None
            return _result(entry)
        if sub.kind == "unavailable":
            raise AdapterError(
                "provider_unavailable", "sandbox answered 503; nothing was applied", retryable=True
            )
        raise AdapterError(
            "modified_request",
            "idempotency key already used for a different amount or payee",
            retryable=False,
        )

    async def status(self, idempotency_key: str) -> TransferResult:
        """Look up a transfer in the fake provider's book by our key.

        Raises:
            TransferNotFound: the provider never applied a transfer under this key.
        """
        if self._latency:
            await asyncio.sleep(self._latency)
        entry = self._book.get(idempotency_key)
        if entry is None:
            raise TransferNotFound(
                reason="sandbox has no transfer under this key", idempotency_key=idempotency_key
            )
        return _result(entry)

    def parse_callback(
        self, headers: Mapping[str, str], body: bytes, *, seen: SeenHook | None = None
    ) -> CallbackEvent:
        """Verify a sandbox callback's Standard Webhooks signature and parse it.

        Raises:
            CallbackRejected: on a bad signature, stale timestamp, replay or malformed body.
        """
        event_id = standard_webhooks.verified_event_id(
            self._verifier, headers, body, seen=seen, idempotency_key=_untrusted_key(body))
        try:
            data = json.loads(body)["data"]
            key = str(data["idempotency_key"])
            amount = data.get("amount")
            if amount is not None and (type(amount) is not int or amount < 0):
                # 1.5, "500000", true, Infinity: not an amount in đồng; never guess one.
                raise ValueError("amount is not a whole number of đồng")
            return CallbackEvent(
                idempotency_key=key,
                status=STATUS_MAP.get(str(data.get("status")), TransferStatus.PENDING),
                provider_ref=data.get("provider_ref"),
                amount=amount,
                event_id=event_id,
                reason=data.get("reason"),
            )
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
            raise CallbackRejected(
                "malformed", "callback body is not a sandbox transfer event",
                idempotency_key=_untrusted_key(body),
            ) from None

    async def check_account(self, msisdn: str) -> AccountCheck:
        """Say whether the fake provider has a wallet for ``msisdn``."""
        if msisdn in self._unregistered:
            return AccountCheck(msisdn, False, None, "no wallet for this number")
        return AccountCheck(msisdn, True, "Sandbox Beneficiary")

    async def balance(self) -> int:
        """Give the fake disbursement account's balance: the opening float minus paid amounts."""
        return self._opening_balance - self._book.paid_total()

    async def aclose(self) -> None:
        """Let callbacks that are already due run, and wait for those handed to an async sink.

        Callbacks scheduled further in the future are dropped with the event loop, like a
        provider whose late callbacks find nobody listening; ``status`` still answers.
        """
        for _ in range(2):  # a due callback may hand work to an async sink on the next tick
            await asyncio.sleep(0)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def callback_for(self, entry: BookEntry) -> tuple[dict[str, str], bytes]:
        """Build the signed callback (headers, body) the fake provider sends for ``entry``."""
        status = entry.status()
        body = json.dumps(
            {
                "type": f"transfer.{status.value}",
                "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                "data": {
                    "idempotency_key": entry.idempotency_key,
                    "status": status.value,
                    "provider_ref": entry.provider_ref,
                    "amount": entry.amount,
                    "reason": entry.reason,
                },
            },
            separators=(",", ":"),
        ).encode()
        event_id = f"evt_{entry.provider_ref}_{status.value}"
        headers = standard_webhooks.signed_headers(self._sign_secret, body, msg_id=event_id)
        headers["content-type"] = "application/json"
        return headers, body

    def _schedule_callbacks(self, entry: BookEntry, delays: tuple[float, ...]) -> None:
        loop = asyncio.get_running_loop()
        for delay in delays:
            if delay:
                loop.call_later(delay, self._deliver, entry)
            else:
                loop.call_soon(self._deliver, entry)

    def _deliver(self, entry: BookEntry) -> None:
        sink = self._sink
        if sink is None:
            return
        if entry.status() is TransferStatus.PENDING:
            # Event loops may fire a hair early; a pending callback would tell nobody anything.
            asyncio.get_running_loop().call_later(0.005, self._deliver, entry)
            return
        headers, body = self.callback_for(entry)
        outcome = sink(headers, body)
        if inspect.isawaitable(outcome):
            task = asyncio.ensure_future(outcome)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


def _result(entry: BookEntry) -> TransferResult:
    status = entry.status()
    return TransferResult(
        entry.idempotency_key,
        status,
        entry.provider_ref,
        entry.amount,
        entry.reason if status is TransferStatus.FAILED else None,
        _EMPTY,
    )


def _untrusted_key(body: bytes) -> str | None:
    """Read the idempotency key from an unverified body, only to trigger a status query."""
    try:
        key = json.loads(body)["data"]["idempotency_key"]
    except (ValueError, KeyError, TypeError, RecursionError):  # nested [[[[... is JSON too
        return None
    return key if isinstance(key, str) else None
