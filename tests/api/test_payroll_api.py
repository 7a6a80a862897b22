"""The payroll endpoints: cycles with maker-checker across keys, payments, budget, reports."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from gateway.api.roles import Role
from gateway.db import get_db
from gateway.payroll import cycles
from gateway.pii.codec import get_pii
from gateway.reports.cycle import cycle_report
from gateway.reports.settlement import settlement
from tests.support.driven import EXPECTED_TOTALS, drive
from tests.support.scenario import bearer, make_key

CREATE = {"program": "TGXH_THANG", "period": "2026-12"}
ALLOCATE = {"program": "TGXH_THANG", "period": "12/2026", "amount": 10_000_000,
            "reference": "QD-12"}


pytestmark = pytest.mark.ledger


@pytest.fixture
def api(client, as_role):
    """Call the API as a role: ``api(Role.OFFICER, "post", "/cycles", json=...)``."""

    def call(role, method, path, **kwargs):
        return client.open(f"/api/v1{path}", method=method.upper(), headers=as_role(role),
                           **kwargs)

    return call


def created(api):
    response = api(Role.OFFICER, "post", "/cycles", json=CREATE)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- cycles ----------------------------------------------------------------------------

def test_officer_creates_a_cycle_and_creating_it_again_returns_the_same(api, people):
    first = created(api)
    assert first["state"] == "draft" and first["payments"] == 5 and first["changed"] is True
    assert first["total_amount"] == 5_000_000 and first["created_by"] == "apikey:test-officer"
    assert first["skip_reasons"] == {"suspended": 1, "deceased": 1}
    again = api(Role.OFFICER, "post", "/cycles", json={**CREATE, "period": "12/2026"})
    assert again.status_code == 200
    assert again.get_json()["ref"] == first["ref"] and again.get_json()["changed"] is False


def test_a_cycle_can_be_limited_to_communes_and_given_a_payment_date(api, people):
    response = api(Role.OFFICER, "post", "/cycles", json={
        **CREATE, "communes": ["19753"], "payment_date": "2026-12-10"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["scope"] == "19753" and body["payments"] == 3
    assert body["payment_date"] == "2026-12-10"


def test_the_whole_cycle_runs_through_the_api_with_two_keys(api, people, app):
    cycle = created(api)
    ref = cycle["ref"]
    assert api(Role.OFFICER, "post", "/budget/allocations", json=ALLOCATE).status_code == 201
    submitted = api(Role.OFFICER, "post", f"/cycles/{ref}/submit").get_json()
    assert submitted["state"] == "submitted" and submitted["submitted_by"] == "apikey:test-officer"
    approved = api(Role.APPROVER, "post", f"/cycles/{ref}/approve")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["approved_by"] == "apikey:test-approver"
    released = api(Role.APPROVER, "post", f"/cycles/{ref}/release")
    assert released.status_code == 200 and released.get_json()["state"] == "released"
    assert released.get_json()["by_state"] == {"ready": {"count": 5, "amount": 5_000_000}}
    shown = api(Role.AUDITOR, "get", f"/cycles/{ref}").get_json()
    assert shown["released_by"] == "apikey:test-approver" and shown["state"] == "released"
    # The numeric id names the cycle too.
    assert api(Role.AUDITOR, "get", f"/cycles/{cycle['id']}").get_json()["ref"] == ref


def test_double_release_through_the_api_pays_nobody_twice(api, people, app):
    ref = created(api)["ref"]
    api(Role.OFFICER, "post", "/budget/allocations", json=ALLOCATE)
    api(Role.OFFICER, "post", f"/cycles/{ref}/submit")
    api(Role.APPROVER, "post", f"/cycles/{ref}/approve")
    first = api(Role.APPROVER, "post", f"/cycles/{ref}/release").get_json()
    second = api(Role.APPROVER, "post", f"/cycles/{ref}/release")
    assert first["changed"] is True
    assert second.status_code == 200 and second.get_json()["changed"] is False
    assert second.get_json()["by_state"] == first["by_state"]
    with get_db(app).sessionmaker() as s:
        released = s.execute(sa.text("SELECT count(*) FROM ledger_txn WHERE kind = 'release'"))
        assert released.scalar_one() == 1


def test_maker_cannot_be_checker_through_the_api(api, people, app, client):
    # The approver's own key prepared this cycle (as `gateway cycle create --actor` could).
    with get_db(app).session() as s:
        ref = cycles.create_cycle(s, get_pii(app), program_code="TGXH_THANG",
                                  period=cycles.date(2026, 12, 1), actor="apikey:test-approver",
                                  province_code="46").cycle.ref
    api(Role.OFFICER, "post", f"/cycles/{ref}/submit")
    refused = api(Role.APPROVER, "post", f"/cycles/{ref}/approve")
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "maker_checker"
    assert "apikey:test-approver" in error["details"]["en"]
    assert "phê duyệt" in error["details"]["vi"]
    assert api(Role.AUDITOR, "get", f"/cycles/{ref}").get_json()["state"] == "submitted"
    # A second approver's key may approve it.
    other = bearer(make_key("second-approver", Role.APPROVER))
    approved = client.post(f"/api/v1/cycles/{ref}/approve", headers=other)
    assert approved.status_code == 200
    assert approved.get_json()["approved_by"] == "apikey:second-approver"


def test_an_officer_key_cannot_approve_its_own_cycle(api, people):
    ref = created(api)["ref"]
    api(Role.OFFICER, "post", f"/cycles/{ref}/submit")
    refused = api(Role.OFFICER, "post", f"/cycles/{ref}/approve")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


def test_release_without_funds_is_refused_in_both_languages(api, people):
    ref = created(api)["ref"]
    api(Role.OFFICER, "post", f"/cycles/{ref}/submit")
    api(Role.APPROVER, "post", f"/cycles/{ref}/approve")
    refused = api(Role.APPROVER, "post", f"/cycles/{ref}/release")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "insufficient_funds" and "5,000,000" in error["message"]
    assert "5.000.000 đ" in error["details"]["vi"]


def test_steps_out_of_order_are_409(api, people):
    ref = created(api)["ref"]
    approve = api(Role.APPROVER, "post", f"/cycles/{ref}/approve")
    assert approve.status_code == 409
    assert approve.get_json()["error"]["code"] == "invalid_transition"
    assert api(Role.OFFICER, "post", f"/cycles/{ref}/cancel").get_json()["state"] == "cancelled"
    again = api(Role.OFFICER, "post", f"/cycles/{ref}/cancel")
    assert again.status_code == 200 and again.get_json()["changed"] is False
    assert api(Role.OFFICER, "post", f"/cycles/{ref}/submit").status_code == 409


@pytest.mark.parametrize("ref", ["nope", "0" * 40, "9" * 30, "deadbeefdeadbeef", "12345"])
def test_unknown_cycles_are_404_in_both_languages(api, people, ref):
    response = api(Role.AUDITOR, "get", f"/cycles/{ref}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "Không có" in response.get_json()["error"]["details"]["vi"]


def test_cycles_are_listed_newest_first_with_filters_and_pages(api, people):
    dec = created(api)["ref"]
    nov = api(Role.OFFICER, "post", "/cycles", json={**CREATE, "period": "2026-11"}).get_json()
    api(Role.OFFICER, "post", f"/cycles/{dec}/submit")
    listed = api(Role.APPROVER, "get", "/cycles").get_json()
    assert [c["ref"] for c in listed["items"]] == [nov["ref"], dec] and not listed["next_after"]
    by_state = api(Role.APPROVER, "get", "/cycles", query_string={"state": "submitted"})
    assert [c["ref"] for c in by_state.get_json()["items"]] == [dec]
    by_period = api(Role.APPROVER, "get", "/cycles",
                    query_string={"period": "11/2026", "program": "tgxh_thang"})
    assert [c["ref"] for c in by_period.get_json()["items"]] == [nov["ref"]]
    page = api(Role.APPROVER, "get", "/cycles", query_string={"limit": 1}).get_json()
    assert len(page["items"]) == 1 and page["next_after"] == nov["id"]
    rest = api(Role.APPROVER, "get", "/cycles",
               query_string={"limit": 1, "after": page["next_after"]}).get_json()
    assert [c["ref"] for c in rest["items"]] == [dec] and rest["next_after"] is None


@pytest.mark.parametrize("body,field", [
    ({**CREATE, "period": "13/2026"}, "period"),
    ({**CREATE, "period": "2026-13"}, "period"),
    ({**CREATE, "period": 202612}, "period"),
    ({**CREATE, "communes": "19753"}, "communes"),
    ({**CREATE, "communes": ["1975"]}, "communes"),
    ({**CREATE, "payment_date": "05/12/2026x"}, "payment_date"),
    ({**CREATE, "program": "TG XH"}, "program"),
    ({**CREATE, "scope": "*"}, "scope"),
    ({"period": "2026-12"}, "program"),
])
def test_malformed_cycle_requests_are_422_naming_the_field(api, body, field):
    response = api(Role.OFFICER, "post", "/cycles", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["details"]["json"]


def test_unknown_communes_and_programs_are_refused_by_the_domain(api, people):
    communes = api(Role.OFFICER, "post", "/cycles", json={**CREATE, "communes": ["99999"]})
    assert communes.status_code == 422
    assert communes.get_json()["error"]["code"] == "invalid_request"
    program = api(Role.OFFICER, "post", "/cycles", json={**CREATE, "program": "NOPE"})
    assert program.status_code == 404 and program.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body", ["{", '{"program": "TGXH_THANG",}', b"\xff", "null", "[]"])
def test_malformed_json_is_4xx_never_500(api, body):
    response = api(Role.OFFICER, "post", "/cycles", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500


# --- budget ----------------------------------------------------------------------------

def test_an_allocation_is_recorded_once(api):
    first = api(Role.OFFICER, "post", "/budget/allocations", json=ALLOCATE)
    assert first.status_code == 201
    assert first.get_json()["available"] == 10_000_000 and first.get_json()["changed"] is True
    again = api(Role.OFFICER, "post", "/budget/allocations", json=ALLOCATE)
    assert again.status_code == 200 and again.get_json()["changed"] is False
    assert again.get_json()["allocation_id"] == first.get_json()["allocation_id"]
    other_amount = api(Role.OFFICER, "post", "/budget/allocations",
                       json={**ALLOCATE, "amount": 9})
    assert other_amount.status_code == 422
    assert other_amount.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("change", [
    {"amount": "12"}, {"amount": 1.5}, {"amount": 0}, {"amount": -5}, {"amount": None},
    {"amount": True}, {"amount": 10**16}, {"period": "13/2026"}, {"period": "2026/12"},
    {"reference": ""}, {"reference": "x" * 101}, {"program": 7}, {"approved": True},
])
def test_malformed_allocations_are_422(api, change):
    response = api(Role.OFFICER, "post", "/budget/allocations", json={**ALLOCATE, **change})
    assert response.status_code == 422, (change, response.get_json())
    assert set(response.get_json()["error"]["details"]["json"]) == set(change)


def test_allocations_for_unknown_programs_are_404(api):
    response = api(Role.OFFICER, "post", "/budget/allocations",
                   json={**ALLOCATE, "program": "NOPE"})
    assert response.status_code == 404


# --- payments --------------------------------------------------------------------------

def test_payments_page_through_a_cycle_with_keyset_cursors(api, people):
    ref = created(api)["ref"]
    seen, after = [], None
    while True:
        query = {"limit": 2} | ({"after": after} if after else {})
        page = api(Role.OFFICER, "get", f"/cycles/{ref}/payments", query_string=query).get_json()
        seen += page["items"]
        after = page["next_after"]
        if after is None:
            break
    assert len(seen) == 5 and len({p["ref"] for p in seen}) == 5
    assert [p["id"] for p in seen] == sorted(p["id"] for p in seen)
    assert sum(p["amount"] for p in seen) == 5_000_000


def test_payments_filter_by_state_and_commune(api, people, app):
    driven = drive(app, people)
    held = api(Role.AUDITOR, "get", f"/cycles/{driven.ref}/payments",
               query_string={"state": "held"}).get_json()["items"]
    assert [p["id"] for p in held] == [driven.payments["hai"]]
    in_commune = api(Role.AUDITOR, "get", f"/cycles/{driven.ref}/payments",
                     query_string={"commune": "19753"}).get_json()["items"]
    assert {p["commune_code"] for p in in_commune} == {"19753"} and len(in_commune) == 3
    [an] = [p for p in in_commune if p["id"] == driven.payments["an"]]
    assert an["state"] == "confirmed" and an["fee"] == 1_100 and an["confirmed_at"]


def test_recipient_phones_are_masked_for_approvers_only(api, people):
    ref = created(api)["ref"]
    query = {"commune": "19777"}  # Bình, wallet phone 0987654321
    [clear] = api(Role.OFFICER, "get", f"/cycles/{ref}/payments",
                  query_string=query).get_json()["items"]
    assert clear["recipient_phone"] == "+84987654321"
    masked = api(Role.APPROVER, "get", f"/cycles/{ref}/payments", query_string=query).get_json()
    assert masked["masked"] is True
    assert masked["items"][0]["recipient_phone"] == "09******21"
    assert "987654" not in json.dumps(masked)


@pytest.mark.parametrize("query", [{"state": "lost"}, {"commune": "abc"}, {"limit": 0},
                                   {"limit": 501}, {"after": -1}, {"after": "x"},
                                   {"after": str(10**30)}, {"page": 2}])
def test_malformed_payment_queries_are_422(api, people, query):
    ref = created(api)["ref"]
    response = api(Role.OFFICER, "get", f"/cycles/{ref}/payments", query_string=query)
    assert response.status_code == 422, response.get_json()


# --- reports ---------------------------------------------------------------------------

def test_report_and_settlement_are_the_same_data_as_the_command(api, people, app, runner):
    driven = drive(app, people)
    report = api(Role.APPROVER, "get", f"/cycles/{driven.ref}/report")
    assert report.status_code == 200
    body = report.get_json()
    assert {k: body["totals"][k] for k in EXPECTED_TOTALS} == EXPECTED_TOTALS
    command = json.loads(runner.invoke("report", "cycle", driven.ref, "--json").output)
    assert body["communes"] == command["communes"] and body["totals"] == command["totals"]
    with get_db(app).sessionmaker() as s:
        cycle = cycles.get_cycle(s, driven.ref)
        assert body["communes"] == cycle_report(s, cycle).as_dict()["communes"]
        expected = settlement(s, cycle).as_dict()
    settled = api(Role.AUDITOR, "get", f"/cycles/{driven.ref}/settlement").get_json()
    assert settled["ties"] is True and settled["communes"] == expected["communes"]
    assert settled["totals"]["outstanding"] == 1_750_000
    assert settled["account"]["funded"] == 10_000_000


# --- audit -----------------------------------------------------------------------------

def test_auditors_verify_the_chain_and_page_through_its_events(api, people):
    ref = created(api)["ref"]
    api(Role.OFFICER, "post", f"/cycles/{ref}/submit")
    verified = api(Role.AUDITOR, "get", "/audit/verify").get_json()
    assert verified["ok"] is True and verified["checked"] >= 2
    first = api(Role.AUDITOR, "get", "/audit/events", query_string={"limit": 1}).get_json()
    assert len(first["items"]) == 1 and first["next_after"] == first["items"][0]["seq"]
    rest = api(Role.AUDITOR, "get", "/audit/events",
               query_string={"after": first["next_after"]}).get_json()
    actions = [e["action"] for e in first["items"] + rest["items"]]
    assert actions[-2:] == ["cycle.create", "cycle.submit"] and rest["next_after"] is None
    submit = rest["items"][-1]
    assert submit["actor"] == "apikey:test-officer" and submit["subject_id"] == ref
    assert len(submit["hash"]) == 64 and submit["prev_hash"] == rest["items"][-2]["hash"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.APPROVER, Role.PARTNER])
def test_only_auditors_read_the_audit_chain(api, role):
    for path in ("/audit/verify", "/audit/events"):
        assert api(role, "get", path).status_code == 403
