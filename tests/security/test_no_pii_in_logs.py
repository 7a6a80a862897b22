"""No log line, table row or Redis value holds a PIN, an OTP, a citizen ID, a phone or a name.

One test drives the paths that touch personal data — a roster upload, a payment cycle through
the API, disbursement through the sandbox wallet and its signed callbacks, USSD sessions over
every screen reachable (typing PIN- and code-shaped inputs wherever a screen takes input), SMS
keywords (through Africa's Talking and as eSMS's signed MOs), notices and replies sent to the
Africa's Talking and eSMS stubs and their delivery reports — while every log
record is captured *raw* at DEBUG (before the last-line scrub filter could hide a leak). Then
it searches the logs, a dump of every table and a dump of the Redis database for the values in
the clear. Encrypted and blind-indexed values cannot match; a clear copy would.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
import unicodedata
import zlib
from collections.abc import Iterator
from datetime import datetime

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway.api.roles import Role
from gateway.channels.models import SmsMessage
from gateway.channels.notices import notice_settings, stage_notices
from gateway.channels.sms import send_queued
from gateway.db import get_db
from gateway.disbursement.engine import Disburser
from gateway.pii.codec import get_pii
from gateway.registry.models import WalletLink
from gateway.settings import settings
from gateway.telco.africastalking.sms import AtSmsSender
from gateway.telco.africastalking.stub import AtStub
from tests.support.scenario import GOOD, VI_HEADER, bearer, make_key
from wallet_adapters.sandbox import reset_books

KEY = "pii-test-at-key"
AT = f"/telco/africastalking/{KEY}"
ESMS_KEY = "pii-test-esms-key"
MO_KEY = "pii-test-esms-mo-key"
ESMS = f"/telco/esms/{ESMS_KEY}"
DAY = datetime(2026, 11, 27, 3, 0)  # 10:00 in Huế: notices may go
PIN, OTHER_PIN, CODE = "8264", "5193", "739105"

# name, born, sex, citizen id, phone, commune, category, children, start, wallet, rep, rep phone
ROWS = [
    *GOOD,
    # Refused (an 11-digit ID): its values must not be kept in the import report either.
    ["Phạm Văn Em", "01/01/1950", "Nam", "04605012345", "0911111111", "19753", "NCT_80", "",
     "01/2024", "", "", "", "H4"],
]
NAMES = [r[0] for r in ROWS] + ["Lê Thị Dung"]
CITIZEN_IDS = [r[3] for r in ROWS]
PHONES = [r[4] for r in ROWS] + ["0778889990"]
CALLERS = ["+84912345678", "+84987654321", "+84778889990"]  # An, Bình, Cường's caregiver
# Typed into free-text screens: a caller naming themselves must not be stored as typed.
NOTE = "Toi la Nguyen Van An CCCD 046040123456 so 0912345678"


def unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def needles() -> dict[str, re.Pattern[str]]:
    """Every clear value to look for, as a pattern over casefolded NFC text."""
    found: dict[str, re.Pattern[str]] = {}
    for name in NAMES:
        for form in {name, unaccented(name)}:
            found[f"name {form}"] = re.compile(re.escape(form.casefold()))
    for cid in CITIZEN_IDS:
        found[f"citizen id {cid}"] = re.compile(re.escape(cid))
    for phone in PHONES:
        national = phone[1:]
        for form in (phone, f"84{national}", f"+84{national}", f"(+84) {national}"):
            found[f"phone {form}"] = re.compile(re.escape(form))
    # Short secrets as whole tokens: ciphertexts, digests and timestamps hold digit runs too.
    for secret in (PIN, OTHER_PIN, CODE):
        found[f"secret {secret}"] = re.compile(rf"(?<![0-9a-z]){secret}(?![0-9a-z])")
    return found


def leaks(haystacks: dict[str, str], patterns: dict[str, re.Pattern[str]]) -> list[str]:
    out = []
    for where, text in haystacks.items():
        folded = unicodedata.normalize("NFC", text).casefold()
        for what, pattern in patterns.items():
            match = pattern.search(folded)
            if match:
                start = max(match.start() - 60, 0)
                out.append(f"{what} in {where}: ...{folded[start:match.end() + 60]!r}")
    return out


# --- capture ----------------------------------------------------------------------------

class RawCapture(logging.Handler):
    """Keep every record's text as emitted, before any filter (our PII scrub) rewrites it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        """Record without applying this handler's filters (create_app may add the scrub)."""
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message, its raw template and arguments, extras and exception text."""
        try:
            message = record.getMessage()
        except Exception as exc:  # noqa: BLE001 - a broken record must still be searched
            message = f"<unformattable: {exc}>"
        parts = [record.name, message, repr(record.msg), repr(record.args),
                 record.exc_text or "", record.stack_info or ""]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(logging.Formatter().formatException(record.exc_info))
        standard = logging.LogRecord("", 0, "", 0, "", (), None).__dict__
        parts.extend(f"{k}={v!r}" for k, v in record.__dict__.items() if k not in standard)
        self.texts.append(" | ".join(parts))


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Log at DEBUG, open the telco callbacks and make the rate limits generous."""
    return {"AT_CALLBACK_KEY": KEY, "ESMS_CALLBACK_KEY": ESMS_KEY, "ESMS_MO_PRIVATE_KEY": MO_KEY,
            "LOG_LEVEL": "DEBUG", "USSD_HOPS_PER_MINUTE": 100_000,
            "SMS_INBOUND_PER_HOUR": 100_000}


@pytest.fixture
def captured(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[RawCapture]:
    """Capture every record from every logger at DEBUG, first in line on the root logger."""
    handler = RawCapture()
    root = logging.getLogger()
    previous = root.level
    root.handlers.insert(0, handler)
    root.setLevel(logging.DEBUG)
    quiet = {}
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger) and logger.level > logging.DEBUG:
            quiet[name] = logger.level
            logger.setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        yield handler
    root.removeHandler(handler)
    root.setLevel(previous)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


# --- the journeys -----------------------------------------------------------------------

def upload_roster(client: FlaskClient, officer: dict[str, str]) -> None:
    data = io.StringIO()
    writer = csv.writer(data)
    writer.writerow(VI_HEADER)
    writer.writerows(ROWS)
    answer = client.post("/api/v1/rosters", headers=officer, data={
        "file": (io.BytesIO(data.getvalue().encode("utf-8-sig")), "xa-phu-hoi.csv")})
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["accepted"], answer.get_json()["rejected"]) == (3, 1)


def run_cycle(client: FlaskClient, officer: dict[str, str], approver: dict[str, str]) -> str:
    created = client.post("/api/v1/cycles", headers=officer,
                          json={"program": "TGXH_THANG", "period": "2026-11"})
    assert created.status_code == 201, created.get_json()
    ref = created.get_json()["ref"]
    assert client.post("/api/v1/budget/allocations", headers=officer, json={
        "program": "TGXH_THANG", "period": "11/2026", "amount": 10**9,
        "reference": "QD-11"}).status_code == 201
    assert client.post(f"/api/v1/cycles/{ref}/submit", headers=officer).status_code == 200
    approved = client.post(f"/api/v1/cycles/{ref}/approve", headers=approver)
    assert approved.status_code == 200, approved.get_json()
    released = client.post(f"/api/v1/cycles/{ref}/release", headers=approver)
    assert released.status_code == 200, released.get_json()
    return ref


def disburse(app: Flask, client: FlaskClient) -> None:
    """Pay through the sandbox (some pending, then called back) and post its callbacks."""
    received: list[tuple[dict[str, str], bytes]] = []
    with get_db(app).session() as s:  # as if each wallet had been verified by its code
        s.execute(sa.update(WalletLink).values(verified=True, provider="sandbox"))
    reset_books("pii")
    app.config["WALLET_ADAPTER_OVERRIDES"] = {"sandbox": {"book": "pii"}}
    disburser = Disburser(get_db(app), get_pii(app), redis_client=app.extensions["chitra.redis"],
                          adapter_overrides={"sandbox": {
                              "book": "pii", "seed": 3, "pending_rate": 0.5, "pending_ms": 1,
                              "failure_rate": 0.3,
                              "callback_sink": lambda h, b: received.append((dict(h), b))}})
    with get_db(app).sessionmaker() as s:
        from gateway.payroll.models import Payment

        ids = list(s.scalars(sa.select(Payment.id)))
    disburser.send(ids)
    deadline = time.monotonic() + 5
    while len(received) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.01)
    for headers, body in received:
        client.post("/wallets/sandbox/callback", data=body, headers=headers)
    forged = received[0][1].replace(b'"failed"', b'"succeeded"')
    client.post("/wallets/sandbox/callback", data=forged, headers=received[0][0])
    disburser.poll(ids)


def crawl_ussd(client: FlaskClient, redis_client: redis.Redis, phone: str, *,
               budget: int = 50) -> set[str]:
    """Walk every screen reachable from the main menu, typing PINs and codes into inputs.

    Depth first (a PIN must be chosen and repeated before the protected screens open), one
    new session per path; a screen (by its first line) is expanded once. Most paths start
    clean; every seventh meets the "continue where you left off?" offer.
    """
    todo: list[list[str]] = [[]]
    expanded: set[str] = set()
    for walked in range(budget):
        if not todo:
            break
        path = todo.pop()
        if walked % 7:
            for key in redis_client.scan_iter("chitra:ussd:r:*"):
                redis_client.delete(key)
        session = f"ATUid_pii_{phone[-4:]}_{walked}"
        screen = ""
        for depth in range(len(path) + 1):
            answer = client.post(f"{AT}/ussd", data={
                "sessionId": session, "serviceCode": "*384*12#", "phoneNumber": phone,
                "networkCode": "45204", "text": "*".join(path[:depth])})
            assert answer.status_code == 200
            screen = answer.get_data(as_text=True)
            if not screen.startswith("CON "):
                break
        title = screen.splitlines()[0]
        if not screen.startswith("CON ") or len(path) >= 7 or title in expanded:
            expanded.add(title)
            continue
        expanded.add(title)
        options = [o for o in re.findall(r"^(\d{1,2})[ .]", screen[4:], flags=re.MULTILINE)
                   if o not in ("0", "00")]  # back and home lead to screens seen already
        # No choices: an input (or info) screen. Type a PIN (twice when choosing one), a
        # wrong PIN, a wallet code, a note naming the caller.
        choices = options or [PIN, OTHER_PIN, CODE, NOTE]
        todo.extend(path + [choice] for choice in reversed(choices))
    return expanded


def text_sms(client: FlaskClient, run: str) -> None:
    messages = ["TC", "XN", f"XN {PIN}", f"XN 2 {PIN}", f"KN {NOTE}", f"XT {CODE}",
                f"xt {CODE} 046040123456", "HD", "TC 0912345678", "Nguyen Van An"]
    for n, text in enumerate(messages):
        for phone in ("+84912345678", "0778889990", "+84900000001"):
            client.post(f"{AT}/sms/inbound", data={
                "id": f"ATXid_in_{run}_{n}_{phone[-3:]}", "from": phone, "to": "8088", "text": text,
                "date": "2026-11-27 10:00:00", "linkId": "x"})


def send_and_report(app: Flask, client: FlaskClient) -> list[dict[str, object]]:
    """Stage the payment notices, send everything queued to the AT stub, post delivery reports."""
    stage_notices(get_db(app), get_pii(app), notice_settings(settings(app).channels),
                  redis_client=app.extensions["chitra.redis"], now=DAY)
    stub = AtStub(api_key="at-test-key").start()
    try:
        report = send_queued(get_db(app), get_pii(app),
                             AtSmsSender("chitra", "at-test-key", stub.url), now=DAY)
        assert report.calls >= 1
        sent = list(stub.state.messages)
    finally:
        stub.stop()
    with get_db(app).sessionmaker() as s:
        ids = list(s.scalars(sa.select(SmsMessage.telco_message_id).where(
            SmsMessage.telco_message_id.is_not(None))))
    for n, message_id in enumerate(ids):
        client.post(f"{AT}/sms/delivery", data={
            "id": message_id, "status": "Failed" if n % 2 else "Success",
            "phoneNumber": "+84912345678", "failureReason": "UserInBlacklist",
            "networkCode": "45204", "retryCount": "0"})
    return sent


def text_esms(client: FlaskClient) -> None:
    """Send the SMS keywords as eSMS's signed MO GETs (the reply comes back in the answer)."""
    from gateway.telco.esms.signature import mo_sign

    for n, text in enumerate(["TC", f"XN {PIN}", f"KN {NOTE}", f"XT {CODE}", "HD"]):
        for phone in ("84912345678", "84778889990"):
            smsid, when = f"mo-{n}-{phone[-3:]}", "20261127100000"
            response = client.get(f"{ESMS}/mo", query_string={
                "sender": phone, "content": text, "serviceNumber": "8088",
                "keyword": text.split()[0], "cpid": "CP", "smsid": smsid,
                "receiverTime": when, "sign": mo_sign("CP", smsid, text, when, MO_KEY)})
            assert response.status_code == 200 and b"<ClientResponse>" in response.data


def send_and_report_esms(app: Flask, client: FlaskClient) -> list[dict[str, object]]:
    """Send everything queued to the eSMS stub, then GET its delivery reports back."""
    from gateway.telco.esms.sms import EsmsSender
    from gateway.telco.esms.stub import EsmsStub
    from tests.channels.esms_fixtures import settings_for

    stub = EsmsStub().start()
    try:
        sender = EsmsSender(settings_for(stub.base_url), f"http://localhost{ESMS}/delivery")
        assert send_queued(get_db(app), get_pii(app), sender, now=DAY).sent >= 1
        sent = [{"message": m["Content"]} for m in stub.state.messages]
        for n, message in enumerate(stub.state.messages):
            client.get(f"{ESMS}/delivery", query_string={
                "SMSID": message["SMSID"], "SendFailed": str(n % 2),
                "SendStatus": "5", "SendSuccess": str(1 - n % 2), "TotalPrice": "0",
                "TotalReceiver": "1", "TotalSent": "1", "RequestId": message["RequestId"],
                "TypeId": "2", "telcoid": "1", "phonenumber": message["Phone"]})
    finally:
        stub.stop()
    return sent


def read_back(client: FlaskClient, officer: dict[str, str], auditor: dict[str, str]) -> None:
    """Read personal data back through the API (answers may show it; logs may not)."""
    for body in ({"phone": "0912345678"}, {"phone": "+1"}, {"citizen_id": "046040123456"}):
        response = client.post("/api/v1/beneficiaries/search", headers=officer, json=body)
        assert response.status_code < 500, body
    for path in ("/api/v1/complaints", "/api/v1/cycles", "/api/v1/rosters/imports"):
        assert client.get(path, headers=officer).status_code < 500, path
    for path in ("/api/v1/audit/events", "/api/v1/audit/verify"):
        assert client.get(path, headers=auditor).status_code < 500, path


# --- the dumps --------------------------------------------------------------------------

def dump_database(app: Flask) -> dict[str, str]:
    engine = get_db(app).engine
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for n, row in enumerate(conn.execute(table.select())):
                for column, value in row._mapping.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    out[f"table {table.name} row {n} column {column}"] = str(value)
    return out


def _decoded(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    try:  # RQ keeps job data zlib-compressed
        text += " " + zlib.decompress(raw).decode("utf-8", "replace")
    except zlib.error:
        pass
    return text


def dump_redis(client: redis.Redis) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key) or b""]
        elif kind == "hash":
            values = [b for kv in client.hgetall(key).items() for b in kv]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = [m for m, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            values = [b for _, fields in client.xrange(key) for kv in fields.items() for b in kv]
        else:
            values = []
        name = key.decode("utf-8", "replace")
        out[f"redis key {name!r}"] = name + " " + " ".join(_decoded(v) for v in values)
    return out


# --- the test ---------------------------------------------------------------------------

def test_no_personal_data_or_secret_in_logs_database_or_redis(app: Flask, client: FlaskClient,
                                                             captured: RawCapture,
                                                             caplog: pytest.LogCaptureFixture,
                                                             redis_client: redis.Redis) -> None:
    officer = bearer(make_key("pii-officer", Role.OFFICER))
    approver = bearer(make_key("pii-approver", Role.APPROVER))
    auditor = bearer(make_key("pii-auditor", Role.AUDITOR))

    upload_roster(client, officer)
    # Before any payment, wallets unverified: the wallet-code (OTP) screens are open.
    screens = set().union(*(crawl_ussd(client, redis_client, phone) for phone in CALLERS))
    text_sms(client, "before")
    sent = send_and_report(app, client)
    run_cycle(client, officer, approver)
    disburse(app, client)
    # After: payments to confirm, history behind the PIN chosen above.
    screens |= set().union(*(crawl_ussd(client, redis_client, phone) for phone in CALLERS))
    crawl_ussd(client, redis_client, "+84900000001", budget=3)  # a stranger
    text_sms(client, "after")
    sent += send_and_report(app, client)
    text_esms(client)
    text_sms(client, "for-esms")  # replies queued, sent through eSMS this time
    sent_by_esms = send_and_report_esms(app, client)
    sent += sent_by_esms
    read_back(client, officer, auditor)

    # The drive really went through the paths it claims to cover.
    assert len(screens) > 30, screens
    assert sent, "no SMS reached the Africa's Talking stub"
    assert sent_by_esms, "no SMS reached the eSMS stub"
    assert len(captured.texts) > 10
    # One-time codes really sent (to the stub, as to the phone) must not stay anywhere.
    codes = {m for s in sent for m in re.findall(r"(?<![\w-])(\d{6})(?!\w)", s["message"])}
    codes.discard("123456")  # the help text's example ("XT 123456"), not a code
    print("one-time codes sent:", sorted(codes))

    patterns = needles()
    for code in codes:
        patterns[f"sent code {code}"] = re.compile(rf"(?<![0-9a-z]){code}(?![0-9a-z])")
    problems = leaks({f"log record {n}": t for n, t in enumerate(captured.texts)}, patterns)
    problems += leaks({"caplog text": caplog.text}, patterns)
    problems += leaks(dump_database(app), patterns)
    problems += leaks(dump_redis(redis_client), patterns)
    assert not problems, "\n".join(problems[:40])


def test_the_search_would_see_a_leak(captured: RawCapture) -> None:
    """Guard the guard: the capture and the patterns find clear values planted on purpose."""
    logging.getLogger("gateway.somewhere").debug("paid %s for %s", "84912345678", "Nguyễn Văn An")
    logging.getLogger("gateway.pin").info("pin=%s", PIN)
    found = leaks({f"log record {n}": t for n, t in enumerate(captured.texts)}, needles())
    assert any("phone 84912345678" in f for f in found)
    assert any("name nguyễn văn an" in f.casefold() for f in found)
    assert any(f"secret {PIN}" in f for f in found)
    # Ciphertext-like and digest-like strings that merely contain the digits do not count.
    assert not leaks({"x": f"AbX{PIN}Yz 9f{CODE}ab 2026-11-27T10:00:01.{PIN}00"},
                     {k: v for k, v in needles().items() if k.startswith("secret")})
