"""Request bodies and query strings: malformed or unexpected input is a 4xx, never a 500."""

from __future__ import annotations

import pytest

from gateway.api.roles import Role

URL = "/api/v1/_probe/echo"


@pytest.fixture
def post(probe_app, client, as_role):
    headers = as_role(Role.OFFICER)

    def send(**kwargs):
        return client.post(URL, headers=headers, **kwargs)

    return send


def test_a_valid_json_body_reaches_the_endpoint(post):
    response = post(json={"name": "a", "count": 2, "lines": [{"label": "x", "amount": 5}]})
    assert response.status_code == 200
    assert response.get_json()["lines"] == [{"label": "x", "amount": 5}]


@pytest.mark.parametrize("body", ["{", "{'name': 1}", '{"name": "a",}', b"\xff\xfe{", "nul\x00"])
def test_malformed_json_is_400(post, body):
    response = post(data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["details"] == {"json": ["Invalid JSON body."]}


def test_unknown_fields_are_422_naming_them(post):
    response = post(json={"name": "a", "count": 1, "amonut": 5})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {"json": {"amonut": ["Unknown field."]}}


def test_unknown_fields_in_nested_objects_are_422(post):
    response = post(json={"name": "a", "count": 1, "lines": [{"label": "x", "amount": 1,
                                                             "note": "?"}]})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["json"]["lines"]["0"]["note"]


@pytest.mark.parametrize("body", [
    {"name": 1, "count": 1},
    {"name": "a", "count": "many"},
    {"name": "a", "count": 1.5},
    {"name": "a", "count": None},
    {"name": "a", "count": 1, "lines": {"label": "x"}},
    {"name": "a", "count": 1, "lines": [{"label": "x", "amount": -1}]},
    [1, 2],
    "text",
    None,
    {},
])
def test_wrong_types_are_422(post, body):
    import json

    response = post(data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["details"]["json"]


def test_a_json_body_over_the_limit_is_413_json(probe_app, post):
    probe_app.config["API_MAX_BODY_BYTES"] = 1000
    response = post(json={"name": "x" * 2000, "count": 1})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_a_non_json_content_type_is_422_not_500(post):
    response = post(data="name=a&count=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422


def test_unknown_url_and_method_are_json(client, as_role):
    missing = client.get("/api/v1/nothing-here", headers=as_role(Role.OFFICER))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/rosters", headers=as_role(Role.OFFICER))
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"
