"""A tiny HTTP server that records the callbacks a simulated provider PUTs to us."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Callback = tuple[dict[str, str], bytes]


class CallbackReceiver:
    """Record every callback (headers, raw body) and answer 204, like our gateway would."""

    def __init__(self) -> None:
        self.received: list[Callback] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._cond:
                    receiver.received.append((dict(self.headers.items()), body))
                    receiver._cond.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT  # GSMA calls back with PUT, most providers with POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/callbacks/gsma"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Callback]:
        """Give the first ``count`` callbacks, waiting up to ``timeout`` seconds for them."""
        with self._cond:
            arrived = self._cond.wait_for(lambda: len(self.received) >= count, timeout)
            assert arrived, f"expected {count} callbacks, got {len(self.received)}"
            return self.received[:count]

    def clear(self) -> None:
        """Forget the callbacks received so far."""
        with self._cond:
            self.received.clear()

    def __enter__(self) -> CallbackReceiver:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
