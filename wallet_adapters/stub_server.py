"""What every provider stub shares: the fake's book and faults, its control API, its HTTP server.

A provider's stub (``<provider>/sim/``) subclasses :class:`StubProvider` and writes only its
wire format in :meth:`StubProvider.route`; the money lives in a
:class:`~wallet_adapters.sandbox.book.ProviderBook`, which applies each key at most once and
decides the injected faults. Tests steer and inspect every stub the same way:
``GET /_sim/applied``, ``GET|POST /_sim/config``, ``POST /_sim/reset``, ``POST /_sim/resolve``.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from wallet_adapters.sandbox.adapter import DEMO_WEBHOOK_SECRET
from wallet_adapters.sandbox.book import FAULT_NAMES, BookEntry, Faults, ProviderBook, Submission
from wallet_adapters.stub_callbacks import CallbackDispatcher

log = logging.getLogger(__name__)

DROP = object()  # handler answer meaning "close the connection without answering"
Answer = tuple[int, Any]


class StubProvider:
    """Hold a simulated provider: its book, faults and callback sender; no sockets here.

    Subclasses set ``label`` and ``callback_method`` and implement :meth:`route`,
    :meth:`error` and :meth:`render_callback`.

    Args:
        faults: fault knobs; changed at run time through ``/_sim/config``.
        webhook_secret: ``whsec_`` secret signing callbacks.
        api_key: when set, requests must carry it as bearer token or ``X-API-Key``.
        timeout_mode: ``"drop"`` closes the connection after applying; ``"hang"`` first sleeps
            ``hang_s`` (longer than the client's timeout) then closes it.
        opening_balance: float of the disbursement account, whole đồng.
    """

    label = "stub"  # names the book and the threads
    ref_prefix = "STB"  # the provider's own transaction references start with it
    callback_method = "POST"

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        webhook_secret: str = DEMO_WEBHOOK_SECRET,
        api_key: str | None = None,
        timeout_mode: str = "drop",
        hang_s: float = 2.0,
        opening_balance: int = 10**13,
    ):
        self.faults = faults or Faults()
        self.book = ProviderBook(f"{self.label}-simulator", ref_prefix=self.ref_prefix)
        self.api_key = api_key
        self.timeout_mode = timeout_mode
        self.hang_s = hang_s
        self.opening_balance = opening_balance
        self._lock = threading.Lock()
        self._callbacks_planned: dict[str, int] = {}
        self.callbacks = CallbackDispatcher(webhook_secret, self.render_callback,
                                            method=self.callback_method, name=self.label)

    # -- what a provider's stub writes ----------------------------------------------------

    def route(self, method: str, parts: list[str], headers: Mapping[str, str], body: bytes) -> Any:
        """Answer one provider request (path split in ``parts``): (status, JSON) or ``DROP``."""
        raise NotImplementedError

    def error(self, status: int, code: str, description: str) -> Answer:
        """Build an HTTP status and the provider's error object."""
        raise NotImplementedError

    def render_callback(self, entry: BookEntry) -> tuple[dict[str, str], dict[str, Any]]:
        """Build the extra headers and the JSON body of the callback for ``entry``."""
        raise NotImplementedError

    def answer_headers(self) -> dict[str, str]:
        """Give the headers the provider adds to every answer."""
        return {}

    # -- shared behaviour -----------------------------------------------------------------

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Any:
        """Answer one request: an (HTTP status, JSON) pair, or ``DROP``."""
        path = path.split("?", 1)[0].rstrip("/")
        parts = [unquote(p) for p in path.split("/") if p]
        if parts[:1] == ["_sim"]:
            return self._control(method, parts[1:], body)
        if not self._authorised(headers):
            return self.error(401, "unauthorised", "bad credentials")
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000.0)
        return self.route(method, parts, headers, body)

    def _authorised(self, headers: Mapping[str, str]) -> bool:
        if not self.api_key:
            return True
        lowered = {k.lower(): v for k, v in headers.items()}
        return (
            lowered.get("authorization") == f"Bearer {self.api_key}"
            or lowered.get("x-api-key") == self.api_key
        )

    def after_submit(self, sub: Submission, callback_url: str | None) -> Any:
        """Schedule the callbacks a fresh submission plans; give ``DROP`` if its answer is lost.

        Returns:
            ``DROP`` when the fault knobs decided the answer times out, else None.
        """
        entry = sub.entry
        assert entry is not None
        if sub.kind == "applied" and callback_url:
            with self._lock:
                self._callbacks_planned[entry.idempotency_key] = len(sub.callbacks)
            for delay in sub.callbacks:
                self.callbacks.schedule(delay, entry, callback_url)
        if sub.timed_out:
            if self.timeout_mode == "hang":
                time.sleep(self.hang_s)
            return DROP
        return None

    def balance_left(self) -> int:
        """Give the disbursement account's balance: the opening float minus what was paid."""
        return self.opening_balance - self.book.paid_total()

    def _control(self, method: str, parts: list[str], raw: bytes) -> Answer:
        if method == "GET" and parts == ["applied"]:
            applied = self.book.applied()
            for item in applied:
                item["callbacks"] = self._callbacks_planned.get(item["idempotency_key"], 0)
            return 200, {"count": len(applied), "applied": applied}
        if parts == ["config"]:
            if method == "POST":
                try:
                    values = json.loads(raw or b"{}")
                    self.configure(**values)
                except (ValueError, TypeError) as exc:
                    return self.error(400, "bad_config", str(exc))
            return 200, self.config()
        if method == "POST" and parts == ["reset"]:
            self.reset()
            return 200, {"reset": True}
        if method == "POST" and parts == ["resolve"]:
            return 200, {"resolved": self.book.resolve_pending()}
        return self.error(404, "not_found", "unknown control endpoint")

    def configure(self, **values: Any) -> None:
        """Change fault knobs (and ``timeout_mode``/``hang_s``) at run time.

        Raises:
            TypeError: on an unknown knob.
            InvalidSettings: on a bad value.
        """
        unknown = set(values) - set(FAULT_NAMES) - {"timeout_mode", "hang_s"}
        if unknown:
            raise TypeError(f"unknown simulator settings: {', '.join(sorted(unknown))}")
        mode = str(values.get("timeout_mode", self.timeout_mode))
        if mode not in ("drop", "hang"):
            raise TypeError('timeout_mode must be "drop" or "hang"')
        self.faults.update(values)
        self.timeout_mode = mode
        self.hang_s = float(values.get("hang_s", self.hang_s))

    def config(self) -> dict[str, Any]:
        """Give the current knobs."""
        return {**self.faults.as_dict(), "timeout_mode": self.timeout_mode, "hang_s": self.hang_s}

    def reset(self) -> None:
        """Forget every transfer, as a brand-new provider (faults are kept)."""
        self.book.reset()
        with self._lock:
            self._callbacks_planned.clear()


# -- the HTTP server ----------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so client pools reuse connections
    # Headers and body leave in separate writes; Nagle plus delayed ACKs would stall each
    # keep-alive answer by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        stub = self.server.stub
        try:
            answer = stub.handle(self.command, self.path, self.headers, body)
        except Exception:  # a simulator bug must look like a provider 500, not a hang
            log.exception("simulator failed on %s %s", self.command, self.path)
            answer = stub.error(500, "internal", "simulator error")
        if answer is DROP:
            self.close_connection = True
            return
        status, payload = answer
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in stub.answer_headers().items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # hundreds of workers connect at once in benchmarks
    stub: StubProvider


def make_server(host: str, port: int, stub: StubProvider) -> ThreadingHTTPServer:
    """Bind a threaded HTTP server for ``stub`` (port 0 picks a free port)."""
    server = _Server((host, port), _Handler)
    server.stub = stub
    return server


StubFactory = Callable[..., StubProvider]


def build_stub(factory: StubFactory, options: Mapping[str, Any]) -> StubProvider:
    """Build a stub from mixed options: fault knobs become its ``Faults``, the rest arguments."""
    fault_values = {k: v for k, v in options.items() if k in FAULT_NAMES}
    others = {k: v for k, v in options.items() if k not in FAULT_NAMES}
    return factory(Faults.from_mapping(fault_values), **others)


def serve(stub: StubProvider, host: str = "127.0.0.1", port: int = 8090) -> None:
    """Run ``stub`` in the foreground until interrupted."""
    server = make_server(host, port, stub)
    stub.callbacks.start()
    log.info("%s simulator on http://%s:%s", stub.label, host, server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        stub.callbacks.stop()


class StubThread:
    """Run a stub in a background thread on a free port; use as a context manager.

    Args:
        stub: the simulated provider to serve.
        secret: the ``whsec_`` secret its callbacks are signed with, for the adapter.
    """

    def __init__(self, stub: StubProvider, *, secret: str, host: str = "127.0.0.1",
                 port: int = 0):
        self.simulator = stub
        self.secret = secret
        self._server = make_server(host, port, stub)
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"{stub.label}-simulator", daemon=True,
        )

    @property
    def book(self) -> ProviderBook:
        """Give the simulator's book, for in-process assertions."""
        return self.simulator.book

    def start(self) -> StubThread:
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

    def __enter__(self) -> StubThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def build_parser(prog: str, description: str, port: int) -> argparse.ArgumentParser:
    """Describe a stub's command line: address, every fault knob, secret, key, timeout mode."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    for name in FAULT_NAMES:
        parser.add_argument(f"--{name.replace('_', '-')}", type=int if name == "seed" else float,
                            default=None, help=f"fault knob {name}")
    parser.add_argument("--webhook-secret", default=DEMO_WEBHOOK_SECRET)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--timeout-mode", choices=("drop", "hang"), default="drop")
    parser.add_argument("--hang-s", type=float, default=2.0)
    return parser


def main(factory: StubFactory, parser: argparse.ArgumentParser,
         argv: Sequence[str] | None = None) -> int:
    """Parse a stub's arguments and serve it until interrupted; give the exit status."""
    args = vars(parser.parse_args(argv))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    host, port = args.pop("host"), args.pop("port")
    stub = build_stub(factory, {k: v for k, v in args.items() if v is not None})
    serve(stub, host, port)
    return 0
