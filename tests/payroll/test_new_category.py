"""A category a new decree adds is one registration: the roster and the rules follow it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.db import get_db
from gateway.payroll import cycles, programs
from gateway.payroll.models import Payment
from gateway.pii.codec import get_pii
from gateway.registry.categories import (
    CATEGORIES,
    Category,
    per_child,
    register_category,
    unregister_category,
)
from gateway.registry.models import Enrolment
from gateway.rosters.importer import ImportSettings, import_roster
from gateway.rosters.source import memory_source
from gateway.rosters.validation import RowValidator
from tests.support.scenario import HEADER, PEOPLE

# A made-up category paid per child raised, as single parents are (Số con required).
FOSTER = Category("NUOI_DUONG", "Người nhận nuôi dưỡng trẻ em", "Foster carer of children",
                  per_child=True)
ROW = ["Trần Thị Bình", "15/08/1985", "Nữ", "046185654321", "0987654321", "19777",
       "NUOI_DUONG", "2", "07/2024", "", "", "H2"]
# The roster's columns (tests.payroll.conftest.HEADER) by the validator's field names.
FIELDS = ["full_name", "date_of_birth", "sex", "citizen_id", "phone", "commune_code",
          "category", "children", "start_month", "status", "end_month", "household_code"]


@pytest.fixture
def foster() -> Iterator[Category]:
    """Register the made-up category for one test."""
    register_category(FOSTER)
    yield FOSTER
    unregister_category(FOSTER.code)


def validate(row: list[str]):  # type: ignore[no-untyped-def]
    validator = RowValidator(providers=["sandbox"], province_code="46", today=date(2026, 11, 27))
    return validator.validate(dict(zip(FIELDS, row, strict=True)))



def test_the_validator_requires_children_for_a_registered_per_child_category(foster):
    assert CATEGORIES["NUOI_DUONG"] is foster and per_child("NUOI_DUONG")
    row = validate(ROW)
    assert (row.categories, row.children) == (("NUOI_DUONG",), 2)
    [problem] = validate([*ROW[:7], "", *ROW[8:]])
    assert (problem.field, problem.code) == ("children", "children.required")
    assert problem.en == "Category NUOI_DUONG needs the number of children raised (at least 1)."
    # A row of another category with children now names both per-child categories.
    [problem] = validate([*ROW[:6], "NCT_80", "2", *ROW[8:]])
    assert problem.code == "children.not_applicable"
    assert problem.en == ("Number of children applies only to category DON_THAN or NUOI_DUONG; "
                          "clear the cell or add DON_THAN or NUOI_DUONG.")


def test_an_unregistered_category_is_unknown_again():
    assert "NUOI_DUONG" not in CATEGORIES and not per_child("NUOI_DUONG")
    [problem] = validate(ROW)
    assert problem.code == "category.unknown"


def test_registering_a_different_category_under_a_known_code_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        register_category(Category("DON_THAN", "x", "y"))
    register_category(CATEGORIES["DON_THAN"])  # the same again changes nothing


def test_a_registered_per_child_category_is_priced_per_child(app: Flask, foster) -> None:
    db, codec = get_db(app), get_pii(app)
    with db.sessionmaker() as s:
        report = import_roster(
            s, codec, memory_source("people", HEADER, [ROW, PEOPLE["an"]]),
            ImportSettings(providers=["sandbox"], province_code="46", today=date(2026, 11, 27)))
        assert report.rejected == 0, report.issues
    with db.sessionmaker() as s:
        stored = dict(s.execute(sa.select(Enrolment.category, Enrolment.children)).all())
    assert stored == {"NUOI_DUONG": 2, "NCT_80": None}

    with db.session() as s:
        rule = programs.set_coefficient(s, category="nuoi_duong", effective_from=date(2024, 1, 1),
                                        coefficient="1.5", actor="cli:minh").rule
        assert rule.per_child is True  # from the category, not typed again
    with db.session() as s:
        cycle = cycles.create_cycle(s, codec, program_code="TGXH_THANG",
                                    period=date(2026, 12, 1), actor="cli:lan",
                                    province_code="46").cycle
        paid = dict(s.execute(sa.select(Payment.basis, Payment.amount)
                              .where(Payment.cycle_id == cycle.id)).all())
    assert paid == {"500000x3.0 NUOI_DUONG (1.5 per child x 2)": 1_500_000,
                    "500000x1.0 NCT_80": 500_000}
