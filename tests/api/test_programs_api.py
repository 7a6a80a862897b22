"""Programs and rules through the admin API: approvers change them, audited, priced months stay."""

from __future__ import annotations

import pytest

from gateway.api.roles import Role
from gateway.config import update
from tests.support.scenario import add_people

LEVEL = {"effective_from": "2027-01", "amount": 600_000, "national": True,
         "note": "Decree 99/2026"}
COEFFICIENT = {"category": "KT_DBN_TE_NCT", "effective_from": "02/2027", "coefficient": "3.0"}


@pytest.fixture
def api(client, as_role):
    """Call the API as a role: ``api(Role.APPROVER, "post", "/rules/levels", json=...)``."""

    def call(role, method, path, **kwargs):
        return client.open(f"/api/v1{path}", method=method.upper(), headers=as_role(role),
                           **kwargs)

    return call


def cycle_total(api, period: str) -> int:
    response = api(Role.OFFICER, "post", "/cycles", json={"program": "TGXH_THANG",
                                                           "period": period})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["total_amount"]


def audit_events(api, action: str) -> list[dict]:
    items = api(Role.AUDITOR, "get", "/audit/events", query_string={"limit": 1000})
    return [e for e in items.get_json()["items"] if e["action"] == action]


def test_a_new_level_and_coefficient_by_api_price_the_next_cycles(app, api):
    add_people(app)
    level = api(Role.APPROVER, "post", "/rules/levels", json=LEVEL)
    assert level.status_code == 201, level.get_json()
    assert level.get_json() == {"effective_from": "2027-01", "amount": 600_000,
                                "province_code": None, "note": "Decree 99/2026",
                                "changed": True}
    coefficient = api(Role.APPROVER, "post", "/rules/coefficients", json=COEFFICIENT)
    assert coefficient.status_code == 201, coefficient.get_json()
    assert coefficient.get_json()["per_child"] is False
    # The worked example of tests/payroll/test_programs.py: 5 people, 10 x the level in all.
    assert cycle_total(api, "2026-12") == 5_000_000
    assert cycle_total(api, "2027-01") == 6_000_000
    assert cycle_total(api, "2027-02") == 6_000_000 + 300_000  # Dung: 600,000 x (3.0 - 2.5)

    [event] = audit_events(api, "level.set")
    assert (event["actor"], event["subject_id"]) == ("apikey:test-approver", "national:2027-01")
    assert event["detail"]["previous"] == 500_000
    [event] = audit_events(api, "coefficient.set")
    assert event["subject_id"] == "KT_DBN_TE_NCT:2027-02"
    assert event["detail"]["coefficient"] == "3.0"
    verified = api(Role.AUDITOR, "get", "/audit/verify").get_json()
    assert verified["ok"] is True, verified

    rules = api(Role.AUDITOR, "get", "/rules").get_json()
    assert rules["levels"][-1] == {"effective_from": "2027-01", "amount": 600_000,
                                   "province_code": None, "note": "Decree 99/2026"}
    assert {"category": "KT_DBN_TE_NCT", "effective_from": "2027-02", "coefficient": "3.0",
            "per_child": False, "age_from": None, "age_coefficient": None,
            "age_switch": None} in rules["coefficients"]


def test_a_priced_month_is_409_in_both_languages_and_unchanged(app, api):
    add_people(app)
    cycle_total(api, "2027-01")
    for path, body in (("/rules/levels", LEVEL),
                       ("/rules/coefficients", {**COEFFICIENT, "effective_from": "2027-01"})):
        refused = api(Role.APPROVER, "post", path, json=body)
        assert refused.status_code == 409, refused.get_json()
        error = refused.get_json()["error"]
        assert error["code"] == "rule_in_use"
        assert "for 01/2027 was priced" in error["details"]["en"]
        assert "tháng 01/2027 đã tính tiền" in error["details"]["vi"]
    assert audit_events(api, "level.set") == audit_events(api, "coefficient.set") == []
    assert api(Role.AUDITOR, "get", "/rules").get_json()["levels"][-1]["amount"] == 500_000


def test_the_same_rule_again_is_200_and_changes_nothing(app, api):
    assert api(Role.APPROVER, "post", "/rules/levels", json=LEVEL).status_code == 201
    again = api(Role.APPROVER, "post", "/rules/levels", json=LEVEL)
    assert again.status_code == 200 and again.get_json()["changed"] is False
    assert len(audit_events(api, "level.set")) == 1


def test_a_province_level_is_the_default_and_may_only_raise(app, api):
    province = api(Role.APPROVER, "post", "/rules/levels",
                   json={"effective_from": "2027-01", "amount": 700_000})
    assert province.status_code == 201 and province.get_json()["province_code"] == "46"
    lower = api(Role.APPROVER, "post", "/rules/levels",
                json={"effective_from": "2027-01", "amount": 400_000})
    assert lower.status_code == 422
    assert "chỉ được nâng" in lower.get_json()["error"]["details"]["vi"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR, Role.PARTNER])
def test_only_approvers_change_programs_and_rules(app, api, role):
    for path, body in (("/rules/levels", LEVEL), ("/rules/coefficients", COEFFICIENT),
                       ("/programs", {"code": "LU", "name_vi": "Lũ", "name_en": "Flood",
                                      "amount": 1})):
        refused = api(role, "post", path, json=body)
        assert refused.status_code == 403, (path, refused.get_json())
    assert audit_events(api, "level.set") == []


def test_a_required_second_factor_is_asked_of_rule_changes(app, api):
    update(app, APPROVER_TOTP="required")
    for path, body in (("/rules/levels", LEVEL), ("/rules/coefficients", COEFFICIENT),
                       ("/programs", {"code": "LU", "name_vi": "Lũ", "name_en": "Flood",
                                      "amount": 1})):
        refused = api(Role.APPROVER, "post", path, json={**body, "totp": "123456"})
        assert refused.status_code == 403, (path, refused.get_json())
        assert refused.get_json()["error"]["code"] == "totp_not_enrolled"
    assert api(Role.AUDITOR, "get", "/rules").get_json()["levels"][-1]["amount"] == 500_000


@pytest.mark.parametrize(("body", "status", "field"), [
    ({**COEFFICIENT, "coefficient": "2.55"}, 422, None),
    ({**COEFFICIENT, "category": "NOPE"}, 422, None),
    ({**COEFFICIENT, "coefficient": 3}, 422, "coefficient"),
    ({**COEFFICIENT, "age_switch": "someday"}, 422, "age_switch"),
    ({**COEFFICIENT, "effective_from": "2027-13"}, 422, "effective_from"),
    ({**COEFFICIENT, "per_child": True}, 422, "per_child"),  # the category decides that
])
def test_malformed_coefficients_are_422(app, api, body, status, field):
    refused = api(Role.APPROVER, "post", "/rules/coefficients", json=body)
    assert refused.status_code == status, refused.get_json()
    error = refused.get_json()["error"]
    if field:
        assert field in error["details"]["json"]
    else:
        assert error["code"] == "invalid_request" and error["details"]["vi"]


@pytest.mark.parametrize("body", [
    {**LEVEL, "amount": 600_000.5}, {**LEVEL, "amount": "600000"}, {**LEVEL, "amount": 0},
    {**LEVEL, "amount": 10**13}, {**LEVEL, "national": "yes please"},
    {**LEVEL, "note": "x" * 201},
])
def test_malformed_levels_are_422(app, api, body):
    refused = api(Role.APPROVER, "post", "/rules/levels", json=body)
    assert refused.status_code == 422, refused.get_json()


def test_a_one_off_program_by_api_is_listed_and_pays_its_list(app, api):
    refs = add_people(app, ["an", "binh"])
    created = api(Role.APPROVER, "post", "/programs",
                  json={"code": "lu_2027", "name_vi": "Hỗ trợ khắc phục lũ",
                        "name_en": "Flood relief", "amount": 2_000_000})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["code"] == "LU_2027"
    again = api(Role.APPROVER, "post", "/programs",
                json={"code": "LU_2027", "name_vi": "x", "name_en": "y", "amount": 1})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "program_exists"
    listed = api(Role.OFFICER, "get", "/programs").get_json()["items"]
    assert [p["code"] for p in listed] == ["LU_2027", "MAI_TANG", "TGXH_THANG"]
    cycle = api(Role.OFFICER, "post", "/cycles",
                json={"program": "LU_2027", "period": "2027-01",
                      "beneficiaries": list(refs.values())})
    assert cycle.status_code == 201 and cycle.get_json()["total_amount"] == 4_000_000
    [event] = audit_events(api, "program.create")
    assert event["actor"] == "apikey:test-approver"
