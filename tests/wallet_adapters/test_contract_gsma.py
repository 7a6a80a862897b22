"""The shared adapter contract, run against the GSMA simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.wallet_adapters.contract import WalletAdapterContract, new_request, run
from tests.wallet_adapters.receiver import CallbackReceiver
from tests.wallet_adapters.stub_harness import NO_FAULTS, StubHarness
from wallet_adapters import TransferStatus
from wallet_adapters.gsma.sim.server import SimulatorThread


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
    ) -> Iterator[StubHarness]:
        harness = StubHarness("gsma", simulator, receiver)
        harness.reset()
        yield harness
        harness.control.close()


def test_late_callbacks_still_arrive_signed(
    simulator: SimulatorThread, receiver: CallbackReceiver
) -> None:
    harness = StubHarness("gsma", simulator, receiver)
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
    harness = StubHarness("gsma", simulator, receiver)
    harness.set_faults(**{**NO_FAULTS, "lost_callback_rate": 1.0})
    request = new_request(callback_url=receiver.url)
    run(harness, lambda a: a.transfer(request))
    applied = harness.control.get("/_sim/applied").json()["applied"]
    [entry] = [e for e in applied if e["idempotency_key"] == request.idempotency_key]
    assert entry["callbacks"] == 0
    polled = run(harness, lambda a: a.status(request.idempotency_key))
    assert polled.status is TransferStatus.SUCCEEDED
    harness.set_faults(**NO_FAULTS)
