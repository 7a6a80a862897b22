"""Drive any provider's adapter against its HTTP stub, through the stub kit's control API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.wallet_adapters.contract import Callback
from tests.wallet_adapters.receiver import CallbackReceiver
from wallet_adapters import WalletAdapter, create
from wallet_adapters.sandbox import Faults
from wallet_adapters.stub_server import StubThread

NO_FAULTS = {k: v for k, v in Faults().as_dict().items() if k != "seed"}


class StubHarness:
    """Build adapters of ``provider`` wired to a running stub; steer it through ``/_sim``."""

    def __init__(self, provider: str, sim: StubThread, receiver: CallbackReceiver) -> None:
        self.provider = provider
        self.sim = sim
        self.receiver = receiver
        self.callback_url: str | None = receiver.url
        self.control = httpx.Client(base_url=sim.url, timeout=5.0, verify=False)

    def adapter(self) -> WalletAdapter:
        return create(
            self.provider,
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

    def reset(self) -> None:
        """Make the stub a brand-new provider without faults, and forget received callbacks."""
        self.control.post("/_sim/reset").raise_for_status()
        self.set_faults(**NO_FAULTS)
        self.receiver.clear()
