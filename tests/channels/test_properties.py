"""Whatever a caller types or texts, the reply is a valid screen and nothing fails."""

from __future__ import annotations

from itertools import count

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.test_ussd import AN, CAREGIVER, make_caregiver
from tests.support.scenario import add_people
from tests.support.ussd import BASE
from ussd_menus.gsm7 import length, limit_for

_IDS = count(1)
KEYPAD = st.text(alphabet="0123456789*#", max_size=30)
ANY_TEXT = st.text(max_size=60)
PHONES = st.sampled_from([AN, CAREGIVER, "+84988000111", "0912345678", "junk", ""])
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _people(app: Flask) -> None:
    # Hypothesis reuses the fixture's app for every example: import people only once.
    if not app.extensions.get("test.people"):
        refs = add_people(app, ["an", "binh", "cuong"])
        make_caregiver(app, [refs["binh"], refs["cuong"]])
        app.extensions["test.people"] = True
        # Fuzz the menus and keywords, not the rate limits (tested on their own).
        app.config.update(USSD_HOPS_PER_MINUTE=10**6, SMS_INBOUND_PER_HOUR=10**6)


def _check_screen(body: str) -> None:
    assert body.startswith(("CON ", "END "))
    assert length(body) <= limit_for(body)


@FUZZ
@given(phone=PHONES, hops=st.lists(st.one_of(KEYPAD, ANY_TEXT), min_size=1, max_size=6))
def test_every_hop_answers_one_valid_screen(app: Flask, client: FlaskClient, phone: str,
                                            hops: list[str]) -> None:
    _people(app)
    session_id = f"ATUid_fuzz_{next(_IDS)}"
    typed: list[str] = []
    for hop in hops:
        typed.append(hop)
        response = client.post(f"{BASE}/ussd", data={
            "sessionId": session_id, "serviceCode": "*384*12#", "phoneNumber": phone,
            "networkCode": "45204", "text": "*".join(typed)})
        assert response.status_code == 200
        _check_screen(response.get_data(as_text=True))


@FUZZ
@given(phone=PHONES, text=st.one_of(ANY_TEXT, st.from_regex(r"(?i)(tc|xn|kn|xt|hd)( .{0,40})?",
                                                                fullmatch=True)))
def test_every_inbound_sms_is_answered_without_failing(app: Flask, client: FlaskClient,
                                                       phone: str, text: str) -> None:
    _people(app)
    response = client.post(f"{BASE}/sms/inbound", data={
        "date": "2026-11-27 10:00:00", "from": phone, "id": f"ATX-fuzz-{next(_IDS)}",
        "linkId": "", "text": text, "to": "8088", "networkCode": "45204"})
    assert response.status_code == 200
