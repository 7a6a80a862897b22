"""The HTTP scaffolding of the local telco stubs: a quiet JSON handler and a background server.

Each stub (``africastalking/stub.py``, ``esms/stub.py``) keeps its state in
an object with ``messages`` and ``lock`` and writes only its own protocol's requests.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class StubHandler(BaseHTTPRequestHandler):
    """Answer JSON, stay out of the logs, and serve ``GET /_stub/messages``."""

    server: StubServer
    content_type = "application/json; charset=utf-8"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: request lines carry phone numbers."""

    def reply(self, code: int, body: Any) -> None:
        """Send ``body`` as JSON with status ``code``."""
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def read_json(self) -> Any:
        """Read the request body as JSON; None when it is not JSON."""
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def do_GET(self) -> None:
        """Serve the recorded messages."""
        if self.path.split("?")[0] == "/_stub/messages":
            with self.server.state.lock:
                self.reply(200, list(self.server.state.messages))
        else:
            self.reply(404, {"error": "not found"})


class StubServer(ThreadingHTTPServer):
    """A threaded HTTP server holding its stub's state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[StubHandler],
                 state: Any) -> None:
        """Bind ``handler`` to ``address``; ``state`` is what the handler reads and changes."""
        super().__init__(address, handler)
        self.state = state


class LocalStub:
    """Run a stub on a local port in a background thread."""

    def __init__(self, host: str, port: int, handler: type[StubHandler], state: Any) -> None:
        """Bind to ``host:port`` (0 picks a free port)."""
        self.state = state
        self._server = StubServer((host, port), handler, state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Give the stub's root URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        """Start serving and return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI)."""
        self._server.serve_forever()
