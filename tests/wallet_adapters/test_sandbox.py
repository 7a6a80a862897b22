"""Sandbox specifics beyond the contract: shared books, determinism, callbacks, balance."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.wallet_adapters.contract import new_request
from wallet_adapters import (
    AdapterError,
    TransferOutcomeUnknown,
    TransferStatus,
    WalletAdapter,
    create,
)
from wallet_adapters.sandbox import DEMO_WEBHOOK_SECRET, get_book, reset_books
from wallet_adapters.standard_webhooks import verify


@pytest.fixture
def book_name() -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex}"
    yield name
    reset_books(name)


def outcomes(book: str, keys: list[str], **faults: Any) -> list[str]:
    async def main() -> list[str]:
        adapter = create("sandbox", {"book": book, **faults})
        seen = []
        for key in keys:
            try:
                result = await adapter.transfer(new_request(idempotency_key=key))
                seen.append(result.status.value)
            except TransferOutcomeUnknown:
                seen.append("timeout")
            except AdapterError as exc:
                seen.append(exc.code)
        return seen

    return asyncio.run(main())


def test_adapters_recreated_per_call_share_one_book(book_name: str) -> None:
    request = new_request()
    first = asyncio.run(create("sandbox", {"book": book_name}).transfer(request))
    again = asyncio.run(create("sandbox", {"book": book_name}).transfer(request))
    assert first.provider_ref == again.provider_ref
    assert get_book(book_name).applied_count(request.idempotency_key) == 1
    assert get_book(book_name).requests_count(request.idempotency_key) == 2


def test_books_with_different_names_are_separate_providers(book_name: str) -> None:
    request = new_request()
    asyncio.run(create("sandbox", {"book": book_name}).transfer(request))
    assert get_book(book_name + "-other").applied_count(request.idempotency_key) == 0
    reset_books(book_name + "-other")


def test_reset_forgets_everything(book_name: str) -> None:
    request = new_request()
    asyncio.run(create("sandbox", {"book": book_name}).transfer(request))
    reset_books(book_name)
    assert get_book(book_name).applied() == []


def test_seeded_faults_are_reproducible_whatever_the_order(book_name: str) -> None:
    keys = [str(uuid.UUID(int=i)) for i in range(60)]
    faults = {"seed": 42, "failure_rate": 0.3, "retryable_error_rate": 0.2,
              "timeout_after_apply_rate": 0.2}
    forward = outcomes(book_name, keys, **faults)
    reset_books(book_name)
    backward = outcomes(book_name, list(reversed(keys)), **faults)
    assert forward == list(reversed(backward))
    assert {"succeeded", "failed", "provider_unavailable", "timeout"} <= set(forward)


def test_applied_lists_what_the_provider_really_did(book_name: str) -> None:
    adapter = create("sandbox", {"book": book_name})
    request = new_request(amount=1_000_000)
    asyncio.run(adapter.transfer(request))
    [entry] = adapter.applied()
    assert entry["idempotency_key"] == request.idempotency_key
    assert entry["amount"] == 1_000_000 and entry["status"] == "succeeded"
    assert entry["applied"] == 1 == adapter.applied_count(request.idempotency_key)


def test_callbacks_are_signed_with_standard_webhooks(book_name: str) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    secret = "whsec_" + "c2FuZGJveC10ZXN0LXNlY3JldC0xMjM0NTY3ODkwYWI="

    async def main() -> None:
        adapter = create("sandbox", {"book": book_name, "webhook_secret": secret,
                                     "callback_sink": lambda h, b: received.append((h, b))})
        await adapter.transfer(new_request())
        await adapter.aclose()

    asyncio.run(main())
    [(headers, body)] = received
    assert verify(secret, headers, body).startswith("evt_")
    with pytest.raises(AdapterError):
        verify(DEMO_WEBHOOK_SECRET, headers, body)


def test_async_callback_sinks_are_awaited_before_close(book_name: str) -> None:
    received: list[bytes] = []

    async def sink(headers: dict[str, str], body: bytes) -> None:
        await asyncio.sleep(0)
        received.append(body)

    async def main() -> None:
        adapter = create("sandbox", {"book": book_name, "callback_sink": sink})
        await adapter.transfer(new_request())
        await adapter.aclose()

    asyncio.run(main())
    assert len(received) == 1


def test_lost_callbacks_are_never_sent_but_status_still_answers(book_name: str) -> None:
    received: list[bytes] = []
    request = new_request()

    async def main() -> TransferStatus:
        adapter = create("sandbox", {"book": book_name, "lost_callback_rate": 1.0,
                                     "callback_sink": lambda h, b: received.append(b)})
        await adapter.transfer(request)
        await adapter.aclose()
        return (await adapter.status(request.idempotency_key)).status

    assert asyncio.run(main()) is TransferStatus.SUCCEEDED
    assert received == []


def test_pending_transfer_sends_its_callback_once_resolved(book_name: str) -> None:
    received: list[bytes] = []

    async def main() -> None:
        adapter = create("sandbox", {"book": book_name, "pending_rate": 1.0, "pending_ms": 5,
                                     "callback_sink": lambda h, b: received.append(b)})
        result = await adapter.transfer(new_request())
        assert result.status is TransferStatus.PENDING
        while not received:
            await asyncio.sleep(0.005)

    asyncio.run(asyncio.wait_for(main(), 5))
    assert b'"status":"succeeded"' in received[0]


def test_latency_is_applied_without_blocking_the_event_loop(book_name: str) -> None:
    async def main() -> int:
        adapter: WalletAdapter = create("sandbox", {"book": book_name, "latency_ms": 20})
        results = await asyncio.gather(*(adapter.transfer(new_request()) for _ in range(50)))
        return len(results)

    assert asyncio.run(main()) == 50


def test_balance_falls_by_what_was_paid_and_account_check_knows_unregistered_numbers(
    book_name: str,
) -> None:
    async def main() -> tuple[int, bool, bool]:
        adapter = create("sandbox", {"book": book_name, "opening_balance": 1_000_000,
                                     "unregistered_msisdns": "+84900000000"})
        await adapter.transfer(new_request(amount=300_000))
        missing = await adapter.check_account("+84900000000")
        present = await adapter.check_account("+84912345678")
        return await adapter.balance(), missing.active, present.active

    assert asyncio.run(main()) == (700_000, False, True)
