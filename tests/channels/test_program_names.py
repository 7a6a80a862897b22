"""The database port names programs from their rows, in every language the menus speak."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask

from gateway.db import get_db
from gateway.payroll import cycles, programs
from gateway.payroll.models import Program
from gateway.pii.codec import get_pii
from tests.channels.test_port import port
from tests.channels.test_ussd import AN
from tests.support.scenario import add_people, due_cycle
from ussd_menus import ProgramName

MONTHLY = ProgramName("Trợ cấp xã hội hằng tháng", "Monthly social assistance")


def test_a_paid_cycle_names_its_program_from_the_row(app: Flask) -> None:
    due_cycle(app, names=["an"])
    ref = port(app).people_for_phone(AN)[0].ref
    entitlement = port(app).entitlement(ref)
    assert entitlement is not None and entitlement.program == MONTHLY
    with get_db(app).session() as s:
        s.execute(sa.update(Program).where(Program.code == "TGXH_THANG")
                  .values(name_vi="Trợ giúp xã hội hằng tháng", name_en="Monthly assistance"))
    renamed = port(app).entitlement(ref)
    assert renamed is not None
    assert renamed.program == ProgramName("Trợ giúp xã hội hằng tháng", "Monthly assistance")


def test_before_any_cycle_the_monthly_program_is_named(app: Flask) -> None:
    refs = add_people(app, ["binh"])
    entitlement = port(app).entitlement(refs["binh"])
    assert entitlement is not None
    assert (entitlement.program, entitlement.monthly_amount) == (MONTHLY, 1_500_000)
    with get_db(app).session() as s:  # no monthly program left to name: nothing to show
        s.execute(sa.update(Program).values(active=False))
    assert port(app).entitlement(refs["binh"]) is None


def test_a_one_off_program_is_named_as_it_was_created(app: Flask) -> None:
    refs = add_people(app, ["an"])
    with get_db(app).session() as s:
        programs.create_program(s, code="LU_2027", name_vi="Hỗ trợ khắc phục lũ",
                                name_en="Flood relief", amount=2_000_000, actor="cli:minh")
    with get_db(app).session() as s:
        cycles.create_cycle(s, get_pii(app), program_code="LU_2027", period=date(2027, 1, 1),
                            actor="cli:lan", province_code="46",
                            beneficiary_refs=[refs["an"]])
    entitlement = port(app).entitlement(refs["an"])
    assert entitlement is not None
    assert entitlement.program == ProgramName("Hỗ trợ khắc phục lũ", "Flood relief")
    assert entitlement.monthly_amount == 2_000_000


def test_the_accented_screen_shows_the_record_text(app: Flask, dial) -> None:
    due_cycle(app, names=["an"])
    port(app).set_language(AN, "vi_accented")
    call = dial(AN)
    call.dial()
    # "hằng", as the program's row and the decree write it (the catalog once said "hàng").
    assert call.send("1").startswith("CON Trợ cấp xã hội hằng tháng\n")
