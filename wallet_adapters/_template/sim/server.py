"""Run the Template Pay API stub: in a test's background thread, or from the command line.

Run it: ``python -m wallet_adapters._template.sim.server --port 8091 --failure-rate 0.05``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wallet_adapters import stub_server
from wallet_adapters._template.sim.provider import TemplateStub
from wallet_adapters.sandbox.adapter import DEMO_WEBHOOK_SECRET


class StubThread(stub_server.StubThread):
    """Serve the stub in a background thread on a free port; use as a context manager.

    Args:
        options: fault knobs (``failure_rate=0.05``…) and :class:`TemplateStub` arguments.
    """

    simulator: TemplateStub

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        super().__init__(stub_server.build_stub(TemplateStub, options), host=host, port=port,
                         secret=options.get("webhook_secret", DEMO_WEBHOOK_SECRET))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve until interrupted; give the exit status."""
    parser = stub_server.build_parser("template-stub", __doc__.split("\n")[0], 8091)
    return stub_server.main(TemplateStub, parser, argv)


if __name__ == "__main__":
    raise SystemExit(main())
