"""A local stand-in for a telco's CAMARA SimSwap API (tests only), over real HTTP.

``POST /check`` with ``{"phoneNumber": "+84...", "maxAge": hours}`` answers
``{"swapped": bool}`` from a table of numbers and their last swap time; a number listed in
``failing`` gets a 503. Every request is recorded (numbers included: this is a test double).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class CamaraState:
    """What the stub knows and what it was asked."""

    swapped_at: dict[str, datetime] = field(default_factory=dict)
    failing: bool = False
    token: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, body: dict[str, Any], auth: str | None) -> tuple[int, dict[str, Any]]:
        """Return the status and JSON body CAMARA's /check would give."""
        self.requests.append(body)
        if self.token and auth != f"Bearer {self.token}":
            return 401, {"status": 401, "code": "UNAUTHENTICATED", "message": "no token"}
        if self.failing:
            return 503, {"status": 503, "code": "UNAVAILABLE", "message": "try later"}
        number, hours = body.get("phoneNumber"), body.get("maxAge", 240)
        if not isinstance(number, str) or not isinstance(hours, int) or not 1 <= hours <= 2400:
            return 400, {"status": 400, "code": "INVALID_ARGUMENT", "message": "bad request"}
        last = self.swapped_at.get(number)
        swapped = last is not None and datetime.now(UTC) - last <= timedelta(hours=hours)
        return 200, {"swapped": swapped}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.path.rstrip("/").endswith("/check"):
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = {}
            status, answer = self.server.state.answer(body, self.headers.get("Authorization"))
        else:
            status, answer = 404, {"status": 404, "code": "NOT_FOUND", "message": "no route"}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: CamaraState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class CamaraStub:
    """Run the stub on a free local port in a background thread."""

    def __init__(self) -> None:
        self.state = CamaraState()
        self._server = _Server(self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Give the base URL to configure as ``SIM_SWAP_URL``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/sim-swap/v1"

    def swap(self, number: str, hours_ago: float = 1) -> None:
        """Record that ``number``'s SIM changed ``hours_ago``."""
        self.state.swapped_at[number] = datetime.now(UTC) - timedelta(hours=hours_ago)

    def start(self) -> CamaraStub:
        """Start serving and return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
