"""The shared adapter contract, run against the GSMA simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.wallet_adapters.contract import Callback, WalletAdapterContract, new_request, run
from tests.wallet_adapters.receiver import CallbackReceiver
from wallet_adapters import TransferStatus, WalletAdapter, create
from wallet_adapters.gsma.sim.server import SimulatorThread
from wallet_adapters.sandbox import Faults

NO_FAULTS = {k: v for k, v in Faults().as_dict().items() if k != "seed"}


class GsmaHarness:
    """Drive GSMA adapters against one simulator, steering it through its control API."""

    def __init__(self, sim: SimulatorThread, receiver: CallbackReceiver) -> None:
        self.sim = sim
        self.receiver = receiver
        self.callback_url: str | None = receiver.url
        self.control = httpx.Client(base_url=sim.url, timeout=5.0, verify=False)

    def adapter(self) -> WalletAdapter:
        return create(
            "gsma",
            {"base_url": self.sim.url, "webhook_secret": self.sim.secret, "timeout_s": 5.0},
        )

    def set_faults(self, **knobs: Any) -> None:
        self.control.post("/_sim/config", json=knobs).raise_for_status()

    def applied_count(self, key: str) -> int:
        applied = self.control.get("/_sim/applied").json()["applied"]
        return sum(item["applied"] for item in applied if item["idempotency_key"] == key)

    def resolve_pending(self) -> None:
        self.control.post("/_sim/resolve").raise_for_status()

    def wait_for_callbacks(self, count: int) -> list[Callback]:
        return self.receiver.wait_for(count)


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture(scope="module")
def receiver() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as rec:
        yield rec


class TestGsmaContract(WalletAdapterContract):
    @pytest.fixture
    def harness(
        self, simulator: SimulatorThread, receiver: CallbackReceiver
    ) -> Iterator[GsmaHarness]:
        harness = GsmaHarness(simulator, receiver)
        harness.control.post("/_sim/reset").raise_for_status()
        harness.set_faults(**NO_FAULTS)
        receiver.clear()
        yield harness
        harness.control.close()


def test_late_callbacks_still_arrive_signed(
    simulator: SimulatorThread, receiver: CallbackReceiver
) -> None:
    harness = GsmaHarness(simulator, receiver)
    harness.set_faults(**{**NO_FAULTS, "late_callback_rate": 1.0, "late_callback_ms": 50})
    receiver.clear()
    request = new_request(callback_url=receiver.url)
    run(harness, lambda a: a.transfer(request))
    [(headers, body)] = receiver.wait_for(1)
    event = harness.adapter().parse_callback(headers, body)
    assert event.idempotency_key == request.idempotency_key
    harness.set_faults(**NO_FAULTS)


def test_lost_callbacks_are_never_sent_but_status_still_answers(
    simulator: SimulatorThread, receiver: CallbackReceiver
) -> None:
    harness = GsmaHarness(simulator, receiver)
    harness.set_faults(**{**NO_FAULTS, "lost_callback_rate": 1.0})
    request = new_request(callback_url=receiver.url)
    run(harness, lambda a: a.transfer(request))
    applied = harness.control.get("/_sim/applied").json()["applied"]
    [entry] = [e for e in applied if e["idempotency_key"] == request.idempotency_key]
    assert entry["callbacks"] == 0
    polled = run(harness, lambda a: a.status(request.idempotency_key))
    assert polled.status is TransferStatus.SUCCEEDED
    harness.set_faults(**NO_FAULTS)
