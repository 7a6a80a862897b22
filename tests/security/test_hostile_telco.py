"""Hostile input at the Africa's Talking callbacks: nested 10,000 deep, past any size, NUL and
control characters in the path, the query and every form field, the wrong content type. The
callbacks answer in their own formats and clean their own input (``gateway.web.input_guard``
leaves ``/telco/`` alone); what must hold here is that none of it is a server error."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.support.app import make_app

KEY = "hostile-at-key"
AT_PATHS = ("ussd", "ussd/events", "sms/inbound", "sms/delivery")
FIELDS = ("sessionId", "serviceCode", "phoneNumber", "networkCode", "text", "id", "from",
          "to", "date", "linkId", "status", "failureReason")
CONTROL = ["a\x00b", "\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\ud800", "x" * 100_000]
DEEP = 10_000


@pytest.fixture
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    """Give an app with open telco callbacks and quiet logs."""
    with make_app(database_url, redis_url, AT_CALLBACK_KEY=KEY, LOG_LEVEL="CRITICAL",
                  USSD_HOPS_PER_MINUTE=100_000, SMS_INBOUND_PER_HOUR=100_000) as application:
        yield application


def form(**fields: str) -> bytes:
    base = {"sessionId": "s1", "serviceCode": "*384*123#", "phoneNumber": "+84912345678",
            "networkCode": "45204", "text": "", "id": "ATXid_1", "status": "Success",
            "from": "+84912345678", "to": "8080", "date": "2026-12-04 10:00:00"}
    return urllib.parse.urlencode({**base, **fields}, encoding="utf-8",
                                  errors="surrogatepass").encode()


def bodies() -> Iterator[tuple[bytes, str]]:
    urlencoded = "application/x-www-form-urlencoded"
    yield b"[" * DEEP + b"]" * DEEP, "application/json"
    yield b'{"a":' * DEEP + b"1" + b"}" * DEEP, "application/json"
    yield b'{"text": "a\\u0000b", "phoneNumber": "\\ud800"}', "application/json"
    yield b"9" * 5000, "application/json"
    yield form(text="x" * (2 * 1024 * 1024)), urlencoded
    yield b"text=" + b"[" * DEEP, urlencoded
    for name in FIELDS:
        for value in CONTROL:
            yield form(**{name: value}), urlencoded
    yield b"\x00" * 1000, urlencoded
    yield b"--b\r\nContent-Disposition: form-data; name=\"text\x00\"\r\n\r\n\x00\r\n--b--\r\n", (
        "multipart/form-data; boundary=b")


def test_no_hostile_body_at_a_telco_callback_is_a_server_error(app: Flask) -> None:
    client = app.test_client()
    failures = []
    for path in AT_PATHS:
        for data, content_type in bodies():
            response = client.post(f"/telco/africastalking/{KEY}/{path}", data=data,
                                   content_type=content_type)
            if response.status_code >= 500:
                failures.append((path, data[:40], content_type, response.status_code))
    assert not failures, failures[:5]


@pytest.mark.parametrize("key", ["%00", "a%00b", "%01", "%1b", "%7f", "%ed%a0%80", "%0a"])
def test_control_characters_in_the_key_segment_are_not_a_server_error(app: Flask, key: str):
    client = app.test_client()
    for path in AT_PATHS:
        response = client.post(f"/telco/africastalking/{key}/{path}", data=form())
        assert response.status_code < 500, (key, path, response.status_code)


@pytest.mark.parametrize("query", ["text=%00", "phoneNumber=%00%01", "%00=1", "a=%1b%7f",
                                   "text=" + "%ed%a0%80" * 10, "x=" + "9" * 5000])
def test_control_characters_in_a_telco_query_string_are_not_a_server_error(app: Flask,
                                                                           query: str):
    client = app.test_client()
    for path in AT_PATHS:
        response = client.post(f"/telco/africastalking/{KEY}/{path}?{query}", data=form())
        assert response.status_code < 500, (query, path, response.status_code)
