"""The payroll commands as an officer uses them."""

import json


def run_json(runner, *args):
    result = runner.invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_month_from_creation_to_release_on_the_command_line(runner, people):
    created = run_json(runner, "cycle", "create", "--program", "TGXH_THANG",
                       "--period", "12/2026", "--actor", "cli:lan")
    assert created["changed"] and created["payments"] == 5
    assert created["skip_reasons"] == {"deceased": 1, "suspended": 1}
    ref = created["ref"]
    assert run_json(runner, "cycle", "submit", ref, "--actor", "cli:lan")["state"] == "submitted"
    refused = runner.invoke("cycle", "approve", ref, "--actor", "cli:lan")
    assert refused.exit_code == 1 and "different person" in refused.output
    assert "Traceback" not in refused.output
    run_json(runner, "cycle", "approve", ref, "--actor", "cli:minh")
    short = runner.invoke("cycle", "release", ref, "--actor", "cli:minh")
    assert short.exit_code == 1 and "needs 5,000,000 VND" in short.output
    run_json(runner, "budget", "allocate", "--program", "TGXH_THANG", "--period", "2026-12",
             "--amount", "6000000", "--reference", "QD-12/2026")
    released = run_json(runner, "cycle", "release", ref, "--actor", "cli:minh")
    assert released["state"] == "released" and released["by_state"]["ready"]["count"] == 5
    again = runner.invoke("cycle", "release", ref, "--actor", "cli:minh")
    assert again.exit_code == 0 and "nothing to do" in again.output
    shown = runner.invoke("cycle", "show", ref)
    assert "ready" in shown.output and "5.000.000 đ" in shown.output
    assert run_json(runner, "ledger", "check")["ok"] is True
    balances = run_json(runner, "ledger", "balances")
    assert balances["clearing:sandbox"] == 5_000_000
    assert balances["program:TGXH_THANG:2026-12"] == 1_000_000


def test_bad_input_gets_clear_errors(runner, people):
    bad_period = runner.invoke("cycle", "create", "--program", "TGXH_THANG", "--period", "13/2026")
    assert bad_period.exit_code == 2 and "not a month" in bad_period.output
    unknown = runner.invoke("cycle", "create", "--program", "NOPE", "--period", "2026-12")
    assert unknown.exit_code == 1 and "no program" in unknown.output
    commune = runner.invoke("cycle", "create", "--program", "TGXH_THANG", "--period", "2026-12",
                            "--communes", "00004")
    assert commune.exit_code == 1 and "outside province 46" in commune.output
    missing = runner.invoke("cycle", "show", "deadbeef")
    assert missing.exit_code == 1 and "no cycle" in missing.output
    for result in (bad_period, unknown, commune, missing):
        assert "Traceback" not in result.output


def test_one_off_emergency_program_pays_a_list(runner, people, tmp_path):
    runner.invoke("program", "create", "--code", "COVID_2021", "--name-vi", "Hỗ trợ Covid",
                  "--name-en", "Covid support", "--amount", "1000000")
    listing = tmp_path / "list.csv"
    listing.write_text("citizen_id\n046040123456\n046185654321\n", encoding="utf-8")
    created = run_json(runner, "cycle", "create", "--program", "COVID_2021", "--period",
                       "2026-12", "--list", str(listing))
    assert created["payments"] == 2 and created["total_amount"] == 2_000_000
