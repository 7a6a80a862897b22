"""Looking beneficiaries up: masked or clear by role, malformed input refused in two languages."""

from __future__ import annotations

import pytest

from gateway.api.roles import Role
from tests.support.scenario import GOOD, write_csv

BINH = GOOD[1]  # Trần Thị Bình, 046185654321, 0987654321


@pytest.fixture
def imported(runner, tmp_path):
    result = runner.invoke("roster", "import", str(write_csv(tmp_path / "r.csv", GOOD)))
    assert result.exit_code == 0, result.output


def find(client, headers, **query):
    return client.post("/api/v1/beneficiaries/search", headers=headers, json=query)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR], ids=lambda r: r.value)
def test_officers_and_auditors_see_personal_data_in_the_clear(client, as_role, imported, role):
    body = find(client, as_role(role), citizen_id=BINH[3]).get_json()
    [person] = body["items"]
    assert person["name"] == "Trần Thị Bình" and person["citizen_id"] == "046185654321"
    assert person["masked"] is False and person["categories"] == ["DON_THAN"]


def test_approvers_see_personal_data_masked(client, as_role, imported):
    [person] = find(client, as_role(Role.APPROVER), citizen_id=BINH[3]).get_json()["items"]
    assert person["name"] == "T*** T** B***" and person["citizen_id"] == "046*******321"
    assert person["phone"] == "09******21" and person["masked"] is True
    assert "Trần" not in str(person) and "654321" not in person["citizen_id"]


def test_phone_finds_the_person_a_representative_receives_for(client, as_role, imported):
    [person] = find(client, as_role(Role.OFFICER), phone="+84778889990").get_json()["items"]
    assert person["name"] == "Lê Văn Cường" and person["wallet_to_representative"] is True


def test_no_match_is_an_empty_list(client, as_role, imported):
    response = find(client, as_role(Role.AUDITOR), phone="0900000001")
    assert response.status_code == 200 and response.get_json() == {"items": []}


@pytest.mark.parametrize("query,field", [
    ({"citizen_id": "12"}, "citizen_id"),
    ({"citizen_id": "04618565432X"}, "citizen_id"),
    ({"phone": "02438123456"}, "phone"),  # a landline cannot receive money
])
def test_malformed_id_or_phone_is_422_with_the_reason_in_both_languages(
        client, as_role, query, field):
    response = find(client, as_role(Role.OFFICER), **query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    [reason] = error["details"]["json"][field]
    assert " / " in reason and any(ch in reason for ch in "ốệđầ")  # English / Vietnamese


@pytest.mark.parametrize("query", [
    {},
    {"citizen_id": "046185654321", "phone": "0987654321"},
    {"citizen_id": ""},
    {"citizen_id": "046185654321", "role": "officer"},  # unknown: never a way to unmask
    {"citizen_id": "0" * 100},
])
def test_bad_queries_are_422_never_500(client, as_role, query):
    response = find(client, as_role(Role.APPROVER), **query)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert response.get_json()["error"]["details"]["json"]


def test_one_beneficiary_by_public_reference(client, as_role, imported):
    [found] = find(client, as_role(Role.APPROVER), citizen_id=BINH[3]).get_json()["items"]
    response = client.get(f"/api/v1/beneficiaries/{found['ref']}",
                          headers=as_role(Role.AUDITOR))
    assert response.status_code == 200
    person = response.get_json()
    assert person["ref"] == found["ref"] and person["name"] == "Trần Thị Bình"
    masked = client.get(f"/api/v1/beneficiaries/{found['ref']}",
                        headers=as_role(Role.APPROVER)).get_json()
    assert masked == found


def test_unknown_reference_is_a_json_404(client, as_role):
    response = client.get("/api/v1/beneficiaries/nope", headers=as_role(Role.OFFICER))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_reference_takes_no_query_parameters(client, as_role):
    response = client.get("/api/v1/beneficiaries/nope?verbose=1", headers=as_role(Role.OFFICER))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"query": {"verbose": ["Unknown field."]}}
