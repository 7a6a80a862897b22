"""USSD hops answered by the WSGI fast path: the same answers as Flask's view, for less.

Every other channel test already drives its hops through the fast path (the test client
posts urlencoded forms). These check what is particular to it: that it does take AT's usual
hops, that it answers exactly as the view does, and that it hands everything else to Flask.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.telco.africastalking.ussd import FAST_BODY_MAX
from gateway.telco.africastalking.ussd import parse_form as _parse_form
from tests.channels.conftest import BASE
from tests.channels.test_ussd import AN, MAIN_VI
from tests.payroll.conftest import add_people

URL = f"{BASE}/ussd"


@pytest.fixture
def view_calls(app: Flask) -> Iterator[list[str]]:
    """Record each hop that reached Flask's USSD view rather than the fast path."""
    calls: list[str] = []
    view = app.view_functions["africastalking.ussd"]

    def counted(*args: object, **kwargs: object) -> object:
        calls.append("view")
        return view(*args, **kwargs)

    app.view_functions["africastalking.ussd"] = counted
    yield calls
    app.view_functions["africastalking.ussd"] = view


def hop(session_id: str, text: str, phone: str = AN) -> dict[str, str]:
    return {"sessionId": session_id, "serviceCode": "*384*12#", "phoneNumber": phone,
            "networkCode": "45204", "text": text}


def test_a_usual_hop_is_answered_before_flask(app: Flask, client: FlaskClient,
                                             view_calls: list[str]) -> None:
    add_people(app, ["an"])
    response = client.post(URL, data=hop("fp-1", ""))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(response.data))
    assert response.get_data(as_text=True).startswith(MAIN_VI)
    assert view_calls == []


def test_the_fast_path_and_the_view_give_the_same_screens(app: Flask, client: FlaskClient,
                                                         view_calls: list[str]) -> None:
    add_people(app, ["an"])
    # Entitlement, back, language -> English, then 00 and 9 on the main menu (both refused
    # as invalid), then history, which asks for a PIN first.
    journey = ["", "1", "1*0", "1*0*6", "1*0*6*3", "1*0*6*3*00", "1*0*6*3*00*9",
               "1*0*6*3*00*9*3"]
    # Two sessions in step (a language choice is remembered per phone, read at a session's
    # start): the fast one urlencoded, the other multipart, which Flask parses for the view.
    for n, text in enumerate(journey, 1):
        fast = client.post(URL, data=hop("fp-fast", text))
        slow = client.post(URL, data=hop("fp-slow", text), content_type="multipart/form-data")
        assert len(view_calls) == n
        assert (fast.status_code, fast.headers["Content-Type"], fast.data) == \
            (slow.status_code, slow.headers["Content-Type"], slow.data)
    assert fast.get_data(as_text=True).startswith("CON Choose a 4-digit PIN")


def test_other_shapes_of_request_go_to_flask(app: Flask, client: FlaskClient,
                                            view_calls: list[str]) -> None:
    add_people(app, ["an"])
    padded = urlencode({**hop("fp-big", ""), "padding": "x" * FAST_BODY_MAX})
    response = client.post(URL, data=padded,
                           content_type="application/x-www-form-urlencoded")
    assert response.get_data(as_text=True).startswith(MAIN_VI)
    assert view_calls == ["view"]  # too big for the fast path, answered all the same
    assert client.get(URL).status_code == 405
    assert client.put(URL, data=hop("fp-put", "")).status_code == 405
    assert client.post(f"{BASE}/ussd/extra", data=hop("fp-x", "")).status_code == 404
    assert client.post(f"{BASE}x/ussd", data=hop("fp-key", "")).status_code == 404
    assert view_calls == ["view"]


def _environ(body: object, **extra: object) -> dict[str, object]:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": URL, "SERVER_NAME": "localhost",
            "SERVER_PORT": "80", "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": body, "wsgi.errors": io.StringIO(), **extra}


def test_a_body_without_a_length_goes_to_flask(app: Flask, view_calls: list[str]) -> None:
    add_people(app, ["an"])
    body = io.BytesIO(urlencode(hop("fp-chunked", "")).encode())
    seen: list[str] = []
    chunks = app.wsgi_app(_environ(body, **{"wsgi.input_terminated": True}),
                          lambda status, headers, exc=None: seen.append(status))
    assert seen == ["200 OK"]
    assert b"".join(chunks).decode().startswith(MAIN_VI)
    assert view_calls == ["view"]


class _HungUp(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise ConnectionResetError("the caller hung up")


def test_a_caller_hanging_up_mid_body_gets_a_400_not_a_500(app: Flask) -> None:
    seen: list[str] = []
    chunks = app.wsgi_app(_environ(_HungUp(), CONTENT_LENGTH="120"),
                          lambda status, headers, exc=None: seen.append(status))
    assert seen == ["400 Bad Request"] and b"".join(chunks) == b"Bad Request"


_FORM_TEXT = st.text(alphabet=st.sampled_from("ab=&%+*2Fz\u1ea1\x00 "), max_size=30)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(_FORM_TEXT.map(str.encode), st.binary(max_size=30)))
def test_the_fast_form_parser_reads_bodies_as_werkzeug_does(raw: bytes) -> None:
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        expected: dict[str, str] = {}  # Werkzeug's form is empty for a body that is not UTF-8
    else:
        expected = {}
        for name, value in parse_qsl(text, keep_blank_values=True,
                                     errors="werkzeug.url_quote"):
            expected.setdefault(name, value)
    assert _parse_form(raw) == expected


def test_werkzeug_parses_forms_as_the_parser_above_expects(app: Flask) -> None:
    # Ties the property above to Werkzeug itself: its form is parse_qsl's, first value first.
    body = "a=1&a=2&b=%E1%BA%A1&c&d=x+y&e=%ZZ"
    with app.test_request_context(URL, method="POST", data=body,
                                  content_type="application/x-www-form-urlencoded"):
        from flask import request
        assert {k: request.form[k] for k in request.form} == _parse_form(body.encode())
