"""The role matrix, enforced: every role against every admin endpoint."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from gateway.api.roles import ROLE_MATRIX, Role, may
from tests.support.scenario import GOOD, VI_HEADER


def good_csv() -> bytes:
    lines = [",".join(VI_HEADER)] + [",".join(row) for row in GOOD]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


# A statement naming one payment we do not have: an "extra" finding, recorded.
STATEMENT = b"reference,amount,status\n0190aaaabbbbcccc8ddddeeeeffff0000,300000,completed\n"


# One representative call per endpoint and the status it gets when the role is allowed.
# A new endpoint fails test_every_endpoint_has_a_call_here until it is added.
CALLS: dict[tuple[str, str], tuple[Callable[[], dict[str, Any]], int]] = {
    ("post", "/api/v1/beneficiaries/search"): (
        lambda: {"path": "/api/v1/beneficiaries/search", "json": {"phone": "0912345678"}},
        200),
    ("get", "/api/v1/beneficiaries/{ref}"): (
        lambda: {"path": "/api/v1/beneficiaries/unknown-ref"}, 404),
    ("get", "/api/v1/beneficiaries/{ref}/pin"): (
        lambda: {"path": f"/api/v1/beneficiaries/{'0' * 32}/pin"}, 404),
    ("post", "/api/v1/beneficiaries/{ref}/pin/reset"): (
        lambda: {"path": f"/api/v1/beneficiaries/{'0' * 32}/pin/reset"}, 404),
    ("post", "/api/v1/rosters"): (
        lambda: {"path": "/api/v1/rosters",
                 "data": {"file": (io.BytesIO(good_csv()), "r.csv"), "dry_run": "true"}},
        200),
    ("get", "/api/v1/rosters/imports"): (lambda: {"path": "/api/v1/rosters/imports"}, 200),
    # Payroll, on an empty registry: a cycle of nobody can be created; unknown refs are 404.
    ("post", "/api/v1/cycles"): (
        lambda: {"path": "/api/v1/cycles", "json": {"program": "TGXH_THANG",
                                                    "period": "2026-12"}}, 201),
    ("get", "/api/v1/cycles"): (lambda: {"path": "/api/v1/cycles"}, 200),
    ("get", "/api/v1/cycles/{ref}"): (lambda: {"path": "/api/v1/cycles/abc123"}, 404),
    ("post", "/api/v1/cycles/{ref}/submit"): (
        lambda: {"path": "/api/v1/cycles/abc123/submit"}, 404),
    ("post", "/api/v1/cycles/{ref}/approve"): (
        lambda: {"path": "/api/v1/cycles/abc123/approve"}, 404),
    ("post", "/api/v1/cycles/{ref}/release"): (
        lambda: {"path": "/api/v1/cycles/abc123/release"}, 404),
    ("post", "/api/v1/cycles/{ref}/cancel"): (
        lambda: {"path": "/api/v1/cycles/abc123/cancel"}, 404),
    ("get", "/api/v1/cycles/{ref}/payments"): (
        lambda: {"path": "/api/v1/cycles/abc123/payments"}, 404),
    ("get", "/api/v1/cycles/{ref}/report"): (
        lambda: {"path": "/api/v1/cycles/abc123/report"}, 404),
    ("get", "/api/v1/cycles/{ref}/settlement"): (
        lambda: {"path": "/api/v1/cycles/abc123/settlement"}, 404),
    # Approver TOTP: a key enrols its own authenticator; confirming with none enrolled is 404.
    ("post", "/api/v1/approver/totp"): (lambda: {"path": "/api/v1/approver/totp"}, 201),
    ("post", "/api/v1/approver/totp/confirm"): (
        lambda: {"path": "/api/v1/approver/totp/confirm", "json": {"code": "123456"}}, 404),
    ("post", "/api/v1/budget/allocations"): (
        lambda: {"path": "/api/v1/budget/allocations",
                 "json": {"program": "TGXH_THANG", "period": "12/2026", "amount": 1_000_000,
                          "reference": "QD-1"}}, 201),
    # Programs and rules: approvers change them (a far-off month no cycle has priced).
    ("get", "/api/v1/programs"): (lambda: {"path": "/api/v1/programs"}, 200),
    ("post", "/api/v1/programs"): (
        lambda: {"path": "/api/v1/programs",
                 "json": {"code": "LU_2030", "name_vi": "Hỗ trợ lũ", "name_en": "Flood relief",
                          "amount": 1_000_000}}, 201),
    ("get", "/api/v1/rules"): (lambda: {"path": "/api/v1/rules"}, 200),
    ("post", "/api/v1/rules/levels"): (
        lambda: {"path": "/api/v1/rules/levels",
                 "json": {"effective_from": "2030-01", "amount": 700_000}}, 201),
    ("post", "/api/v1/rules/coefficients"): (
        lambda: {"path": "/api/v1/rules/coefficients",
                 "json": {"category": "KT_NANG", "effective_from": "2030-01",
                          "coefficient": "1.8"}}, 201),
    ("get", "/api/v1/audit/verify"): (lambda: {"path": "/api/v1/audit/verify"}, 200),
    ("get", "/api/v1/audit/events"): (lambda: {"path": "/api/v1/audit/events"}, 200),
    ("get", "/api/v1/complaints"): (lambda: {"path": "/api/v1/complaints"}, 200),
    ("post", "/api/v1/complaints/{ticket}/resolve"): (
        lambda: {"path": "/api/v1/complaints/KN-ABCDEF/resolve",
                 "json": {"resolution": "explained"}}, 404),
    ("post", "/api/v1/reconciliations"): (
        lambda: {"path": "/api/v1/reconciliations",
                 "data": {"file": (io.BytesIO(STATEMENT), "s.csv"), "provider": "sandbox"}},
        201),
    ("get", "/api/v1/reconciliations/{run_id}"): (
        lambda: {"path": "/api/v1/reconciliations/999999"}, 404),
    ("get", "/api/v1/reconciliations/{run_id}/findings"): (
        lambda: {"path": "/api/v1/reconciliations/999999/findings"}, 404),
    # Wallet changes on an empty registry: nobody to change, no request to decide.
    ("post", "/api/v1/wallet-changes"): (
        lambda: {"path": "/api/v1/wallet-changes",
                 "json": {"beneficiary": "unknown-ref", "provider": "sandbox",
                          "phone": "0912345678", "reason": "SIM lost"}}, 404),
    ("get", "/api/v1/wallet-changes"): (lambda: {"path": "/api/v1/wallet-changes"}, 200),
    ("post", "/api/v1/wallet-changes/{ref}/approve"): (
        lambda: {"path": "/api/v1/wallet-changes/abc123/approve"}, 404),
    ("post", "/api/v1/wallet-changes/{ref}/reject"): (
        lambda: {"path": "/api/v1/wallet-changes/abc123/reject"}, 404),
}


def operations(client) -> dict[tuple[str, str], dict[str, Any]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    return {(method, path): op for path, ops in spec["paths"].items()
            for method, op in ops.items()}


def test_every_endpoint_has_a_call_here_and_an_action_in_the_matrix(client):
    ops = operations(client)
    assert set(ops) == set(CALLS)
    for key, op in ops.items():
        action = op["x-chitra-action"]
        assert action in ROLE_MATRIX, key
        assert op["x-chitra-roles"] == sorted(r.value for r in ROLE_MATRIX[action])
        assert op["security"] == [{"bearer": op["x-chitra-roles"]}]


def test_no_admin_action_is_open_to_partners():
    assert all(Role.PARTNER not in roles for roles in ROLE_MATRIX.values())


def test_the_matrix_says_what_the_brief_says():
    assert ROLE_MATRIX["rosters.import"] == {Role.OFFICER}
    assert ROLE_MATRIX["beneficiaries.read"] >= {Role.APPROVER, Role.AUDITOR}
    # Maker-checker: who prepares never approves or releases.
    assert ROLE_MATRIX["cycles.prepare"] == {Role.OFFICER}
    assert ROLE_MATRIX["cycles.approve"] == {Role.APPROVER}
    assert not ROLE_MATRIX["cycles.prepare"] & ROLE_MATRIX["cycles.approve"]
    assert ROLE_MATRIX["approver.totp"] == {Role.APPROVER}
    assert ROLE_MATRIX["budget.allocate"] == {Role.OFFICER}
    # A rule change moves money: approvers only, never who prepares cycles.
    assert ROLE_MATRIX["rules.change"] == {Role.APPROVER}
    assert not ROLE_MATRIX["rules.change"] & ROLE_MATRIX["cycles.prepare"]
    assert ROLE_MATRIX["audit.read"] == {Role.AUDITOR}
    assert ROLE_MATRIX["complaints.resolve"] == {Role.OFFICER}
    assert ROLE_MATRIX["reconciliation.run"] == {Role.OFFICER, Role.AUDITOR}
    assert ROLE_MATRIX["reconciliation.read"] == {Role.OFFICER, Role.APPROVER, Role.AUDITOR}
    # Wallet changes: officers ask and (a different officer) approve; auditors list.
    assert ROLE_MATRIX["wallet_changes.request"] == {Role.OFFICER}
    assert ROLE_MATRIX["wallet_changes.approve"] == {Role.OFFICER}
    assert Role.AUDITOR in ROLE_MATRIX["wallet_changes.read"]
    # Auditors read everything.
    readers = [a for a in ROLE_MATRIX if a.endswith(".read") or a == "audit.read"]
    assert all(Role.AUDITOR in ROLE_MATRIX[a] for a in readers)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("endpoint", list(CALLS), ids=lambda e: f"{e[0]} {e[1]}")
def test_role_matrix_is_enforced(client, as_role, role, endpoint):
    spec_op = operations(client)[endpoint]
    allowed = role.value in spec_op["x-chitra-roles"]
    assert allowed == may(role, spec_op["x-chitra-action"])
    make_request, ok_status = CALLS[endpoint]
    kwargs = make_request()
    response = client.open(method=endpoint[0].upper(), headers=as_role(role), **kwargs)
    if allowed:
        assert response.status_code == ok_status, response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"
