"""Approver TOTP through the admin API: enrol, confirm, approve and release with a code."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import segno

from gateway.api.roles import Role
from gateway.config import update
from tests.api.conftest import bearer, make_key
from tests.approvers.conftest import code_at, secret_from, state_of, submitted_cycle, wrong


@pytest.fixture
def approver(app):
    """Give the Authorization header of an approver key named "minh"."""
    return bearer(make_key("minh", Role.APPROVER))


@pytest.fixture
def post(client):
    def call(headers, path, **kwargs):
        return client.post(f"/api/v1{path}", headers=headers, **kwargs)

    return call


def enrol_and_confirm(post, headers, clock) -> bytes:
    enrolled = post(headers, "/approver/totp")
    assert enrolled.status_code == 201, enrolled.get_json()
    secret = secret_from(enrolled.get_json()["otpauth_uri"])
    confirmed = post(headers, "/approver/totp/confirm", json={"code": code_at(secret, clock.now)})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret


def test_an_approver_key_enrols_its_own_identity_and_gets_uri_secret_and_qr(post, approver,
                                                                            clock):
    response = post(approver, "/approver/totp")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["actor"] == "apikey:minh" and body["state"] == "pending"
    assert (body["issuer"], body["digits"], body["period"]) == ("ChiTra", 6, 30)
    parts = urlsplit(body["otpauth_uri"])
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == "/ChiTra:apikey:minh"
    query = parse_qs(parts.query)
    assert query["secret"] == [body["secret"]] and query["issuer"] == ["ChiTra"]
    assert query["digits"] == ["6"] and query["period"] == ["30"]
    assert query["algorithm"] == ["SHA1"]
    assert body["qr_svg"].startswith("<svg")
    assert body["qr_svg"] == segno.make(body["otpauth_uri"], error="m").svg_inline(
        scale=4, dark="#000", light="#fff")


def test_confirm_activates_the_enrolment_and_an_active_one_cannot_be_replaced(post, approver,
                                                                             clock):
    secret = secret_from(post(approver, "/approver/totp").get_json()["otpauth_uri"])
    bad = post(approver, "/approver/totp/confirm", json={"code": wrong(code_at(secret, clock.now))})
    assert bad.status_code == 403 and bad.get_json()["error"]["code"] == "totp_invalid"
    good = post(approver, "/approver/totp/confirm", json={"code": code_at(secret, clock.now)})
    assert good.status_code == 200
    assert good.get_json()["state"] == "active" and "secret" not in good.get_json()
    again = post(approver, "/approver/totp")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "totp_already_enrolled"
    twice = post(approver, "/approver/totp/confirm", json={"code": code_at(secret, clock.now)})
    assert twice.status_code == 409


def test_confirm_without_an_enrolment_or_with_unknown_fields_is_refused(post, approver):
    missing = post(approver, "/approver/totp/confirm", json={"code": "123456"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    unknown = post(approver, "/approver/totp/confirm", json={"code": "123456", "secret": "x"})
    assert unknown.status_code == 422
    assert "secret" in unknown.get_json()["error"]["details"]["json"]
    empty = post(approver, "/approver/totp/confirm", json={})
    assert empty.status_code == 422


def test_approval_without_a_valid_totp_is_refused(app, post, approver, clock, people):
    secret = enrol_and_confirm(post, approver, clock)
    ref = submitted_cycle(app)
    clock.tick()
    for body, code in [(None, "totp_required"), ({}, "totp_required"),
                       ({"totp": wrong(code_at(secret, clock.now))}, "totp_invalid"),
                       ({"totp": "abcdef"}, "totp_invalid")]:
        refused = post(approver, f"/cycles/{ref}/approve", json=body)
        assert refused.status_code == 403, body
        error = refused.get_json()["error"]
        assert error["code"] == code, body
        assert error["details"]["vi"] and error["details"]["en"]
    assert state_of(app, ref) == "submitted"
    unknown = post(approver, f"/cycles/{ref}/approve", json={"totp": "123456", "otp": "1"})
    assert unknown.status_code == 422
    assert state_of(app, ref) == "submitted"


def test_a_current_code_approves_its_replay_is_refused_and_a_new_one_releases(
        app, post, approver, clock, people):
    secret = enrol_and_confirm(post, approver, clock)
    ref = submitted_cycle(app)
    clock.tick()
    code = code_at(secret, clock.now)
    approved = post(approver, f"/cycles/{ref}/approve", json={"totp": code})
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["approved_by"] == "apikey:minh"
    replayed = post(approver, f"/cycles/{ref}/release", json={"totp": code})
    assert replayed.status_code == 403
    assert replayed.get_json()["error"]["code"] == "totp_replayed"
    assert state_of(app, ref) == "approved"
    again = post(approver, f"/cycles/{ref}/approve")  # approved already: nothing to check
    assert again.status_code == 200 and again.get_json()["changed"] is False
    clock.tick()
    released = post(approver, f"/cycles/{ref}/release", json={"totp": code_at(secret, clock.now)})
    assert released.status_code == 200 and released.get_json()["state"] == "released"


def test_required_policy_refuses_a_key_that_never_enrolled(app, post, approver, clock, people):
    update(app, APPROVER_TOTP="required")
    ref = submitted_cycle(app)
    refused = post(approver, f"/cycles/{ref}/approve", json={"totp": "123456"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "totp_not_enrolled"
    assert "/api/v1/approver/totp" in refused.get_json()["error"]["message"]
    assert state_of(app, ref) == "submitted"


def test_enrolled_policy_lets_a_key_without_an_authenticator_through(app, post, approver,
                                                                     people):
    ref = submitted_cycle(app)
    assert post(approver, f"/cycles/{ref}/approve").status_code == 200
    assert post(approver, f"/cycles/{ref}/release", json={}).status_code == 200


def test_codes_and_secrets_stay_out_of_the_logs(app, post, approver, clock, people, caplog):
    caplog.set_level("DEBUG")
    enrolled = post(approver, "/approver/totp").get_json()
    secret = secret_from(enrolled["otpauth_uri"])
    first = code_at(secret, clock.now)
    post(approver, "/approver/totp/confirm", json={"code": first})
    ref = submitted_cycle(app)
    clock.tick()
    second = code_at(secret, clock.now)
    post(approver, f"/cycles/{ref}/approve", json={"totp": first})  # replayed
    assert post(approver, f"/cycles/{ref}/approve", json={"totp": second}).status_code == 200
    assert enrolled["secret"] not in caplog.text
    for code in (first, second):
        assert not re.search(rf"(?<!\d){code}(?!\d)", caplog.text)
