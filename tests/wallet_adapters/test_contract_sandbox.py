"""The shared adapter contract, run against the in-process sandbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.wallet_adapters.contract import Callback, WalletAdapterContract
from wallet_adapters import WalletAdapter, create
from wallet_adapters.sandbox import get_book, reset_books


class SandboxHarness:
    """Drive sandbox adapters sharing one uniquely named per-process book."""

    callback_url: str | None = None

    def __init__(self) -> None:
        self.book_name = f"contract-{uuid.uuid4().hex}"
        self.knobs: dict[str, Any] = {}
        self.received: list[Callback] = []

    def adapter(self) -> WalletAdapter:
        settings = {"book": self.book_name, "callback_sink": self._sink, **self.knobs}
        return create("sandbox", settings)

    def _sink(self, headers: dict[str, str], body: bytes) -> None:
        self.received.append((headers, body))

    def set_faults(self, **knobs: Any) -> None:
        self.knobs.update(knobs)

    def applied_count(self, key: str) -> int:
        return get_book(self.book_name).applied_count(key)

    def resolve_pending(self) -> None:
        get_book(self.book_name).resolve_pending()

    def wait_for_callbacks(self, count: int) -> list[Callback]:
        # The sink runs on the adapter's event loop before the loop closes: nothing to wait for.
        assert len(self.received) >= count, f"expected {count} callbacks, got {len(self.received)}"
        return self.received[:count]


class TestSandboxContract(WalletAdapterContract):
    @pytest.fixture
    def harness(self) -> Iterator[SandboxHarness]:
        harness = SandboxHarness()
        yield harness
        reset_books(harness.book_name)
