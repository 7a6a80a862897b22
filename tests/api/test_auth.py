"""Authentication (401) and authorisation (403) answers of the admin API."""

from __future__ import annotations

import pytest

from gateway.api.roles import Role
from tests.support.scenario import bearer, make_key

URL = "/api/v1/rosters/imports"


def assert_401(response, bearer_error: str | None) -> None:
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    if bearer_error:
        assert f'error="{bearer_error}"' in challenge
    else:
        assert "error=" not in challenge


def test_no_authorization_header_is_401_with_a_bearer_challenge(client):
    assert_401(client.get(URL), None)


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", "chitra_x"])
def test_another_scheme_or_no_token_is_401(client, header):
    assert_401(client.get(URL, headers={"Authorization": header}), None)


@pytest.mark.parametrize("token", [
    "chitra_00000000_" + "a" * 43,  # well formed, unknown prefix
    "nonsense",
    "chitra_short_x",
    "chitra__",
    "chitra_" + "é" * 8 + "_x",
])
def test_unknown_or_malformed_key_is_401_invalid_token(client, tokens, token):
    assert_401(client.get(URL, headers=bearer(token)), "invalid_token")


def test_right_prefix_with_wrong_secret_is_401(client, tokens):
    real = tokens[Role.OFFICER]
    forged = real[: -4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    assert_401(client.get(URL, headers=bearer(forged)), "invalid_token")


def test_revoked_key_is_401(client, runner, app):
    token = make_key("gone", Role.AUDITOR)
    assert client.get(URL, headers=bearer(token)).status_code == 200
    assert runner.invoke("apikey", "revoke", "gone").exit_code == 0
    assert_401(client.get(URL, headers=bearer(token)), "invalid_token")


def test_wrong_role_is_403_json_naming_the_problem(client, as_role):
    response = client.post("/api/v1/rosters", headers=as_role(Role.AUDITOR))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_authentication_comes_before_validation(client):
    # An anonymous caller learns nothing about the parameters an endpoint takes.
    response = client.post("/api/v1/beneficiaries/search", json={"no_such": 1})
    assert response.status_code == 401


def test_current_caller_is_the_keys_name_and_role(probe_app, client, as_role):
    response = client.post("/api/v1/_probe/echo", headers=as_role(Role.APPROVER),
                           json={"name": "x", "count": 1})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["caller"] == "test-approver"


def test_current_caller_unpacks_as_name_and_role():
    from gateway.api.keys import Caller

    name, role = Caller("k", Role.AUDITOR)
    assert (name, role) == ("k", Role.AUDITOR)
