"""A local stand-in for eSMS, for tests and demos (never production).

Speaks eSMS's documented protocol: ``POST /MainService.svc/json/SendMultipleMessage_V4_post_json/``
and ``.../MultiChannelMessage/`` with the documented answers (``CodeResult`` 100, 101, 104,
124 for a repeated ``RequestId``, any code of the table on demand), delivery reports as HTTP
GETs to each message's ``CallbackUrl`` in the documented query shape, and MO GETs signed as
eSMS signs them. Extras under ``/_stub/``:

- ``GET /_stub/messages``: every message sent (a ZNS attempt has ``"channel": "zalo"``);
- ``POST /_stub/fail`` (JSON ``{"0912345678": "108"}``): a code for a phone's sends;
- ``POST /_stub/fault`` (JSON ``{"faults": ["500", "timeout", "103"]}``): the next calls fail
  whole, one fault each (HTTP 500, no answer in time, a ``CodeResult`` for the account;
  ``"lost"`` accepts the message but never answers, as when the answer is lost on the way);
- ``POST /_stub/zalo`` (JSON ``{"undeliverable": ["0912345678"], "code": "789"}``): ZNS
  fails for these phones (the SMS half is sent) or the whole Zalo request is refused;
- ``POST /_stub/deliver`` (JSON ``{"SendStatus": "5", "SendSuccess": "1"}``): report every
  message not yet reported;
- ``POST /_stub/mo`` (JSON ``{"url": ..., "sender": "84912345678", "content": "XN"}``): send
  a signed MO and return our answer.

Run it with ``gateway esms-stub --port 8098`` and point ``CHITRA_ESMS_BASE_URL`` at
``<its url>/MainService.svc/json``.
"""

from __future__ import annotations

import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from gateway.telco.esms.signature import mo_sign
from gateway.telco.stub_http import LocalStub, StubHandler, StubServer

PREFIX = "/MainService.svc/json/"
SEND = PREFIX + "SendMultipleMessage_V4_post_json/"
MULTI = PREFIX + "MultiChannelMessage/"
# The documented error messages of the codes the stub answers by itself.
MESSAGES = {"101": "Authorize Failed", "103": "Not enough balance to send message.",
            "104": "Brand name code is not exist", "108": "Phone number is not in correct format.",
            "789": "TemplateId is not config"}
TIMEOUT_SECONDS = 15.0  # longer than any client timeout ChiTra configures


@dataclass
class StubState:
    """Hold what the stub received and how it should answer."""

    api_key: str | None = None
    secret_key: str | None = None
    brandname: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    request_ids: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    zalo_undeliverable: set[str] = field(default_factory=set)
    zalo_code: str | None = None
    reported: set[int] = field(default_factory=set)
    calls: int = 0
    auto_deliver: bool = False  # report every accepted message delivered, shortly after
    delivery_delay: float = 1.0
    mo_private_key: str = "stub-mo-private-key"
    mo_cpid: str = "STUBCP"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """Answer one send call (HTTP status, JSON), or None to time out."""
        with self.lock:
            self.calls += 1
            fault = self.faults.pop(0) if self.faults else None
        if fault == "timeout":
            return None
        if fault == "lost":
            self._answer(path, body)  # accepted, but the answer never reaches the caller
            return None
        if fault and fault.isdigit() and len(fault) == 3 and fault.startswith("5"):
            return int(fault), {"error": "Internal Server Error"}
        if fault:
            return 200, _refusal(fault)
        return self._answer(path, body)

    def _answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if (self.api_key is not None and body.get("ApiKey") != self.api_key) or (
                self.secret_key is not None and body.get("SecretKey") != self.secret_key):
            return 200, _refusal("101")
        if path == MULTI:
            return 200, self._multichannel(body)
        return 200, self._sms(str(body.get("Phone", "")), body)

    def _sms(self, phone: str, data: dict[str, Any], *, zalo: dict[str, Any] | None = None
             ) -> dict[str, Any]:
        if self.brandname is not None and data.get("Brandname") != self.brandname:
            return _refusal("104")
        if str(data.get("SmsType")) != "2" or not data.get("Content") or not phone:
            return {"error": "Invalid request"}
        with self.lock:
            request_id = str(data.get("RequestId") or "")
            if request_id and request_id in self.request_ids:
                # Documented: {"CodeResult": "124", ..., "ErrorMessage": "Request exist 1"}
                return {"CodeResult": "124", "CountRegenerate": 0,
                        "ErrorMessage": "Request exist 1", "SendStatus": "5"}
            code = self.failures.get(phone)
            if code is not None:
                return _refusal(code)
            sms_id = secrets.token_hex(16)
            if request_id:
                self.request_ids[request_id] = sms_id
            if zalo is not None:
                self.messages.append({**zalo, "SMSID": sms_id, "delivered": False})
            self.messages.append({
                "SMSID": sms_id, "channel": "sms", "Phone": phone,
                "Content": data.get("Content"), "IsUnicode": data.get("IsUnicode"),
                "Brandname": data.get("Brandname"), "RequestId": request_id,
                "CallbackUrl": data.get("CallbackUrl"), "Sandbox": data.get("Sandbox")})
        self._schedule_delivery()
        return {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id}

    def _multichannel(self, body: dict[str, Any]) -> dict[str, Any]:
        phone = str(body.get("Phone", ""))
        data = body.get("Data")
        if body.get("Channels") != ["zalo", "sms"] or not isinstance(data, list) or len(data) != 2:
            return {"error": "Invalid request"}
        zalo, sms = data
        if self.zalo_code:
            return _refusal(self.zalo_code)
        if not zalo.get("TempID") or not zalo.get("OAID"):
            return _refusal("791")
        attempt = {"channel": "zalo", "Phone": phone, "TempID": zalo.get("TempID"),
                   "OAID": zalo.get("OAID"), "Params": zalo.get("Params"),
                   "RequestId": str(zalo.get("RequestId") or ""),
                   "CallbackUrl": zalo.get("CallbackUrl")}
        if phone in self.zalo_undeliverable:
            # ZNS cannot reach this phone: eSMS sends the SMS half, which answers for both.
            return self._sms(phone, sms, zalo=attempt)
        with self.lock:
            request_id = attempt["RequestId"]
            if request_id and request_id in self.request_ids:
                return {"CodeResult": "124", "CountRegenerate": 0,
                        "ErrorMessage": "Request exist 1", "SendStatus": "5"}
            sms_id = secrets.token_hex(16)
            if request_id:
                self.request_ids[request_id] = sms_id
            self.messages.append({**attempt, "SMSID": sms_id, "delivered": True})
        self._schedule_delivery()
        return {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id}

    def _schedule_delivery(self) -> None:
        if self.auto_deliver:
            timer = threading.Timer(self.delivery_delay, self._auto)
            timer.daemon = True
            timer.start()

    def _auto(self) -> None:
        try:
            self.deliver()
        except OSError:
            pass  # the gateway is not up (yet, or any more): eSMS would retry, a stub need not

    def deliver(self, send_status: str = "5", send_success: str | None = None,
                send_failed: str | None = None) -> int:
        """GET a delivery report for each message not yet reported; return how many.

        With ``SendStatus`` 5 and no counts given, a message counts as delivered, except a
        ZNS attempt that could not reach its phone (reported failed, TypeId 25).
        """
        with self.lock:
            todo = [(i, m) for i, m in enumerate(self.messages)
                    if i not in self.reported and m.get("CallbackUrl")]
            self.reported.update(i for i, _ in todo)
        for _, message in todo:
            zalo = message["channel"] == "zalo"
            ok = send_success if send_success is not None else (
                "0" if zalo and not message.get("delivered") else "1")
            bad = send_failed if send_failed is not None else ("0" if ok != "0" else "1")
            query = {"SMSID": message["SMSID"], "SendFailed": bad, "SendStatus": send_status,
                     "SendSuccess": ok, "TotalPrice": "0.0000", "TotalReceiver": "1",
                     "TotalSent": ok, "RequestId": message["RequestId"],
                     "TypeId": "25" if zalo else "2", "telcoid": "1",
                     "phonenumber": message["Phone"]}
            if zalo:
                query.update(partnerids="", oaid=str(message.get("OAID")),
                             tempid=str(message.get("TempID")))
            else:
                query["switchsmsid"] = ""
            url = f"{message['CallbackUrl']}?{urllib.parse.urlencode(query)}"
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
        return len(todo)

    def mo(self, url: str, sender: str, content: str, *, smsid: str | None = None,
           service_number: str = "8088", sign: str | None = None,
           receiver_time: str | None = None) -> tuple[int, str]:
        """GET one MO to ``url`` as eSMS does; return our HTTP status and answer."""
        smsid = smsid or secrets.token_hex(12)
        when = receiver_time or time.strftime("%Y%m%d%H%M%S")
        query = {"sender": sender, "content": content, "serviceNumber": service_number,
                 "keyword": (content.split() or [""])[0].upper(),
                 "sign": sign if sign is not None else mo_sign(
                     self.mo_cpid, smsid, content, when, self.mo_private_key),
                 "cpid": self.mo_cpid, "smsid": smsid, "receiverTime": when}
        try:
            with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(query)}",
                                        timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")


def _refusal(code: str) -> dict[str, Any]:
    return {"CodeResult": code, "CountRegenerate": 0,
            "ErrorMessage": MESSAGES.get(code, f"Error {code}")}


class _Handler(StubHandler):
    server: StubServer

    def do_POST(self) -> None:
        """Answer a send call or a stub control call."""
        state = self.server.state
        path = self.path.split("?")[0]
        body = self.read_json()
        if not isinstance(body, dict):
            self.reply(400, {"error": "Invalid request"})
        elif path in (SEND, MULTI):
            answer = state.answer(path, body)
            if answer is None:
                time.sleep(TIMEOUT_SECONDS)
                return
            self.reply(*answer)
        elif path == "/_stub/fail":
            with state.lock:
                state.failures = {str(k): str(v) for k, v in body.items()}
            self.reply(200, {"ok": True})
        elif path == "/_stub/fault":
            with state.lock:
                state.faults = [str(f) for f in body.get("faults", [])]
            self.reply(200, {"ok": True})
        elif path == "/_stub/zalo":
            with state.lock:
                state.zalo_undeliverable = {str(p) for p in body.get("undeliverable", [])}
                state.zalo_code = body.get("code")
            self.reply(200, {"ok": True})
        elif path == "/_stub/deliver":
            count = state.deliver(str(body.get("SendStatus", "5")), body.get("SendSuccess"),
                                  body.get("SendFailed"))
            self.reply(200, {"reported": count})
        elif path == "/_stub/mo":
            status, text = state.mo(str(body["url"]), str(body["sender"]), str(body["content"]))
            self.reply(200, {"status": status, "answer": text})
        else:
            self.reply(404, {"error": "not found"})


class EsmsStub(LocalStub):
    """Run the eSMS stub on a local port in a background thread."""

    state: StubState

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **state: Any) -> None:
        """Bind to ``host:port`` (0 picks a free port); ``state`` sets :class:`StubState`."""
        super().__init__(host, port, _Handler, StubState(**state))

    @property
    def base_url(self) -> str:
        """Give the API root to configure as ``ESMS_BASE_URL``."""
        return self.url + PREFIX.rstrip("/")
