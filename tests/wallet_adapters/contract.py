"""The shared contract every wallet adapter passes.

A provider's test module subclasses :class:`WalletAdapterContract` and supplies a ``harness``
fixture implementing :class:`Harness`: it builds fresh adapters, sets the fake provider's
faults, exposes the provider's own book (what it REALLY applied) and the callbacks it sent.
The tests read like the payment rules they protect.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import pytest

from wallet_adapters import (
    AdapterError,
    CallbackRejected,
    TransferNotFound,
    TransferOutcomeUnknown,
    TransferRequest,
    TransferResult,
    TransferStatus,
    WalletAdapter,
)

T = TypeVar("T")
Callback = tuple[dict[str, str], bytes]
PAYEE = "+84912345678"


class Harness(Protocol):
    """Drive one provider (and its fake) for the contract tests."""

    callback_url: str | None

    def adapter(self) -> WalletAdapter:
        """Build a fresh adapter wired to the fake provider."""
        ...

    def set_faults(self, **knobs: Any) -> None:
        """Change the fake provider's fault knobs (rates, pending_ms...)."""
        ...

    def applied_count(self, key: str) -> int:
        """Count how many times the fake provider executed the transfer under ``key``."""
        ...

    def resolve_pending(self) -> None:
        """Make every pending transfer reach its final outcome now."""
        ...

    def wait_for_callbacks(self, count: int) -> list[Callback]:
        """Give the first ``count`` callbacks received (headers, raw body), waiting if needed."""
        ...


def run(harness: Harness, action: Callable[[WalletAdapter], Awaitable[T]]) -> T:
    """Run ``action`` with a fresh adapter on a fresh event loop, closing the adapter after."""

    async def main() -> T:
        adapter = harness.adapter()
        try:
            return await action(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(main())


def new_request(amount: int = 500_000, **overrides: Any) -> TransferRequest:
    """Build a transfer request with a fresh UUID key."""
    values: dict[str, Any] = {
        "idempotency_key": str(uuid.uuid4()), "amount": amount, "msisdn": PAYEE,
        "note": "Tro cap xa hoi thang 11",
    }
    values.update(overrides)
    return TransferRequest(**values)


class WalletAdapterContract:
    """Tests every adapter must pass; subclasses provide the ``harness`` fixture."""

    def _request(self, harness: Harness, **overrides: Any) -> TransferRequest:
        return new_request(callback_url=harness.callback_url, **overrides)

    def test_successful_transfer_is_applied_once_and_confirmed_by_status(
        self, harness: Harness
    ) -> None:
        request = self._request(harness)

        async def scenario(adapter: WalletAdapter) -> tuple[TransferResult, TransferResult]:
            return await adapter.transfer(request), await adapter.status(request.idempotency_key)

        sent, polled = run(harness, scenario)
        assert sent.idempotency_key == request.idempotency_key
        assert sent.status in {TransferStatus.SUCCEEDED, TransferStatus.PENDING}
        assert polled.status is TransferStatus.SUCCEEDED
        assert polled.provider_ref and polled.provider_ref == sent.provider_ref
        assert polled.amount in {None, request.amount}
        assert harness.applied_count(request.idempotency_key) == 1

    def test_pending_transfer_is_resolved_by_polling_with_the_same_key(
        self, harness: Harness
    ) -> None:
        harness.set_faults(pending_rate=1.0, pending_ms=600_000)
        request = self._request(harness)

        async def send(adapter: WalletAdapter) -> tuple[TransferResult, TransferResult]:
            return await adapter.transfer(request), await adapter.status(request.idempotency_key)

        sent, polled = run(harness, send)
        assert sent.status is TransferStatus.PENDING
        assert polled.status is TransferStatus.PENDING
        harness.resolve_pending()
        final = run(harness, lambda a: a.status(request.idempotency_key))
        assert final.status is TransferStatus.SUCCEEDED
        assert harness.applied_count(request.idempotency_key) == 1

    def test_declined_transfer_fails_with_a_reason(self, harness: Harness) -> None:
        harness.set_faults(failure_rate=1.0)
        request = self._request(harness)
        sent = run(harness, lambda a: a.transfer(request))
        polled = run(harness, lambda a: a.status(request.idempotency_key))
        assert sent.status in {TransferStatus.FAILED, TransferStatus.PENDING}
        assert polled.status is TransferStatus.FAILED
        assert polled.reason

    def test_timeout_after_apply_is_unknown_and_resolved_by_status_never_applied_twice(
        self, harness: Harness
    ) -> None:
        harness.set_faults(timeout_after_apply_rate=1.0)
        request = self._request(harness)
        with pytest.raises(TransferOutcomeUnknown) as raised:
            run(harness, lambda a: a.transfer(request))
        assert raised.value.retryable is False
        assert harness.applied_count(request.idempotency_key) == 1

        harness.set_faults(timeout_after_apply_rate=0.0)
        polled = run(harness, lambda a: a.status(request.idempotency_key))
        assert polled.status is TransferStatus.SUCCEEDED
        # Even a (forbidden) blind resend with the same key must not pay twice.
        resent = run(harness, lambda a: a.transfer(request))
        assert resent.provider_ref == polled.provider_ref
        assert harness.applied_count(request.idempotency_key) == 1

    def test_retryable_error_applies_nothing_and_a_retry_with_the_same_key_applies_once(
        self, harness: Harness
    ) -> None:
        harness.set_faults(retryable_error_rate=1.0)
        request = self._request(harness)
        with pytest.raises(AdapterError) as raised:
            run(harness, lambda a: a.transfer(request))
        assert raised.value.retryable is True
        assert not isinstance(raised.value, TransferOutcomeUnknown)
        assert harness.applied_count(request.idempotency_key) == 0

        harness.set_faults(retryable_error_rate=0.0)
        with pytest.raises(TransferNotFound):
            run(harness, lambda a: a.status(request.idempotency_key))
        first = run(harness, lambda a: a.transfer(request))
        second = run(harness, lambda a: a.transfer(request))
        assert first.provider_ref == second.provider_ref
        assert harness.applied_count(request.idempotency_key) == 1

    def test_reused_key_with_a_different_amount_or_payee_is_rejected(
        self, harness: Harness
    ) -> None:
        request = self._request(harness)
        run(harness, lambda a: a.transfer(request))
        for changed in (
            self._request(harness, idempotency_key=request.idempotency_key, amount=999_999),
            self._request(harness, idempotency_key=request.idempotency_key, msisdn="+84987654321"),
        ):
            with pytest.raises(AdapterError) as raised:
                run(harness, lambda a, r=changed: a.transfer(r))
            assert raised.value.code == "modified_request"
            assert raised.value.retryable is False
        assert harness.applied_count(request.idempotency_key) == 1

    def test_concurrent_submits_with_one_key_apply_once(self, harness: Harness) -> None:
        request = self._request(harness)

        async def burst(adapter: WalletAdapter) -> list[Any]:
            calls = [adapter.transfer(request) for _ in range(20)]
            return await asyncio.gather(*calls, return_exceptions=True)

        results = run(harness, burst)
        refs = {r.provider_ref for r in results if isinstance(r, TransferResult)}
        assert len(refs) == 1
        assert harness.applied_count(request.idempotency_key) == 1

    def test_status_of_a_key_the_provider_never_saw_is_not_found(self, harness: Harness) -> None:
        with pytest.raises(TransferNotFound) as raised:
            run(harness, lambda a: a.status(str(uuid.uuid4())))
        assert raised.value.retryable is True

    def test_signed_callback_is_verified_and_parsed(self, harness: Harness) -> None:
        request = self._request(harness)
        run(harness, lambda a: a.transfer(request))
        [(headers, body)] = harness.wait_for_callbacks(1)
        event = harness.adapter().parse_callback(headers, body)
        assert event.idempotency_key == request.idempotency_key
        assert event.status is TransferStatus.SUCCEEDED
        assert event.amount == request.amount
        assert event.event_id

    def test_declined_callback_reports_failure_with_a_reason(self, harness: Harness) -> None:
        harness.set_faults(failure_rate=1.0)
        request = self._request(harness)
        run(harness, lambda a: a.transfer(request))
        [(headers, body)] = harness.wait_for_callbacks(1)
        event = harness.adapter().parse_callback(headers, body)
        assert event.idempotency_key == request.idempotency_key
        assert event.status is TransferStatus.FAILED
        assert event.reason

    def test_duplicate_callback_parses_to_the_same_event(self, harness: Harness) -> None:
        harness.set_faults(duplicate_callback_rate=1.0)
        request = self._request(harness)
        run(harness, lambda a: a.transfer(request))
        adapter = harness.adapter()
        first, second = (adapter.parse_callback(h, b) for h, b in harness.wait_for_callbacks(2))
        assert first == second
        assert first.event_id == second.event_id

    def test_callback_with_bad_signature_is_rejected_but_names_the_key(
        self, harness: Harness
    ) -> None:
        request = self._request(harness)
        run(harness, lambda a: a.transfer(request))
        [(headers, body)] = harness.wait_for_callbacks(1)
        adapter = harness.adapter()
        forged = {**headers, "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
        tampered_body = body.replace(str(request.amount).encode(), b"900000")
        assert tampered_body != body
        for bad_headers, bad_body in ((forged, body), (headers, tampered_body)):
            with pytest.raises(CallbackRejected) as raised:
                adapter.parse_callback(bad_headers, bad_body)
            assert raised.value.code == "bad_signature"
            assert raised.value.idempotency_key == request.idempotency_key

    def test_callback_without_signature_headers_is_rejected(self, harness: Harness) -> None:
        request = self._request(harness)
        run(harness, lambda a: a.transfer(request))
        [(headers, body)] = harness.wait_for_callbacks(1)
        bare = {k: v for k, v in headers.items() if not k.lower().startswith("webhook-")}
        with pytest.raises(CallbackRejected) as raised:
            harness.adapter().parse_callback(bare, body)
        assert raised.value.code == "missing_header"

    def test_replayed_callback_is_rejected_when_a_seen_hook_is_given(
        self, harness: Harness
    ) -> None:
        request = self._request(harness)
        run(harness, lambda a: a.transfer(request))
        [(headers, body)] = harness.wait_for_callbacks(1)
        seen_ids: set[str] = set()

        def seen(event_id: str) -> bool:
            # Like Redis SETNX: records the id and says whether it was already there.
            already = event_id in seen_ids
            seen_ids.add(event_id)
            return already

        adapter = harness.adapter()
        adapter.parse_callback(headers, body, seen=seen)
        with pytest.raises(CallbackRejected) as raised:
            adapter.parse_callback(headers, body, seen=seen)
        assert raised.value.code == "replay"
