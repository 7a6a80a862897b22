"""``gateway reconcile`` as an operator uses it: a table, JSON, and exit codes for scripts."""

from __future__ import annotations

import json

import sqlalchemy as sa

from gateway.db import get_db
from gateway.reconciliation.models import ReconciliationRun
from tests.reconciliation.statements import write_csv
from tests.reconciliation.test_reconcile import HEADER, clean, line
from tests.support.scenario import money_snapshot


def test_a_clean_statement_exits_0_with_a_table_of_counts(app, runner, cycle, tmp_path):
    path = write_csv(tmp_path, clean(cycle))
    result = runner.invoke("reconcile", "--provider", "sandbox", "--cycle", cycle.ref, str(path),
                           "--actor", "cli:kiem")
    assert result.exit_code == 0, result.output
    assert "matched                 4" in result.output and "all matched" in result.output


def test_discrepancies_exit_3_and_print_the_worst_first(app, runner, cycle, tmp_path):
    before = money_snapshot(app)
    lines = [HEADER, line(cycle["an"]), line(cycle["cuong"], "completed"),
             line(cycle["dung"], "pending"), "0190aaaabbbbcccc8ddddeeeeffff0000,X,1,completed"]
    result = runner.invoke("reconcile", "--provider", "sandbox", str(write_csv(tmp_path, lines)))
    assert result.exit_code == 3, result.output
    findings = result.output.split("first findings")[1].splitlines()
    assert "money_out" in findings[1] and "ours failed 1.000.000 đ" in findings[1]
    assert "no payment or ledger entry was changed" in result.output
    assert money_snapshot(app) == before


def test_json_gives_every_finding(app, runner, cycle, tmp_path):
    lines = [HEADER] + [line(cycle["an"], "failed")] * 3
    result = runner.invoke("reconcile", "--provider", "SANDBOX", "--cycle", cycle.ref,
                           str(write_csv(tmp_path, lines)), "--json", "--show", "1")
    assert result.exit_code == 3, result.output
    data = json.loads(result.output)
    assert data["counts"]["duplicate"] == 2 and data["counts"]["missing"] == 2
    assert len(data["findings"]) == data["discrepancies"] == 5
    assert data["provider"] == "sandbox" and data["cycle"] == cycle.ref


def test_a_refused_statement_exits_2_in_both_languages_and_records_nothing(
        app, runner, cycle, tmp_path):
    path = write_csv(tmp_path, ["Mã tham chiếu,Ghi chú", "x,y"])
    result = runner.invoke("reconcile", "--provider", "sandbox", str(path))
    assert result.exit_code == 2
    assert "lacks the column(s)" in result.output and "thiếu cột" in result.output
    as_json = runner.invoke("reconcile", "--provider", "sandbox", str(path), "--json")
    assert as_json.exit_code == 2 and json.loads(as_json.output)["missing"] == [
        "amount", "status"]
    gone = runner.invoke("reconcile", "--provider", "sandbox", str(tmp_path / "nope.csv"))
    assert gone.exit_code == 2 and "Cannot open" in gone.output
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(ReconciliationRun)) == 0


def test_an_unknown_provider_or_cycle_is_a_clear_error(app, runner, cycle, tmp_path):
    path = str(write_csv(tmp_path, clean(cycle)))
    provider = runner.invoke("reconcile", "--provider", "momo", path)
    assert provider.exit_code == 1 and "unknown provider 'momo'" in provider.output
    missing = runner.invoke("reconcile", "--provider", "sandbox", "--cycle", "nope", path)
    assert missing.exit_code == 1 and "no cycle" in missing.output
    for result in (provider, missing):
        assert "Traceback" not in result.output
