"""A local GSMA Mobile Money API v1.2 provider for tests, demos and benchmarks.

It speaks the disbursement protocol over real HTTP, applies each ``X-CorrelationID`` at most
once (same key with another body → 400 ``duplicateRequest``), injects the same faults as the
sandbox (see :class:`~wallet_adapters.sandbox.book.Faults`), and sends callbacks as
``PUT {X-Callback-URL}`` signed with Standard Webhooks. Control and inspection for tests:
``GET /_sim/applied``, ``GET|POST /_sim/config``, ``POST /_sim/reset``, ``POST /_sim/resolve``.
The provider's behaviour lives in :mod:`wallet_adapters.gsma.sim.provider`; this module is the
in-process test helper and the command line.

Run it: ``python -m wallet_adapters.gsma.sim.server --port 8090 --failure-rate 0.05``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from wallet_adapters import stub_server
from wallet_adapters.gsma.sim.provider import GsmaSimulator
from wallet_adapters.sandbox.adapter import DEMO_WEBHOOK_SECRET

__all__ = ["GsmaSimulator", "SimulatorThread", "build_parser", "main", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8090, **options: Any) -> None:
    """Run the simulator in the foreground until interrupted.

    Args:
        options: fault knobs (``failure_rate=0.05``…) and :class:`GsmaSimulator` arguments.
    """
    stub_server.serve(stub_server.build_stub(GsmaSimulator, options), host, port)


class SimulatorThread(stub_server.StubThread):
    """Run the GSMA simulator in a background thread on a free port; use as a context manager.

    Example::

        with SimulatorThread(failure_rate=0.1, seed=7) as sim:
            adapter = create("gsma", {"base_url": sim.url, "webhook_secret": sim.secret})
    """

    simulator: GsmaSimulator

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        super().__init__(stub_server.build_stub(GsmaSimulator, options), host=host, port=port,
                         secret=options.get("webhook_secret", DEMO_WEBHOOK_SECRET))


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line (shared with ``gateway gsma-sim serve``)."""
    return stub_server.build_parser("gsma-simulator", __doc__.split("\n")[0], 8090)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve until interrupted; give the exit status."""
    return stub_server.main(GsmaSimulator, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
