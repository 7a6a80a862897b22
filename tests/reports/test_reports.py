"""Cycle reports and settlements: figures per commune, checked against a driven cycle."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from gateway.db import get_db
from gateway.ledger import accounts
from gateway.ledger.check import check_ledger
from gateway.ledger.models import Posting
from gateway.ledger.postings import balance
from gateway.payroll import cycles
from gateway.reports.cycle import COLUMNS, cycle_report
from gateway.reports.settlement import settlement
from tests.support.driven import (
    EXPECTED_REPORT,
    EXPECTED_SETTLEMENT,
    EXPECTED_TOTALS,
    FUNDED,
    prepare,
)


def report_of(app, ref):
    with get_db(app).sessionmaker() as s:
        return cycle_report(s, cycles.get_cycle(s, ref))


def settlement_of(app, ref):
    with get_db(app).sessionmaker() as s:
        return settlement(s, cycles.get_cycle(s, ref))


def test_report_counts_each_commune_by_outcome_with_complaints_and_fees(app, driven):
    report = report_of(app, driven.ref)
    rows = {r["commune_code"]: {k: v for k, v in r.items() if k != "commune_code"}
            for r in report.rows}
    assert rows == EXPECTED_REPORT
    assert report.totals == {"commune_code": "", "commune_name": "Tổng cộng", **EXPECTED_TOTALS}
    assert report.cycle["ref"] == driven.ref and report.cycle["state"] == "released"
    assert report.cycle["program"] == "TGXH_THANG" and report.cycle["period"] == "2026-12"


def test_paid_pending_held_and_failed_add_up_to_what_is_due(app, driven):
    for row in [*report_of(app, driven.ref).rows]:
        parts = ("paid", "failed", "pending", "held")
        assert sum(row[f"{p}_count"] for p in parts) == row["beneficiaries"]
        assert sum(row[f"{p}_amount"] for p in parts) == row["due"]


def test_report_of_an_unreleased_cycle_shows_everything_pending(app, people):
    ref = prepare(app)
    report = report_of(app, ref)
    assert report.totals["pending_count"] == report.totals["beneficiaries"] == 5
    assert report.totals["paid_amount"] == 0 and report.totals["complaints_total"] == 0


def test_cancelled_payments_are_no_longer_due(app, people):
    ref = prepare(app)
    with get_db(app).session() as s:
        cycles.cancel_cycle(s, ref, "cli:maker")
    report = report_of(app, ref)
    assert report.rows == [] and report.totals["due"] == 0
    assert settlement_of(app, ref).totals["allocated"] == 0


def test_settlement_follows_the_money_per_commune(app, driven):
    result = settlement_of(app, driven.ref)
    rows = {r["commune_code"]: {k: v for k, v in r.items()
                                if k not in ("commune_code", "commune_name")}
            for r in result.rows}
    assert rows == EXPECTED_SETTLEMENT
    totals = result.totals
    assert (totals["allocated"], totals["released"], totals["paid"], totals["returned"],
            totals["outstanding"], totals["fees"]) == (
        5_000_000, 5_000_000, 2_000_000, 1_250_000, 1_750_000, 3_800)
    assert result.ties and totals["ties"]
    assert result.account == {"name": "program:TGXH_THANG:2026-12", "funded": FUNDED,
                              "balance": FUNDED - 5_000_000 + 1_250_000}


def test_settlement_ties_to_the_ledger(app, driven):
    result = settlement_of(app, driven.ref)
    with get_db(app).sessionmaker() as s:
        assert check_ledger(s) == []
        # The only cycle: its figures are the provider accounts' balances.
        assert result.totals["paid"] == balance(s, accounts.paid("sandbox"))
        assert result.totals["outstanding"] == balance(s, accounts.clearing("sandbox"))
        assert result.account["balance"] == balance(s, "program:TGXH_THANG:2026-12")
        net = s.scalar(sa.select(sa.func.sum(Posting.amount)).where(
            Posting.payment_id.in_(list(driven.payments.values()))))
        assert net == 0  # every leg of every payment is balanced


def test_settlement_notices_postings_that_do_not_match_the_states(app, driven):
    with get_db(app).session() as s:
        # A payment marked succeeded behind the ledger's back (no settlement postings).
        s.execute(sa.text("UPDATE payment SET state = 'succeeded' WHERE id = :id"),
                  {"id": driven.payments["cuong"]})
    result = settlement_of(app, driven.ref)
    assert not result.ties
    assert {r["commune_code"]: r["ties"] for r in result.rows} == {
        "19753": True, "19777": True, "20182": False}
    with get_db(app).session() as s:  # put it back, so the ledger check after the test passes
        s.execute(sa.text("UPDATE payment SET state = 'ready' WHERE id = :id"),
                  {"id": driven.payments["cuong"]})


# --- the command ----------------------------------------------------------------------

def test_report_command_prints_a_table_with_totals(runner, driven):
    result = runner.invoke("report", "cycle", driven.ref)
    assert result.exit_code == 0, result.output
    assert "Phường Phú Xuân" in result.output and "Xã Long Quảng" in result.output
    assert "5.000.000" in result.output and "Tổng cộng" in result.output
    assert driven.ref in result.output


def test_report_command_json_is_the_report(runner, driven):
    result = runner.invoke("report", "cycle", driven.ref, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"]["paid_amount"] == 2_000_000
    assert [r["commune_code"] for r in data["communes"]] == ["19753", "19777", "20182"]


def test_report_command_writes_a_csv_with_vietnamese_headers(runner, driven, tmp_path):
    path = tmp_path / "r.csv"
    result = runner.invoke("report", "cycle", driven.ref, "--format", "csv", "--output",
                           str(path))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == [vi for _, vi, _ in COLUMNS]
    assert rows[0][:4] == ["Mã xã", "Tên xã, phường", "Số đối tượng",
                           "Số tiền phải chi (đồng)"]
    assert rows[1][:4] == ["19753", "Phường Phú Xuân", "3", "2500000"]
    assert rows[-1][1] == "Tổng cộng" and rows[-1][3] == "5000000"


def test_report_command_writes_a_readable_xlsx(runner, driven, tmp_path):
    path = tmp_path / "r.xlsx"
    result = runner.invoke("report", "cycle", driven.ref, "--format", "xlsx", "--output",
                           str(path))
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path, read_only=True).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header = values.index([vi for _, vi, _ in COLUMNS])
    assert values[header + 1][:4] == ["19753", "Phường Phú Xuân", 3, 2_500_000]
    assert values[-1][1] == "Tổng cộng" and values[-1][3] == 5_000_000
    assert "BÁO CÁO" in values[0][0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_settlement_command_writes_files(runner, driven, tmp_path, fmt):
    path = tmp_path / f"s.{fmt}"
    result = runner.invoke("report", "cycle", driven.ref, "--settlement", "--format", fmt,
                           "--output", str(path))
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    else:
        ws = openpyxl.load_workbook(path, read_only=True).active
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        rows = rows[next(i for i, r in enumerate(rows) if r[0] == "Mã xã"):]
    assert rows[0][2:] == ["Kinh phí phân bổ (đồng)", "Đã chuyển đơn vị chi trả (đồng)",
                           "Đã chi trả (đồng)", "Hoàn trả nguồn (đồng)",
                           "Chưa quyết toán (đồng)", "Phí chi trả (đồng)"]
    assert [str(v) for v in rows[-1][2:]] == ["5000000", "5000000", "2000000", "1250000",
                                              "1750000", "3800"]


def test_settlement_command_prints_json_and_table(runner, driven):
    data = json.loads(runner.invoke("report", "cycle", driven.ref, "--settlement",
                                    "--json").output)
    assert data["ties"] is True and data["totals"]["returned"] == 1_250_000
    table = runner.invoke("report", "cycle", driven.ref, "--settlement").output
    assert "QUYẾT TOÁN" in table and "1.750.000" in table


def test_report_of_an_unknown_cycle_is_a_clear_error(runner, app):
    result = runner.invoke("report", "cycle", "nope")
    assert result.exit_code == 1 and "no cycle 'nope'" in result.output


def test_report_without_output_writes_next_to_where_it_runs(runner, driven, tmp_path,
                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke("report", "cycle", driven.ref, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"report-{driven.ref}.csv").exists()
