"""Reconciliation over the API: the same comparison as `gateway reconcile`, and nothing settled."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from gateway.api.roles import Role
from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.reconciliation.models import ReconciliationFinding, ReconciliationRun
from tests.support.scenario import PaidCycle, money_snapshot, paid_cycle

pytestmark = pytest.mark.ledger

HEADER = "reference,transaction_reference,amount,status"
STRANGER = "0190aaaabbbbcccc8ddddeeeeffff0000"
PHONE = "0987654321"


def line(p, status: str = "completed", amount: int | None = None) -> str:  # type: ignore[no-untyped-def]
    """Return a statement line for payment ``p``."""
    return f"{p.ref},{p.provider_ref or ''},{p.amount if amount is None else amount},{status}"


@pytest.fixture
def cycle(app, people: dict[str, str]) -> PaidCycle:  # type: ignore[no-untyped-def]
    """Give a released cycle whose five payments are succeeded, failed, sending or ready."""
    return paid_cycle(app, people)


def clean(cycle: PaidCycle) -> list[str]:
    """Return the statement the provider should send for the fixture cycle."""
    return [HEADER, line(cycle["an"]), line(cycle["binh"]), line(cycle["cuong"], "failed"),
            line(cycle["dung"], "pending")]


def csv_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(client, headers, content: bytes, *, name: str = "sao-ke.csv", **form):
    form.setdefault("provider", "sandbox")
    return client.post("/api/v1/reconciliations", headers=headers,
                       data={"file": (io.BytesIO(content), name), **form})


def recorded() -> tuple[int, int]:
    """Return how many runs and findings are stored."""
    with get_db().sessionmaker() as s:
        runs = s.scalar(sa.select(sa.func.count()).select_from(ReconciliationRun))
        findings = s.scalar(sa.select(sa.func.count()).select_from(ReconciliationFinding))
    return int(runs or 0), int(findings or 0)


# --- running a reconciliation ------------------------------------------------------------

def test_a_statement_that_agrees_with_every_payment_is_all_matched(
        client, as_role, cycle):
    response = upload(client, as_role(Role.OFFICER), csv_bytes(clean(cycle)), cycle=cycle.ref)
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["counts"] == {"matched": 4, "missing": 0, "extra": 0, "amount_mismatch": 0,
                                "status_mismatch": 0, "duplicate": 0, "invalid_row": 0}
    assert report["discrepancies"] == 0 and report["findings"] == []
    assert report["cycle"] == cycle.ref and report["provider"] == "sandbox"
    assert report["file_name"] == "sao-ke.csv" and len(report["file_sha256"]) == 64
    assert report["statement_rows"] == 4 and isinstance(report["run_id"], int)
    with get_db().sessionmaker() as s:
        run = s.get(ReconciliationRun, report["run_id"])
        assert run is not None and run.actor == "apikey:test-officer"
        event = s.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reconciliation.run"))
        assert event is not None and event.actor == "apikey:test-officer"


def test_one_extra_and_one_missing_are_both_reported_and_nothing_is_settled(
        client, as_role, cycle):
    before = money_snapshot(client.application)
    lines = [HEADER, line(cycle["an"]), line(cycle["cuong"], "failed"),
             line(cycle["dung"], "pending"), f"{STRANGER},VT-9999,300000,completed"]
    response = upload(client, as_role(Role.AUDITOR), csv_bytes(lines), cycle=cycle.ref)
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["counts"] == {"matched": 3, "missing": 1, "extra": 1, "amount_mismatch": 0,
                                "status_mismatch": 0, "duplicate": 0, "invalid_row": 0}
    assert report["discrepancies"] == 2
    by_category = {f["category"]: f for f in report["findings"]}
    assert set(by_category) == {"missing", "extra"}
    missing, extra = by_category["missing"], by_category["extra"]
    assert (missing["note"], missing["payment_id"], missing["reference"]) == (
        "paid", cycle["binh"].id, cycle["binh"].ref)
    assert (missing["our_state"], missing["our_amount"], missing["their_status"]) == (
        "succeeded", cycle["binh"].amount, None)
    assert (extra["note"], extra["payment_id"], extra["reference"]) == (
        "unknown_reference", None, STRANGER)
    assert (extra["provider_ref"], extra["their_amount"], extra["statement_row"]) == (
        "VT-9999", 300_000, 5)
    # Reported, not settled: every payment state, balance and posting is as it was.
    assert money_snapshot(client.application) == before


def test_the_cycle_may_be_named_by_its_id_or_left_out(client, as_role, cycle, app):
    with get_db(app).sessionmaker() as s:
        from gateway.payroll.models import Cycle

        cycle_id = s.scalar(sa.select(Cycle.id).where(Cycle.ref == cycle.ref))
    by_id = upload(client, as_role(Role.OFFICER), csv_bytes(clean(cycle)), cycle=str(cycle_id))
    assert by_id.status_code == 201 and by_id.get_json()["cycle"] == cycle.ref
    whole = upload(client, as_role(Role.OFFICER), csv_bytes(clean(cycle)))
    assert whole.status_code == 201, whole.get_json()
    assert whole.get_json()["cycle"] is None and whole.get_json()["counts"]["matched"] == 4


@pytest.mark.parametrize("content,missing", [
    (b"", []),
    (b"reference,amount\nx,1\n", ["status"]),
    ("reference,amount,status\nx,1,Thành công\n".encode("cp1258"), []),
    (b"PK\x03\x04" + b"\x00" * 64, []),
    (b'reference,amount,status\n"abc,1,completed\nx"y,2,failed\n', []),
])
def test_a_refused_statement_is_422_in_both_languages_and_records_nothing(
        client, as_role, cycle, content, missing):
    before = money_snapshot(client.application)
    response = upload(client, as_role(Role.OFFICER), content, cycle=cycle.ref)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "statement_refused"
    assert error["details"]["vi"] and error["details"]["en"]
    assert error["message"] == error["details"]["en"]
    assert "sao-ke.csv" in error["details"]["en"]
    assert error["details"]["missing_columns"] == missing
    assert recorded() == (0, 0)
    assert money_snapshot(client.application) == before


@pytest.mark.parametrize("provider", ["momo", "", "x" * 40])
def test_a_provider_we_do_not_have_is_422(client, as_role, cycle, provider):
    response = upload(client, as_role(Role.OFFICER), csv_bytes(clean(cycle)), provider=provider)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert "provider" in error["details"]["form_and_files"]
    assert recorded() == (0, 0)


def test_the_provider_is_read_as_the_cli_reads_it(client, as_role, cycle):
    response = upload(client, as_role(Role.OFFICER), csv_bytes(clean(cycle)),
                      provider=" Sandbox ", cycle=cycle.ref)
    assert response.status_code == 201 and response.get_json()["provider"] == "sandbox"


@pytest.mark.parametrize("form", [
    {},  # no provider
    {"provider": "sandbox", "dry_run": "true"},  # a field the endpoint does not take
    {"provider": "sandbox", "cycle": ""},
])
def test_bad_form_fields_are_422(client, as_role, cycle, form):
    response = client.post("/api/v1/reconciliations", headers=as_role(Role.OFFICER), data={
        "file": (io.BytesIO(csv_bytes(clean(cycle))), "s.csv"), **form})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["form_and_files"]
    assert recorded() == (0, 0)


def test_no_file_is_422(client, as_role):
    response = client.post("/api/v1/reconciliations", headers=as_role(Role.OFFICER),
                           data={"provider": "sandbox"})
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["details"]["form_and_files"]


@pytest.mark.parametrize("ref", ["abc123", "99999", "9" * 30, "not a cycle"])
def test_an_unknown_cycle_is_404_json_and_records_nothing(
        client, as_role, cycle, ref):
    response = upload(client, as_role(Role.OFFICER), csv_bytes(clean(cycle)), cycle=ref)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and error["details"]["vi"] and error["details"]["en"]
    assert recorded() == (0, 0)


def test_a_statement_over_the_upload_limit_is_413_json(app, client, as_role, cycle):
    app.config["API_MAX_UPLOAD_BYTES"] = 4096
    content = csv_bytes(clean(cycle) + [f"{STRANGER},VT-{i},1000,completed" for i in range(200)])
    assert len(content) > 4096
    response = upload(client, as_role(Role.OFFICER), content)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert recorded() == (0, 0)


def test_no_phone_number_is_echoed_or_stored(client, as_role, cycle):
    lines = ["reference,transaction_reference,msisdn,amount,status"]
    lines += [f"{cycle[n].ref},{cycle[n].provider_ref or ''},{PHONE},{cycle[n].amount},failed"
              for n in ("an", "binh")]
    lines += [f"{STRANGER},VT-9999,{PHONE},300000,completed", f"{STRANGER},,{PHONE},1.5,x"]
    response = upload(client, as_role(Role.OFFICER), csv_bytes(lines), cycle=cycle.ref)
    assert response.status_code == 201, response.get_json()
    run_id = response.get_json()["run_id"]
    assert response.get_json()["discrepancies"] >= 4
    bodies = [response.data,
              client.get(f"/api/v1/reconciliations/{run_id}", headers=as_role(Role.AUDITOR)).data,
              client.get(f"/api/v1/reconciliations/{run_id}/findings",
                         headers=as_role(Role.AUDITOR)).data]
    for body in bodies:
        assert PHONE not in body.decode() and PHONE[1:] not in body.decode()
    with get_db().sessionmaker() as s:
        stored = json.dumps([[getattr(f, c.name) for c in ReconciliationFinding.__table__.columns]
                             for f in s.scalars(sa.select(ReconciliationFinding))], default=str)
    assert PHONE[1:] not in stored


# --- reading runs and findings back -------------------------------------------------------

def test_a_run_and_its_findings_are_read_back(client, as_role, cycle):
    lines = [HEADER, line(cycle["an"], amount=cycle["an"].amount + 100_000),
             line(cycle["cuong"], "completed"), line(cycle["dung"], "pending"),
             f"{STRANGER},VT-9999,300000,completed"]
    report = upload(client, as_role(Role.OFFICER), csv_bytes(lines), cycle=cycle.ref).get_json()
    run_id = report["run_id"]

    shown = client.get(f"/api/v1/reconciliations/{run_id}", headers=as_role(Role.APPROVER))
    assert shown.status_code == 200, shown.get_json()
    run = shown.get_json()
    assert run["id"] == run_id and run["cycle"] == cycle.ref and run["provider"] == "sandbox"
    assert run["actor"] == "apikey:test-officer" and run["file_name"] == "sao-ke.csv"
    assert run["file_sha256"] == report["file_sha256"] and run["statement_rows"] == 4
    assert run["counts"] == report["counts"] == {
        "matched": 1, "missing": 1, "extra": 1, "amount_mismatch": 1, "status_mismatch": 1,
        "duplicate": 0, "invalid_row": 0}
    assert run["discrepancies"] == 4 and run["created_at"]
    assert run["window_start"] is None and run["window_end"] is None

    path = f"/api/v1/reconciliations/{run_id}/findings"
    everything = client.get(path, headers=as_role(Role.AUDITOR)).get_json()
    assert everything["run_id"] == run_id and everything["next_offset"] is None
    found = {(f["category"], f["note"], f["payment_id"]) for f in everything["items"]}
    assert found == {("amount_mismatch", "they_paid_more", cycle["an"].id),
                     ("status_mismatch", "money_out", cycle["cuong"].id),
                     ("extra", "unknown_reference", None),
                     ("missing", "paid", cycle["binh"].id)}
    def key(finding: dict[str, object]) -> str:
        return json.dumps(finding, sort_keys=True)

    assert sorted(map(key, everything["items"])) == sorted(map(key, report["findings"]))

    only = client.get(path, query_string={"category": "status_mismatch"},
                      headers=as_role(Role.OFFICER)).get_json()
    [money_out] = only["items"]
    assert (money_out["reference"], money_out["our_state"], money_out["their_status"]) == (
        cycle["cuong"].ref, "failed", "succeeded")

    first = client.get(path, query_string={"limit": 3}, headers=as_role(Role.OFFICER)).get_json()
    assert len(first["items"]) == 3 and first["next_offset"] == 3
    rest = client.get(path, query_string={"limit": 3, "offset": 3},
                      headers=as_role(Role.OFFICER)).get_json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    assert first["items"] + rest["items"] == everything["items"]


def test_the_report_lists_the_first_100_findings_and_the_rest_can_be_paged(
        client, as_role, cycle):
    lines = clean(cycle) + [f"{i:032x},VT-{i},1000,completed" for i in range(1, 131)]
    report = upload(client, as_role(Role.OFFICER), csv_bytes(lines), cycle=cycle.ref).get_json()
    assert report["counts"]["extra"] == 130 and len(report["findings"]) == 100
    path = f"/api/v1/reconciliations/{report['run_id']}/findings"
    page = client.get(path, query_string={"offset": 100, "limit": 500},
                      headers=as_role(Role.OFFICER)).get_json()
    assert len(page["items"]) == 30 and page["next_offset"] is None


@pytest.mark.parametrize("run_id", ["999999", "9" * 30])
def test_an_unknown_run_is_404_json(client, as_role, run_id):
    for suffix in ("", "/findings"):
        response = client.get(f"/api/v1/reconciliations/{run_id}{suffix}",
                              headers=as_role(Role.AUDITOR))
        assert response.status_code == 404, response.get_json()
        error = response.get_json()["error"]
        assert error["code"] == "not_found" and "đối soát" in error["details"]["vi"]


@pytest.mark.parametrize("query", ["category=matched", "category=bogus", "limit=0",
                                   "limit=501", "offset=-1", "limit=x", "page=2"])
def test_bad_finding_parameters_are_422(client, as_role, query):
    response = client.get(f"/api/v1/reconciliations/1/findings?{query}",
                          headers=as_role(Role.AUDITOR))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["query"]


def test_showing_a_run_takes_no_query_parameters(client, as_role):
    response = client.get("/api/v1/reconciliations/1?verbose=1", headers=as_role(Role.AUDITOR))
    assert response.status_code == 422


# --- roles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role,allowed", [
    (Role.OFFICER, True), (Role.AUDITOR, True), (Role.APPROVER, False), (Role.PARTNER, False)])
def test_who_may_run_a_reconciliation(client, as_role, cycle, role, allowed):
    response = upload(client, as_role(role), csv_bytes(clean(cycle)), cycle=cycle.ref)
    if allowed:
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["counts"]["matched"] == 4
        assert recorded()[0] == 1
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        assert recorded() == (0, 0)


@pytest.mark.parametrize("role,allowed", [
    (Role.OFFICER, True), (Role.APPROVER, True), (Role.AUDITOR, True), (Role.PARTNER, False)])
def test_who_may_read_a_reconciliation(client, as_role, cycle, role, allowed):
    run_id = upload(client, as_role(Role.OFFICER), csv_bytes(clean(cycle)),
                    cycle=cycle.ref).get_json()["run_id"]
    for path in (f"/api/v1/reconciliations/{run_id}",
                 f"/api/v1/reconciliations/{run_id}/findings"):
        response = client.get(path, headers=as_role(role))
        assert response.status_code == (200 if allowed else 403), response.get_json()


def test_without_a_key_nothing_is_run(client, cycle):
    response = upload(client, {}, csv_bytes(clean(cycle)))
    assert response.status_code == 401
    assert recorded() == (0, 0)
