"""Reconciling a statement with a released cycle: what is flagged, and that nothing is settled."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.errors import NotFound
from gateway.reconciliation import (
    ReconciliationReport,
    StatementRefused,
    get_run,
    list_findings,
    open_statement,
    reconcile,
)
from gateway.reconciliation.models import ReconciliationFinding, ReconciliationRun
from gateway.refs import as_uuid
from tests.reconciliation.conftest import PaidCycle, money_snapshot, write_csv

HEADER = "reference,transaction_reference,amount,status"


def line(p, status: str = "completed", amount: int | None = None, ref: str | None = None,
         provider_ref: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """Return a statement line for payment ``p``."""
    return (f"{p.ref if ref is None else ref},{provider_ref or p.provider_ref or ''},"
            f"{p.amount if amount is None else amount},{status}")


def clean(cycle: PaidCycle) -> list[str]:
    """Return the statement the provider should send for the fixture cycle."""
    return [HEADER, line(cycle["an"]), line(cycle["binh"]), line(cycle["cuong"], "failed"),
            line(cycle["dung"], "pending")]


def run(app: Flask, path: Path, provider: str = "sandbox",
        cycle_ref: str | None = None) -> ReconciliationReport:
    """Reconcile the statement at ``path`` in its own committed transaction."""
    with get_db(app).session() as s:
        return reconcile(s, open_statement(str(path)), provider=provider, actor="cli:kiem",
                         cycle_ref=cycle_ref)


def by_category(report: ReconciliationReport) -> dict[str, list[tuple[str | None, int | None]]]:
    """Group the findings' (note, payment id) by category."""
    grouped: dict[str, list[tuple[str | None, int | None]]] = {}
    for f in report.findings:
        grouped.setdefault(f.category, []).append((f.note, f.payment_id))
    return grouped


def test_a_statement_that_agrees_with_every_payment_is_all_matched(app, cycle, tmp_path):
    report = run(app, write_csv(tmp_path, clean(cycle)), cycle_ref=cycle.ref)
    assert report.counts["matched"] == 4
    assert report.discrepancies == 0 and report.findings == []
    # Not sent yet (ready): neither expected on the statement nor missing from it.
    assert cycle["hai"].state == "ready"
    with get_db(app).sessionmaker() as s:
        assert get_run(s, report.run_id).counts() == report.counts
        assert list_findings(s, report.run_id) == []


def test_one_extra_and_one_missing_are_both_flagged_and_neither_is_settled(
        app, cycle, tmp_path):
    before = money_snapshot(app)
    stranger = "0190aaaabbbbcccc8ddddeeeeffff0000"
    lines = [HEADER, line(cycle["an"]), line(cycle["cuong"], "failed"),
             line(cycle["dung"], "pending"), f"{stranger},VT-9999,300000,completed"]
    report = run(app, write_csv(tmp_path, lines), cycle_ref=cycle.ref)
    assert report.counts == {"matched": 3, "missing": 1, "extra": 1, "amount_mismatch": 0,
                             "status_mismatch": 0, "duplicate": 0, "invalid_row": 0}
    assert by_category(report) == {"missing": [("paid", cycle["binh"].id)],
                                   "extra": [("unknown_reference", None)]}
    [extra] = [f for f in report.findings if f.category == "extra"]
    assert (extra.reference, extra.provider_ref, extra.their_amount, extra.statement_row) == (
        stranger, "VT-9999", 300_000, 5)
    # Nothing auto-settled: the same states, balances and postings as before.
    assert money_snapshot(app) == before
    with get_db(app).sessionmaker() as s:
        stored = s.scalars(sa.select(ReconciliationFinding).order_by(
            ReconciliationFinding.id)).all()
        assert [(f.category, f.payment_id) for f in stored] == [
            ("extra", None), ("missing", cycle["binh"].id)]


def test_a_missing_payment_still_in_flight_is_flagged_as_such(app, cycle, tmp_path):
    lines = [HEADER, line(cycle["an"]), line(cycle["binh"]), line(cycle["cuong"], "failed")]
    report = run(app, write_csv(tmp_path, lines), cycle_ref=cycle.ref)
    assert by_category(report) == {"missing": [("in_flight", cycle["dung"].id)]}


def test_an_amount_that_differs_is_flagged(app, cycle, tmp_path):
    lines = clean(cycle)
    lines[1] = line(cycle["an"], amount=cycle["an"].amount + 100_000)
    lines[3] = line(cycle["cuong"], "failed", amount=1)
    report = run(app, write_csv(tmp_path, lines), cycle_ref=cycle.ref)
    assert by_category(report) == {"amount_mismatch": [
        ("they_paid_more", cycle["an"].id), ("amount_differs", cycle["cuong"].id)]}
    [an] = [f for f in report.findings if f.payment_id == cycle["an"].id]
    assert (an.our_amount, an.their_amount) == (500_000, 600_000)


def test_status_mismatches_both_ways_are_flagged_and_states_are_left_alone(
        app, cycle, tmp_path):
    before = money_snapshot(app)
    lines = [HEADER, line(cycle["an"], "failed"), line(cycle["binh"]),
             line(cycle["cuong"], "completed"), line(cycle["dung"], "completed"),
             line(cycle["hai"], "completed")]
    report = run(app, write_csv(tmp_path, lines), cycle_ref=cycle.ref)
    assert by_category(report) == {"status_mismatch": [
        ("not_paid", cycle["an"].id),  # we say succeeded, they say failed
        ("money_out", cycle["cuong"].id),  # we say failed, they paid: the dangerous one
        ("unsettled", cycle["dung"].id),  # still in flight here: a status query settles it
        ("money_out", cycle["hai"].id),  # never sent by us, yet paid
    ]}
    worst = report.to_dict()["findings"][0]
    assert (worst["note"], worst["our_state"], worst["their_status"]) == (
        "money_out", "failed", "succeeded")
    assert money_snapshot(app) == before


def test_a_reference_printed_twice_is_a_duplicate_and_paid_twice_is_named(app, cycle, tmp_path):
    lines = clean(cycle) + [line(cycle["an"]), line(cycle["cuong"], "failed")]
    report = run(app, write_csv(tmp_path, lines), cycle_ref=cycle.ref)
    assert report.counts["matched"] == 4
    assert by_category(report) == {"duplicate": [("paid_twice", cycle["an"].id),
                                                 ("repeated", cycle["cuong"].id)]}


def test_references_with_dashes_and_capitals_or_only_the_provider_ref_still_match(
        app, cycle, tmp_path):
    lines = [HEADER, line(cycle["an"], ref=as_uuid(cycle["an"].ref).upper()),
             line(cycle["binh"], ref=""),  # only the provider's reference
             line(cycle["cuong"], "failed", ref="{" + as_uuid(cycle["cuong"].ref) + "}"),
             line(cycle["dung"], "pending", ref=cycle["dung"].ref.upper())]
    report = run(app, write_csv(tmp_path, lines), cycle_ref=cycle.ref)
    assert report.counts["matched"] == 4 and report.discrepancies == 0


def test_a_payment_of_another_provider_is_extra_and_nothing_is_missing(app, cycle, tmp_path):
    report = run(app, write_csv(tmp_path, clean(cycle)), provider="viettelmoney")
    assert report.counts["extra"] == 4 and report.counts["missing"] == 0
    assert {f.note for f in report.findings} == {"other_provider"}
    assert {f.payment_id for f in report.findings} == {
        cycle[n].id for n in ("an", "binh", "cuong", "dung")}


def test_without_a_cycle_only_payments_in_the_statement_window_are_expected(
        app, cycle, tmp_path):
    stamped = "reference,transaction_reference,amount,status,timestamp"
    old = [stamped, line(cycle["an"]) + ",01/01/2020 08:00:00"]
    report = run(app, write_csv(tmp_path, old))
    # binh succeeded (and dung is in flight) long after this window: not missing from it.
    assert report.counts["matched"] == 1 and report.discrepancies == 0
    now = [stamped, line(cycle["an"]) + ",01/01/2020 08:00:00",
           line(cycle["cuong"], "failed") + ",2100-01-01T00:00:00+07:00"]
    report = run(app, write_csv(tmp_path, now))
    assert by_category(report) == {"missing": [("paid", cycle["binh"].id),
                                               ("in_flight", cycle["dung"].id)]}
    assert report.window is not None and report.window[0].year == 2020


def test_a_statement_for_another_cycle_names_the_rows_of_other_cycles(app, cycle, tmp_path):
    from tests.payroll.test_cycles import create

    other, _ = create(app, period=date(2027, 1, 1))
    report = run(app, write_csv(tmp_path, clean(cycle)), cycle_ref=other)
    assert report.counts["extra"] == 4
    assert {f.note for f in report.findings} == {"other_cycle"}


def test_bad_rows_are_reported_and_the_rest_is_reconciled(app, cycle, tmp_path):
    lines = clean(cycle) + [f"{cycle['hai'].ref},,750000.50,completed",
                            f"{cycle['hai'].ref},,750000,lost"]
    report = run(app, write_csv(tmp_path, lines), cycle_ref=cycle.ref)
    assert report.counts["matched"] == 4 and report.counts["invalid_row"] == 2
    invalid = [(f.statement_row, f.note) for f in report.findings]
    assert invalid == [(6, "amount_fraction"), (7, "status_unknown")]
    assert "fraction of a đồng" in report.findings[0].detail
    assert "phần lẻ" in report.findings[0].detail


@pytest.mark.parametrize("content", [
    b"", b"reference,amount\nx,1\n", "reference,amount,status\nx,1,Thành công\n".encode("cp1258"),
])
def test_an_unusable_statement_records_nothing(app, cycle, tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(StatementRefused):
        run(app, path, cycle_ref=cycle.ref)
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ReconciliationRun)) == 0
        assert s.scalar(sa.select(sa.func.count()).select_from(ReconciliationFinding)) == 0


def test_an_unknown_cycle_is_refused(app, cycle, tmp_path):
    with pytest.raises(NotFound):
        run(app, write_csv(tmp_path, clean(cycle)), cycle_ref="nope")


def test_each_run_is_in_the_audit_chain_with_counts_only(app, cycle, tmp_path):
    report = run(app, write_csv(tmp_path, clean(cycle)), cycle_ref=cycle.ref)
    with get_db(app).sessionmaker() as s:
        event = s.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "reconciliation.run")).one()
    assert event.subject_id == str(report.run_id) and event.actor == "cli:kiem"
    assert '"matched":4' in event.detail_json and cycle["an"].ref not in event.detail_json


@pytest.mark.slow
def test_a_province_sized_statement_of_unknown_rows_is_all_reported(app, cycle, tmp_path):
    rows = [HEADER] + [f"{i:032x},T{i},500000,completed" for i in range(1, 58_849)]
    report = run(app, write_csv(tmp_path, rows), cycle_ref=cycle.ref)
    assert report.counts["extra"] == 58_848 and report.counts["missing"] == 3
