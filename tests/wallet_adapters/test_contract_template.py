"""The provider template passes the shared adapter contract against its own stub over HTTP.

A copy of ``wallet_adapters/_template`` starts from a working adapter: this module is the one
to copy next to it. In the copy, import from your package, drop the ``registered`` fixture
(your package registers itself on import) and the two tests about the template itself.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.wallet_adapters.contract import WalletAdapterContract, new_request, run
from tests.wallet_adapters.receiver import CallbackReceiver
from tests.wallet_adapters.stub_harness import StubHarness
from wallet_adapters import (
    TransferOutcomeUnknown,
    TransferStatus,
    available,
    display_name,
    registry,
    statement_columns,
)
from wallet_adapters._template import NAME, TemplateAdapter, enable
from wallet_adapters._template.sim.server import StubThread


@pytest.fixture(scope="module")
def registered() -> Iterator[None]:
    """Register the template for this module only: nothing loads it otherwise."""
    enable()
    yield
    registry._providers.pop(NAME, None)


@pytest.fixture(scope="module")
def stub(registered: None) -> Iterator[StubThread]:
    with StubThread() as sim:
        yield sim


@pytest.fixture(scope="module")
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as rec:
        yield rec


@pytest.fixture
def harness(stub: StubThread, receiver: CallbackReceiver) -> Iterator[StubHarness]:
    harness = StubHarness(NAME, stub, receiver)
    harness.reset()
    yield harness
    harness.control.close()


class TestTemplateContract(WalletAdapterContract):
    """Every behaviour of the contract, over HTTP to the template's stub."""


def test_the_template_is_never_loaded_unless_a_caller_enables_it() -> None:
    code = "import wallet_adapters, sys; print(' '.join(wallet_adapters.available()))"
    listed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert {"gsma", "sandbox"} <= set(listed)
    assert NAME not in listed


def test_enabled_the_template_owns_its_display_name_and_statement_headers(
    registered: None,
) -> None:
    assert NAME in available()
    assert display_name(NAME) == "Template Pay"
    assert "payout_reference" in statement_columns()["reference"]


def test_balance_and_account_check_answer_from_the_stub(harness: StubHarness) -> None:
    async def main(adapter: TemplateAdapter) -> tuple[int, int, bool, bool]:
        before = await adapter.balance()
        await adapter.transfer(new_request(amount=100_000))
        known = await adapter.check_account("+84912345678")
        unknown = await adapter.check_account("0912")
        return before, await adapter.balance(), known.active, unknown.active

    before, after, known, unknown = run(harness, main)  # type: ignore[arg-type]
    assert (before - after, known, unknown) == (100_000, True, False)


def test_a_hung_provider_is_an_unknown_outcome_within_the_timeout(
    harness: StubHarness,
) -> None:
    harness.set_faults(timeout_after_apply_rate=1.0, timeout_mode="hang", hang_s=1.0)
    request = new_request()

    async def send() -> None:
        adapter = TemplateAdapter(registry.validate_settings(
            NAME, {"base_url": harness.sim.url, "timeout_s": 0.2}))
        try:
            await adapter.transfer(request)
        finally:
            await adapter.aclose()

    with pytest.raises(TransferOutcomeUnknown):
        asyncio.run(asyncio.wait_for(send(), timeout=0.9))
    harness.set_faults(timeout_after_apply_rate=0.0, timeout_mode="drop")
    assert run(harness, lambda a: a.status(request.idempotency_key)).status is (
        TransferStatus.SUCCEEDED)
    assert harness.applied_count(request.idempotency_key) == 1
