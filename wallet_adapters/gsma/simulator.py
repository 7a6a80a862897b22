"""A local GSMA Mobile Money API v1.2 provider for tests, demos and benchmarks.

It speaks the disbursement protocol over real HTTP, applies each ``X-CorrelationID`` at most
once (same key with another body → 400 ``duplicateRequest``), injects the same faults as the
sandbox (see :class:`~wallet_adapters.sandbox.book.Faults`), and sends callbacks as
``PUT {X-Callback-URL}`` signed with Standard Webhooks. Control and inspection for tests:
``GET /_sim/applied``, ``GET|POST /_sim/config``, ``POST /_sim/reset``, ``POST /_sim/resolve``.
The provider's behaviour lives in :mod:`wallet_adapters.gsma.fake_provider`; this module is the
HTTP server, the in-process test helper and the command line.

Run it: ``python -m wallet_adapters.gsma.simulator --port 8090 --failure-rate 0.05``.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from wallet_adapters.gsma import transformers as tf
from wallet_adapters.gsma.fake_provider import DROP, GsmaSimulator, error_answer
from wallet_adapters.sandbox.adapter import DEMO_WEBHOOK_SECRET
from wallet_adapters.sandbox.book import FAULT_NAMES, Faults, ProviderBook

log = logging.getLogger(__name__)

__all__ = ["GsmaSimulator", "SimulatorThread", "build_parser", "main", "make_server", "serve"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so client pools reuse connections
    # Headers and body leave in separate writes; Nagle plus delayed ACKs would stall each
    # keep-alive answer by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            answer = self.server.simulator.handle(self.command, self.path, self.headers, body)
        except Exception:  # a simulator bug must look like a provider 500, not a hang
            log.exception("simulator failed on %s %s", self.command, self.path)
            answer = error_answer(500, "internal", "genericError", "simulator error")
        if answer is DROP:
            self.close_connection = True
            return
        status, payload = answer
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Date", tf.now_iso())
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # hundreds of workers connect at once in benchmarks
    simulator: GsmaSimulator


def make_server(host: str, port: int, simulator: GsmaSimulator) -> ThreadingHTTPServer:
    """Bind a threaded HTTP server for ``simulator`` (port 0 picks a free port)."""
    server = _Server((host, port), _Handler)
    server.simulator = simulator
    return server


def _simulator_from(options: Mapping[str, Any]) -> GsmaSimulator:
    fault_values = {k: v for k, v in options.items() if k in FAULT_NAMES}
    others = {k: v for k, v in options.items() if k not in FAULT_NAMES}
    return GsmaSimulator(Faults.from_mapping(fault_values), **others)


def serve(host: str = "127.0.0.1", port: int = 8090, **options: Any) -> None:
    """Run the simulator in the foreground until interrupted.

    Args:
        options: fault knobs (``failure_rate=0.05``…) and :class:`GsmaSimulator` arguments.
    """
    simulator = _simulator_from(options)
    server = make_server(host, port, simulator)
    simulator.callbacks.start()
    log.info("GSMA simulator on http://%s:%s", host, server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        simulator.callbacks.stop()


class SimulatorThread:
    """Run the simulator in a background thread on a free port; use as a context manager.

    Example::

        with SimulatorThread(failure_rate=0.1, seed=7) as sim:
            adapter = create("gsma", {"base_url": sim.url, "webhook_secret": sim.secret})
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any):
        self.simulator = _simulator_from(options)
        self.secret = options.get("webhook_secret", DEMO_WEBHOOK_SECRET)
        self._server = make_server(host, port, self.simulator)
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="gsma-simulator", daemon=True,
        )

    @property
    def book(self) -> ProviderBook:
        """Give the simulator's book, for in-process assertions."""
        return self.simulator.book

    def start(self) -> SimulatorThread:
        """Start serving."""
        self.simulator.callbacks.start()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and sending callbacks."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.simulator.callbacks.stop()

    def __enter__(self) -> SimulatorThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line (shared with ``gateway sandbox-wallet serve``)."""
    parser = argparse.ArgumentParser(prog="gsma-simulator", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    for name in FAULT_NAMES:
        parser.add_argument(f"--{name.replace('_', '-')}", type=int if name == "seed" else float,
                            default=None, help=f"fault knob {name}")
    parser.add_argument("--webhook-secret", default=DEMO_WEBHOOK_SECRET)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--timeout-mode", choices=("drop", "hang"), default="drop")
    parser.add_argument("--hang-s", type=float, default=2.0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve until interrupted; give the exit status."""
    args = vars(build_parser().parse_args(argv))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    host, port = args.pop("host"), args.pop("port")
    serve(host, port, **{k: v for k, v in args.items() if v is not None})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
