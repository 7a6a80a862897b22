"""A decree changes the rules: new rows from a month, by command, audited; priced months stay."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.errors import InvalidRequest
from gateway.payroll import programs
from gateway.payroll.models import CategoryRule, Cycle, Payment, StandardLevel
from gateway.registry.models import Beneficiary


def run_json(runner, *args):  # type: ignore[no-untyped-def]
    result = runner.invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def amounts(app: Flask, cycle_ref: str, people: dict[str, str]) -> dict[str, int]:
    """Return each person's amount in a cycle, by their fixture name."""
    names = {ref: name for name, ref in people.items()}
    with get_db(app).sessionmaker() as s:
        rows = s.execute(sa.select(Beneficiary.ref, Payment.amount)
                         .join(Payment, Payment.beneficiary_id == Beneficiary.id)
                         .join(Cycle, Cycle.id == Payment.cycle_id)
                         .where(Cycle.ref == cycle_ref)).all()
    return {names[ref]: amount for ref, amount in rows}


def events(app: Flask, action: str) -> list[AuditEvent]:
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.seq)))


def cycle(runner, period: str) -> str:  # type: ignore[no-untyped-def]
    return run_json(runner, "cycle", "create", "--program", "TGXH_THANG", "--period", period,
                    "--actor", "cli:lan")["ref"]


# At 500,000: An NCT_80 1.0, Bình DON_THAN 3 children x 1.0, Cường the higher of NCT_80 and
# KT_NANG_TE_NCT (2.0), Dung KT_DBN_TE_NCT 2.5, Hải TE_MC_DUOI4 (1.5 from age 4).
AT_500 = {"an": 500_000, "binh": 1_500_000, "cuong": 1_000_000, "dung": 1_250_000,
          "hai": 750_000}
AT_600 = {"an": 600_000, "binh": 1_800_000, "cuong": 1_200_000, "dung": 1_500_000,
          "hai": 900_000}


def test_a_new_standard_level_by_command_prices_the_next_cycle_not_the_last(
        app, runner, people):
    changed = run_json(runner, "program", "set-level", "--national", "--from", "2027-01",
                       "--amount", "600000", "--note", "Decree 99/2026", "--actor", "cli:minh")
    assert changed == {"effective_from": "2027-01", "amount": 600_000, "province_code": None,
                       "note": "Decree 99/2026", "changed": True}
    assert amounts(app, cycle(runner, "2026-12"), people) == AT_500
    assert amounts(app, cycle(runner, "2027-01"), people) == AT_600

    [event] = events(app, "level.set")
    assert (event.actor, event.subject_type, event.subject_id) == (
        "cli:minh", "standard_level", "national:2027-01")
    assert event.before_digest is None and event.after_digest
    detail = json.loads(event.detail_json)
    assert detail["amount"] == 600_000 and detail["previous"] == 500_000
    verified = runner.invoke("audit", "verify")
    assert verified.exit_code == 0, verified.output


def test_a_new_coefficient_by_command_changes_one_category_from_its_month(app, runner, people):
    run_json(runner, "program", "set-level", "--national", "--from", "2027-01",
             "--amount", "600000", "--actor", "cli:minh")
    changed = run_json(runner, "program", "set-coefficient", "--category", "KT_DBN_TE_NCT",
                       "--from", "2027-02", "--coefficient", "3.0", "--actor", "cli:minh")
    assert (changed["coefficient"], changed["per_child"], changed["changed"]) == ("3.0", False,
                                                                                   True)
    assert amounts(app, cycle(runner, "2027-01"), people) == AT_600
    february = cycle(runner, "2027-02")
    assert amounts(app, february, people) == {**AT_600, "dung": 1_800_000}
    with get_db(app).sessionmaker() as s:
        basis = s.scalar(sa.select(Payment.basis).join(Cycle).join(Beneficiary).where(
            Cycle.ref == february, Beneficiary.ref == people["dung"]))
    assert basis == "600000x3.0 KT_DBN_TE_NCT"

    [event] = events(app, "coefficient.set")
    assert (event.actor, event.subject_id) == ("cli:minh", "KT_DBN_TE_NCT:2027-02")
    assert json.loads(event.detail_json)["previous"] == "2.5"
    assert runner.invoke("audit", "verify").exit_code == 0


def test_a_per_child_coefficient_multiplies_by_the_children(app, runner, people):
    run_json(runner, "program", "set-coefficient", "--category", "don_than", "--from",
             "2027-01", "--coefficient", "1,5")
    assert amounts(app, cycle(runner, "2027-01"), people)["binh"] == 3 * 750_000


def test_a_month_already_priced_keeps_its_rules(app, runner, people):
    december = cycle(runner, "2026-12")
    for args in (["set-level", "--national", "--from", "2026-12", "--amount", "600000"],
                 # From June the new level would also price December, already priced.
                 ["set-level", "--national", "--from", "2026-06", "--amount", "550000"],
                 ["set-level", "--from", "2026-12", "--amount", "700000"],
                 ["set-coefficient", "--category", "NCT_80", "--from", "2026-01",
                  "--coefficient", "1.2"]):
        refused = runner.invoke("program", *args)
        assert refused.exit_code == 1, (args, refused.output)
        assert f"cycle {december} for 12/2026 was priced" in refused.output
        assert "không được sửa" in refused.output  # and in Vietnamese
        assert "Traceback" not in refused.output
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(StandardLevel)) == 3
        assert s.scalar(sa.select(CategoryRule.coefficient_x10).where(
            CategoryRule.category == "NCT_80")) == 10
    assert events(app, "level.set") == [] and events(app, "coefficient.set") == []
    # A rule from a month after it is a new row, whichever category it is for.
    run_json(runner, "program", "set-level", "--national", "--from", "2027-01",
             "--amount", "600000")
    run_json(runner, "program", "set-coefficient", "--category", "HIV", "--from", "2027-01",
             "--coefficient", "1.6")
    # Once the cycle is cancelled it prices nobody, and the month may be set again.
    runner.invoke("cycle", "cancel", december, "--actor", "cli:lan")
    run_json(runner, "program", "set-level", "--national", "--from", "2026-12",
             "--amount", "550000")
    assert amounts(app, cycle(runner, "2026-12"), people)["an"] == 550_000


def test_a_future_rule_may_be_corrected_until_a_cycle_uses_it(app, runner, people):
    run_json(runner, "program", "set-level", "--national", "--from", "2027-01", "--amount",
             "650000")
    corrected = run_json(runner, "program", "set-level", "--national", "--from", "2027-01",
                         "--amount", "600000")
    assert corrected["amount"] == 600_000
    again = run_json(runner, "program", "set-level", "--national", "--from", "2027-01",
                     "--amount", "600000")
    assert again["changed"] is False
    first, second = events(app, "level.set")  # the repeat changed nothing, so no event
    assert json.loads(second.detail_json)["corrected"] is True and second.before_digest
    assert amounts(app, cycle(runner, "2027-01"), people) == AT_600
    assert runner.invoke("program", "set-level", "--national", "--from", "2027-01",
                         "--amount", "700000").exit_code == 1


def test_a_province_level_can_raise_the_national_one_never_lower_it(app, runner, people):
    run_json(runner, "program", "set-level", "--from", "2027-01", "--amount", "700000")
    assert amounts(app, cycle(runner, "2027-01"), people)["an"] == 700_000
    [event] = events(app, "level.set")
    assert event.subject_id == "46:2027-01"
    lower = runner.invoke("program", "set-level", "--from", "2027-02", "--amount", "400000")
    assert lower.exit_code == 1 and "may only raise the national" in lower.output
    assert "500.000 VND" in lower.output and "chỉ được nâng" in lower.output


def test_an_age_change_is_kept_unless_replaced_or_dropped(app, runner):
    kept = run_json(runner, "program", "set-coefficient", "--category", "NCT_NGHEO",
                    "--from", "2027-01", "--coefficient", "1.6")
    assert (kept["age_from"], kept["age_coefficient"], kept["age_switch"]) == (
        80, "2.0", "next_month")
    new = run_json(runner, "program", "set-coefficient", "--category", "NCT_NGHEO",
                   "--from", "2027-02", "--coefficient", "1.6", "--age-from", "85",
                   "--age-coefficient", "2.2", "--age-switch", "birthday_month")
    assert (new["age_from"], new["age_coefficient"], new["age_switch"]) == (
        85, "2.2", "birthday_month")
    dropped = run_json(runner, "program", "set-coefficient", "--category", "NCT_NGHEO",
                       "--from", "2027-03", "--coefficient", "1.6", "--drop-age-change")
    assert (dropped["age_from"], dropped["age_coefficient"]) == (None, None)
    rules = run_json(runner, "program", "rules")
    assert [r["effective_from"] for r in rules["coefficients"]
            if r["category"] == "NCT_NGHEO"] == ["2000-01", "2027-01", "2027-02", "2027-03"]
    assert [r["amount"] for r in rules["levels"]] == [270_000, 360_000, 500_000]
    text = runner.invoke("program", "rules").output
    assert "DON_THAN" in text and "per child" in text and "from age 80" in text


@pytest.mark.parametrize(("args", "message"), [
    (["set-level", "--national", "--from", "2027-01", "--amount", "0"],
     "amount must be a whole number from 1 to 10,000,000"),
    (["set-level", "--national", "--from", "2027-01", "--amount", "50000000"],
     "Mức chuẩn phải là số nguyên từ 1 đến 10.000.000."),
    (["set-coefficient", "--category", "NOPE", "--from", "2027-01", "--coefficient", "1.0"],
     "unknown category 'NOPE'"),
    (["set-coefficient", "--category", "HIV", "--from", "2027-01", "--coefficient", "abc"],
     "coefficient 'abc' is not a coefficient from 0.1 to 10"),
    (["set-coefficient", "--category", "HIV", "--from", "2027-01", "--coefficient", "0"],
     "Hệ số '0' không hợp lệ"),
    (["set-coefficient", "--category", "HIV", "--from", "2027-01", "--coefficient", "1.25"],
     "with one decimal"),
    (["set-coefficient", "--category", "HIV", "--from", "2027-01", "--coefficient", "1.5",
      "--age-from", "80"], "give age_from and age_coefficient together"),
    (["create", "--code", "LU", "--name-vi", "Lũ", "--name-en", "Flood"],
     "give exactly one of amount or level_multiple"),
    (["create", "--code", "L!", "--name-vi", "Lũ", "--name-en", "Flood", "--amount", "1"],
     "a program code is 2-32 letters"),
    (["create", "--code", "TGXH_THANG", "--name-vi", "Lũ", "--name-en", "Flood", "--amount",
      "1"], "program TGXH_THANG already exists"),
    (["create", "--code", "LU", "--name-vi", "   ", "--name-en", "Flood", "--amount", "1"],
     "name_vi must be 1-200 characters"),
])
def test_bad_rules_and_programs_are_refused_in_both_languages(app, runner, args, message):
    refused = runner.invoke("program", *args)
    assert refused.exit_code == 1, refused.output
    assert message in refused.output
    english, vietnamese = refused.output.strip().removeprefix("Error: ").split("\n")
    assert english != vietnamese
    assert "Traceback" not in refused.output
    assert events(app, "level.set") == events(app, "coefficient.set") == []
    assert events(app, "program.create") == []


def test_a_one_off_program_by_command_is_audited_with_its_amount(app, runner):
    created = runner.invoke("program", "create", "--code", "lu_2027", "--name-vi",
                            " Hỗ trợ khắc phục lũ ", "--name-en", "Flood relief",
                            "--level-multiple", "2", "--actor", "cli:minh")
    assert created.output == "created program LU_2027\n"
    [listed] = [p for p in run_json(runner, "program", "list") if p["code"] == "LU_2027"]
    assert listed == {"code": "LU_2027", "kind": "one_off", "name_vi": "Hỗ trợ khắc phục lũ",
                      "name_en": "Flood relief", "fixed_amount": None, "level_multiple": 2,
                      "active": True}
    [event] = events(app, "program.create")
    assert (event.actor, event.subject_id) == ("cli:minh", "LU_2027")
    assert json.loads(event.detail_json) == {"amount": None, "level_multiple": 2}


def test_the_domain_refuses_what_no_door_would_send(app):
    with get_db(app).session() as s, pytest.raises(InvalidRequest, match="whole number"):
        programs.set_standard_level(s, effective_from=date(2027, 1, 1), amount=True,
                                    actor="cli:x")
    with get_db(app).session() as s, pytest.raises(InvalidRequest, match="1-200 characters"):
        programs.create_program(s, code="LU", name_vi="Lũ\x00", name_en="Flood", amount=1,
                                actor="cli:x")
    with get_db(app).session() as s, pytest.raises(InvalidRequest, match="age_switch"):
        programs.set_coefficient(s, category="HIV", effective_from=date(2027, 1, 1),
                                 coefficient="1.5", age_from=60, age_coefficient="2",
                                 age_switch="someday", actor="cli:x")
