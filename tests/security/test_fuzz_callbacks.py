"""Fuzz the doors partners knock on: the telco callbacks and the wallet callback.

Hypothesis throws form bodies with random fields, encodings, oversized and invalid UTF-8
values at the four Africa's Talking callbacks, and random bytes with random (and sometimes
validly signed) Standard Webhooks headers at the wallet callback of every registered wallet
adapter (the provider template included), so a new provider is fuzzed without editing this
file, and random (and sometimes validly signed) queries at eSMS's two GET callbacks. Nothing
may answer 5xx, a USSD hop always gets a valid screen, and no payment moves.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.db import get_db
from gateway.disbursement import service
from gateway.ledger import accounts
from gateway.ledger.models import Posting
from gateway.payroll.models import Payment
from tests.support.scenario import due_cycle, payment_states
from wallet_adapters import _template, available, registry
from wallet_adapters import standard_webhooks as sw
from wallet_adapters.sandbox import DEMO_WEBHOOK_SECRET

KEY = "fuzz-at-key"
AT_PATHS = ("ussd", "ussd/events", "sms/inbound", "sms/delivery")
FIELDS = ("sessionId", "serviceCode", "phoneNumber", "networkCode", "text", "id", "from",
          "to", "date", "linkId", "status", "failureReason", "hopsCount", "input", "cost")
PHONES = ("+84912345678", "0912345678", "84912345678", "+84 912 345 678", "+1 202 555 0100",
          "", "+", "0" * 40, "+84٩١٢٣٤٥٦٧٨")
ESMS_KEY = "fuzz-esms-key"
MO_KEY = "fuzz-esms-mo-key"
ESMS_FIELDS = ("SMSID", "SendStatus", "SendSuccess", "SendFailed", "RequestId", "TypeId",
               "telcoid", "phonenumber", "error_info", "sender", "content", "serviceNumber",
               "keyword", "sign", "cpid", "smsid", "receiverTime")
FUZZ = settings(max_examples=120, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def adapters() -> Iterator[list[str]]:
    """Give every registered adapter's name, the provider template's included."""
    _template.enable()
    yield available()
    registry._providers.pop(_template.NAME, None)


# A value for each kind of required setting; text is a loopback address nothing listens on,
# as a callback never calls the provider.
PLACEHOLDERS: dict[type, str] = {str: "http://127.0.0.1:9", int: "1", float: "1.0", bool: "no"}


def fuzz_settings(name: str) -> dict[str, str]:
    """Give settings that build adapter ``name`` and accept callbacks signed with the demo key."""
    settings = {s.name: PLACEHOLDERS.get(s.kind, "x") for s in registry.settings_schema(name)
                if s.required and s.default is None}
    if any(s.name == "webhook_secret" for s in registry.settings_schema(name)):
        settings["webhook_secret"] = DEMO_WEBHOOK_SECRET
    return settings


@pytest.fixture
def app_settings(adapters: list[str]) -> dict[str, object]:
    """Open the telco callbacks, quiet the logs, generous rate limits, every adapter enabled."""
    return {"AT_CALLBACK_KEY": KEY, "ESMS_CALLBACK_KEY": ESMS_KEY, "ESMS_MO_PRIVATE_KEY": MO_KEY,
            "LOG_LEVEL": "WARNING", "USSD_HOPS_PER_MINUTE": 100_000,
            "SMS_INBOUND_PER_HOUR": 100_000, "WALLET_PROVIDERS": [*adapters, "viettelmoney"]}


@pytest.fixture(autouse=True)
def released(app: Flask, adapters: list[str]) -> None:
    """Configure every adapter and release a cycle of an and binh before each test."""
    from gateway.disbursement.providers import save_provider
    from gateway.pii.codec import get_pii

    with get_db(app).session() as s:
        for name in adapters:
            save_provider(s, get_pii(app), name, name, fuzz_settings(name))
    service.forget(app)  # a cached disburser of an earlier app must not answer
    due_cycle(app, names=["an", "binh"])


def money_snapshot(app: Flask) -> tuple[dict[int, str], int]:
    with get_db(app).sessionmaker() as s:
        paid = s.scalar(sa.select(sa.func.count()).select_from(Posting).where(
            Posting.account == accounts.paid("sandbox")))
    return payment_states(app), paid


# --- strategies -------------------------------------------------------------------------

odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(PHONES),
    st.sampled_from(["1", "1*2", "1*0*00", "98", "*" * 50, "1*" * 300, "\x00", "\u202e",
                     "XN", "KN ", "TC", "XT 123456", "Success", "Failed", "%ff"]),
    st.text(min_size=5_000, max_size=20_000, alphabet="1*9"),  # oversized
)
form = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), odd_text,
                       max_size=8)


@st.composite
def raw_bodies(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """Give a body and its content type: forms, broken encodings, JSON, bytes."""
    kind = draw(st.sampled_from(["urlencoded", "latin1", "bad-percent", "multipart", "json",
                                 "bytes", "none"]))
    fields = draw(form)
    if kind == "urlencoded":
        return urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
    if kind == "latin1":  # a form whose bytes are not UTF-8 at all
        text = urllib.parse.urlencode(fields, encoding="latin-1", errors="replace")
        return text.encode(), "application/x-www-form-urlencoded; charset=latin-1"
    if kind == "bad-percent":  # percent escapes that decode to invalid UTF-8
        junk = draw(st.binary(max_size=30)).hex("%").upper()
        body = f"sessionId=s&phoneNumber=%2B84912345678&text=%{junk}&from=%ff%fe&id=%c3%28"
        return body.encode(), "application/x-www-form-urlencoded"
    if kind == "multipart":
        parts = b"".join(b'--b\r\nContent-Disposition: form-data; name="'
                         + k.encode("utf-8", "replace") + b'"\r\n\r\n'
                         + v.encode("utf-8", "surrogatepass") + b"\r\n"
                         for k, v in fields.items())
        return parts + draw(st.sampled_from([b"--b--\r\n", b"", b"--b"])), \
            "multipart/form-data; boundary=b"
    if kind == "json":
        return json.dumps(fields).encode(), "application/json"
    if kind == "bytes":
        return draw(st.binary(max_size=2_000)), draw(st.sampled_from(
            ["application/x-www-form-urlencoded", "application/octet-stream", "text/plain"]))
    return b"", None


header_value = st.one_of(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                                 max_size=60),
                         st.sampled_from(["", "v1,", "v1,AAAA", "v1a,xyz", "0", "-1",
                                          "99999999999999999999", "1e9", " v1,x v1,y "]))
webhook_headers = st.dictionaries(
    st.sampled_from([sw.ID_HEADER, sw.TIMESTAMP_HEADER, sw.SIGNATURE_HEADER, "X-CorrelationID",
                     "Webhook-Signature", "content-type"]),
    header_value, max_size=5)


# --- the telco callbacks -----------------------------------------------------------------

def test_no_telco_callback_body_gets_a_server_error(app: Flask) -> None:
    client = app.test_client()
    before = money_snapshot(app)

    @FUZZ
    @given(path=st.sampled_from(AT_PATHS), body=raw_bodies(),
           query=st.sampled_from(["", "?text=1", "?%ff=%fe", "?" + "a" * 3000]))
    def hit(path: str, body: tuple[bytes, str | None], query: str) -> None:
        data, content_type = body
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.post(f"/telco/africastalking/{KEY}/{path}{query}", data=data,
                               headers=headers)
        assert response.status_code < 500, (path, data[:200], content_type)
        if path == "ussd":
            text = response.get_data(as_text=True)
            assert response.status_code == 200 and text.startswith(("CON ", "END ")), text
            assert len(text) <= 182

    hit()
    assert money_snapshot(app) == before


def test_wrong_keys_and_odd_paths_are_plain_404s(app: Flask) -> None:
    client = app.test_client()

    @FUZZ
    @given(key=st.text(min_size=1, max_size=300).filter(lambda k: k != KEY),
           path=st.sampled_from(AT_PATHS))
    def hit(key: str, path: str) -> None:
        quoted = urllib.parse.quote(key, safe="", errors="surrogatepass")
        response = client.post(f"/telco/africastalking/{quoted}/{path}",
                               data={"sessionId": "s", "phoneNumber": "+84912345678"})
        assert response.status_code in (404, 405), (key, response.status_code)

    hit()


def test_no_esms_callback_query_gets_a_server_error(app: Flask) -> None:
    """eSMS calls by GET: odd queries, and MOs signed right around odd values."""
    import xml.etree.ElementTree as ET

    from gateway.telco.esms.signature import mo_sign

    client = app.test_client()
    before = money_snapshot(app)
    fields = st.dictionaries(st.one_of(st.sampled_from(ESMS_FIELDS), st.text(max_size=12)),
                             odd_text, max_size=9)

    @FUZZ
    @given(path=st.sampled_from(["delivery", "mo"]), query=fields, signed=st.booleans())
    def hit(path: str, query: dict[str, str], signed: bool) -> None:
        if signed:
            for name in ("cpid", "smsid", "content", "receiverTime"):
                query.setdefault(name, "x")
            query["sign"] = mo_sign(query["cpid"], query["smsid"], query["content"],
                                    query["receiverTime"], MO_KEY)
        url = f"/telco/esms/{ESMS_KEY}/{path}?{urllib.parse.urlencode(query)}"
        response = client.get(url)
        assert response.status_code < 500, (path, query)
        if path == "mo" and response.status_code == 200:
            assert ET.fromstring(response.get_data()).tag == "ClientResponse"

    hit()
    assert money_snapshot(app) == before


# --- the wallet callback ----------------------------------------------------------------

def _known_keys(app: Flask) -> list[str]:
    from gateway.refs import as_uuid

    with get_db(app).sessionmaker() as s:
        return [as_uuid(ref) for ref in s.scalars(sa.select(Payment.ref))]


def test_every_adapter_answers_its_callback_door_so_the_fuzzers_reach_it(
    app: Flask, adapters: list[str]
) -> None:
    assert {"sandbox", "gsma", _template.NAME} <= set(adapters)
    for name in adapters:
        response = app.test_client().post(f"/wallets/{name}/callback", data=b"{}")
        assert (response.status_code, response.get_json()["error"]) == (401, "missing_header")


def test_no_wallet_callback_gets_a_server_error_or_moves_money(
    app: Flask, adapters: list[str]
) -> None:
    client = app.test_client()
    keys = _known_keys(app)
    before = money_snapshot(app)
    forged_event = st.fixed_dictionaries({"data": st.fixed_dictionaries({
        "idempotency_key": st.sampled_from(keys), "status": st.just("succeeded"),
        "amount": st.integers(-10, 10**12) | st.none(),
        "provider_ref": st.text(max_size=10)})}).map(lambda d: json.dumps(d).encode())
    bodies = st.one_of(st.binary(max_size=3_000), forged_event,
                       st.sampled_from([b"", b"{}", b"[]", b"null", b'{"data": null}',
                                        b'{"data": {"idempotency_key": []}}', b"\xff" * 100]))

    @FUZZ
    @given(body=bodies, headers=webhook_headers,
           provider=st.sampled_from([*adapters, *adapters, "viettelmoney", "%ff", ""]),
           method=st.sampled_from(["POST", "PUT"]))
    def hit(body: bytes, headers: dict[str, str], provider: str, method: str) -> None:
        response = client.open(f"/wallets/{provider}/callback", method=method, data=body,
                               headers=headers)
        assert response.status_code < 500, (provider, body[:200], headers)
        if provider in adapters and response.status_code == 401:
            assert response.get_json()["error"]  # says why, in a word

    hit()
    assert money_snapshot(app) == before


def test_validly_signed_garbage_is_refused_without_a_server_error(
    app: Flask, adapters: list[str]
) -> None:
    """Past the signature check the body is still untrusted: odd JSON must not crash us."""
    client = app.test_client()
    before = money_snapshot(app)
    json_values: Any = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner,
                                                                    max_size=3),
        max_leaves=10)
    body = st.one_of(
        st.binary(max_size=500),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries({"data": st.dictionaries(
            st.sampled_from(["idempotency_key", "status", "amount", "provider_ref", "reason"]),
            json_values)}).map(lambda v: json.dumps(v).encode()))

    @FUZZ
    @given(payload=body, provider=st.sampled_from(adapters))
    def hit(payload: bytes, provider: str) -> None:
        headers = sw.signed_headers(DEMO_WEBHOOK_SECRET, payload)
        response = client.post(f"/wallets/{provider}/callback", data=payload, headers=headers)
        assert response.status_code < 500, (provider, payload[:200])

    hit()
    assert money_snapshot(app) == before


# --- what the fuzzers found (kept as plain regressions) ----------------------------------

@pytest.mark.parametrize("payload", [
    b"[" * 30_000 + b"]" * 30_000,  # deep enough to exhaust the parser's recursion
    b'{"data":' * 4_000 + b"1" + b"}" * 4_000,
    b'{"data": {"idempotency_key": "x", "status": "succeeded", "amount": Infinity}}',
    b'{"data": {"idempotency_key": "x", "status": "succeeded", "amount": 1e400}}',
    b'{"data": {"idempotency_key": "x", "status": "succeeded", "amount": 1.5}}',
    b'{"data": {"idempotency_key": "x", "status": "succeeded", "amount": "500000"}}',
])
def test_odd_json_is_refused_signed_or_not(app: Flask, payload: bytes) -> None:
    client = app.test_client()
    before = money_snapshot(app)
    for headers in ({}, sw.signed_headers(DEMO_WEBHOOK_SECRET, payload)):
        response = client.post("/wallets/sandbox/callback", data=payload, headers=headers)
        assert response.status_code in (401, 404), response.get_data()[:200]
    assert money_snapshot(app) == before


def test_an_oversized_callback_is_refused_before_it_is_read(app: Flask) -> None:
    response = app.test_client().post("/wallets/sandbox/callback", data=b"{" + b" " * 70_000)
    assert (response.status_code, response.get_json()) == (413, {"error": "too_large"})


@pytest.mark.parametrize("body", [
    {"errorParameters": 5}, {"errorParameters": "abc"}, {"metadata": {"key": "x"}},
    {"requestingOrganisationTransactionReference": None, "errorParameters": [1, None]},
])
def test_gsma_callbacks_with_odd_shapes_are_rejected_not_crashing(body: dict[str, Any]) -> None:
    from wallet_adapters import CallbackRejected
    from wallet_adapters.gsma.adapter import GsmaAdapter
    from wallet_adapters.registry import validate_settings

    secret = sw.generate_secret()
    adapter = GsmaAdapter(validate_settings("gsma", {"base_url": "http://127.0.0.1:9",
                                                     "webhook_secret": secret}))
    raw = json.dumps(body).encode()
    for headers in ({}, sw.signed_headers(secret, raw)):
        with pytest.raises(CallbackRejected):
            adapter.parse_callback(headers, raw)


@pytest.mark.parametrize("body", [
    {"errorParameters": 5}, {"metadata": {"key": "x"}}, {"data": None}, {"data": [1]},
    {"payout": {"reference": 5}}, {"type": "payout.updated", "payout": []},
    {"requestingOrganisationTransactionReference": None, "errorParameters": [1, None]},
])
def test_every_adapter_rejects_odd_shapes_signed_or_not(
    adapters: list[str], body: dict[str, Any]
) -> None:
    from wallet_adapters import CallbackRejected

    raw = json.dumps(body).encode()
    for name in adapters:
        adapter = registry.create(name, fuzz_settings(name))
        for headers in ({}, sw.signed_headers(DEMO_WEBHOOK_SECRET, raw)):
            with pytest.raises(CallbackRejected):
                adapter.parse_callback(headers, raw)


def test_a_multipart_part_without_a_name_is_a_422_not_a_500(app: Flask) -> None:
    from gateway.api.roles import Role
    from tests.support.scenario import bearer, make_key

    body = (b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n"
            b'--b\r\nContent-Disposition: form-data; name="provider"\r\n\r\nsandbox\r\n--b--\r\n')
    response = app.test_client().post(
        "/api/v1/reconciliations", data=body,
        headers={**bearer(make_key("fuzz-officer", Role.OFFICER)),
                 "Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == 422
    assert "_unnamed" in response.get_json()["error"]["details"]["form_and_files"]


@pytest.mark.parametrize("key", ["\u0000", "abc\u0000def", "x" * 5_000, "0" * 32 + "\u0000"])
def test_keys_no_payment_could_have_are_refused_quietly(app: Flask, key: str) -> None:
    """PostgreSQL answers NUL in text with an error: such keys must never reach a query."""
    client = app.test_client()
    before = money_snapshot(app)
    payload = json.dumps({"data": {"idempotency_key": key, "status": "succeeded",
                                   "amount": 500_000}}).encode()
    unsigned = client.post("/wallets/sandbox/callback", data=payload)
    assert unsigned.status_code == 401 and unsigned.get_json()["status_query"] == "none"
    signed = client.post("/wallets/sandbox/callback", data=payload,
                         headers=sw.signed_headers(DEMO_WEBHOOK_SECRET, payload))
    assert (signed.status_code, signed.get_json()) == (404, {"result": "unknown payment"})
    assert money_snapshot(app) == before


def test_a_delivery_report_with_nul_in_its_reason_is_recorded(app: Flask) -> None:
    from gateway.channels.models import SmsKind, SmsMessage
    from gateway.channels.outbound import stage_sms
    from gateway.pii.codec import get_pii

    with get_db(app).session() as s:
        message_id = stage_sms(s, get_pii(app), "+84912345678", "ChiTra test", SmsKind.REPLY)
        s.execute(sa.update(SmsMessage).where(SmsMessage.id == message_id)
                  .values(status="sent", telco="africastalking", telco_message_id="ATXid_nul"))
    response = app.test_client().post(f"/telco/africastalking/{KEY}/sms/delivery", data={
        "id": "ATXid_nul", "status": "Failed", "failureReason": "User\x00InBlacklist"})
    assert response.status_code == 200
    with get_db(app).sessionmaker() as s:
        stored = s.get(SmsMessage, message_id)
        assert (stored.status, stored.failure_reason) == ("failed", "UserInBlacklist")
