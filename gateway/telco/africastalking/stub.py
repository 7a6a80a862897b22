"""A local stand-in for Africa's Talking's SMS API, for tests and demos (never production).

Speaks ``POST /version1/messaging`` (form-encoded ``username, to, message, from, ...``) and
answers AT-shaped JSON with a status per recipient. Extras under ``/_stub/``:

- ``GET /_stub/messages``: every message accepted, as JSON;
- ``POST /_stub/fail`` (JSON ``{"+84...": [403, "InvalidPhoneNumber"]}``): per-number failures;
- ``POST /_stub/deliver`` (JSON ``{"callback": url, "status": "Success", "failureReason": ...}``):
  post a delivery report for every sent message not yet reported.

With ``delivery_callback`` set (``gateway run`` does, in development) every accepted message
gets a ``Success`` delivery report posted there shortly after, as AT would.

Run it with ``gateway at-stub --port 8099`` and point ``CHITRA_AT_BASE_URL`` at it.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from gateway.telco.stub_http import LocalStub, StubHandler, StubServer

STATUS_NAMES = {100: "Processed", 101: "Success", 102: "Queued", 401: "RiskHold",
                402: "InvalidSenderId", 403: "InvalidPhoneNumber", 404: "UnsupportedNumberType",
                405: "InsufficientBalance", 406: "UserInBlacklist", 407: "CouldNotRoute",
                500: "InternalServerError", 501: "GatewayError", 502: "RejectedByGateway"}


@dataclass
class StubState:
    """Hold what the stub received and how it should answer."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)
    api_key: str | None = None  # when set, requests without this apiKey header get 401
    delivery_callback: str | None = None  # when set, sent messages are reported delivered
    delivery_delay: float = 1.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, form: dict[str, str]) -> dict[str, Any]:
        """Accept one messaging call and return AT's answer body."""
        numbers = [n.strip() for n in form.get("to", "").split(",") if n.strip()]
        recipients = []
        with self.lock:
            for number in numbers:
                code, status = self.failures.get(number, (101, "Success"))
                entry: dict[str, Any] = {"statusCode": code, "number": number, "status": status,
                                         "cost": "0", "messageId": "None"}
                if code in (100, 101, 102):
                    entry["cost"] = "VND 250"
                    entry["messageId"] = f"ATXid_{secrets.token_hex(12)}"
                    self.messages.append({"id": entry["messageId"], "to": number,
                                          "message": form.get("message", ""),
                                          "from": form.get("from"),
                                          "username": form.get("username")})
                recipients.append(entry)
        sent = sum(1 for r in recipients if r["statusCode"] in (100, 101, 102))
        if sent and self.delivery_callback:
            ids = {r["messageId"] for r in recipients if r["statusCode"] in (100, 101, 102)}
            timer = threading.Timer(self.delivery_delay, self._auto_deliver, args=(ids,))
            timer.daemon = True
            timer.start()
        return {"SMSMessageData": {
            "Message": f"Sent to {sent}/{len(numbers)} Total Cost: VND {250 * sent}",
            "Recipients": recipients}}

    def _auto_deliver(self, ids: set[str]) -> None:
        try:
            self.deliver(str(self.delivery_callback), only=ids)
        except OSError:
            pass  # the gateway is not up (yet, or any more): AT would retry, a stub need not

    def deliver(self, callback: str, status: str = "Success",
                failure_reason: str | None = None, only: set[str] | None = None) -> int:
        """Post a delivery report for each message not yet reported; return how many."""
        with self.lock:
            todo = [m for m in self.messages if m["id"] not in self.reported
                    and (only is None or m["id"] in only)]
            self.reported.update(m["id"] for m in todo)
        for message in todo:
            form = {"id": message["id"], "status": status, "phoneNumber": message["to"],
                    "networkCode": "45204", "retryCount": "0"}
            if failure_reason:
                form["failureReason"] = failure_reason
            data = urllib.parse.urlencode(form).encode()
            with urllib.request.urlopen(callback, data=data, timeout=5) as response:
                response.read()
        return len(todo)


class _Handler(StubHandler):
    server: StubServer
    # Exactly this value: the SDK parses JSON only when the header equals it.
    content_type = "application/json"

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:
        """Accept a messaging call or a stub control call."""
        state = self.server.state
        path = self.path.split("?")[0]
        body = self._body()
        if path == "/version1/messaging":
            if state.api_key is not None and self.headers.get("apiKey") != state.api_key:
                self.reply(401, {"error": "The supplied authentication is invalid"})
                return
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            if not form.get("to") or not form.get("message") or not form.get("username"):
                self.reply(400, {"error": "to, message and username are required"})
                return
            self.reply(201, state.send(form))
        elif path == "/_stub/fail":
            rules = json.loads(body or b"{}")
            with state.lock:
                state.failures = {n: (int(c), str(s)) for n, (c, s) in rules.items()}
            self.reply(200, {"ok": True})
        elif path == "/_stub/deliver":
            options = json.loads(body or b"{}")
            count = state.deliver(options["callback"], options.get("status", "Success"),
                                  options.get("failureReason"))
            self.reply(200, {"reported": count})
        else:
            self.reply(404, {"error": "not found"})


class AtStub(LocalStub):
    """Run the stub on a local port in a background thread."""

    state: StubState

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api_key: str | None = None,
                 delivery_callback: str | None = None) -> None:
        """Bind to ``host:port`` (0 picks a free port); report deliveries to the callback."""
        super().__init__(host, port, _Handler,
                         StubState(api_key=api_key, delivery_callback=delivery_callback))
