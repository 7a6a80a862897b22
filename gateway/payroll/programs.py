"""Benefit programs and the rules that price them, changed by command or API, never by migration.

The rule book (standard levels and category coefficients, :mod:`gateway.payroll.rules`) is
rows. A decree's change is a new row effective from a month; a row may be corrected until a
cycle is priced by it, and never after (:class:`RuleInUse`), so every payment's amount is
explained by rows that still say what they said then. Each change takes the payroll lock
first, as cycle creation does, so no cycle is priced halfway through a change; it asks for the
approver's second factor as approving a cycle does, and it is audited.

The rules are those of monthly social assistance (Decree 20/2021/NĐ-CP and its amendments):
one rule book prices every monthly program, and the standard level also prices one-off
programs paid as a multiple of it (mai táng: 20x).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway import locks
from gateway.approvers.totp import SecondFactor, check_second_factor
from gateway.audit.chain import record
from gateway.errors import DomainError, InvalidRequest
from gateway.payroll.models import (
    CategoryRule,
    Cycle,
    CycleState,
    Program,
    ProgramKind,
    StandardLevel,
)
from gateway.payroll.rules import fmt_coef
from gateway.registry.categories import CATEGORIES
from gateway.vn.money import digits, vnd

# Twenty times today's level (and coefficient 10): more is taken for a typo (a zero too many).
MAX_LEVEL = 10_000_000
MAX_COEFFICIENT_X10 = 100
MAX_FIXED_AMOUNT = 100_000_000
MAX_LEVEL_MULTIPLE = 100
MAX_AGE = 120
AGE_SWITCHES = ("next_month", "birthday_month")
NAME_MAX = 200
NOTE_MAX = 200

_CODE = re.compile(r"[A-Z0-9_]{2,32}")
_COEFFICIENT = re.compile(r"(\d{1,2})(?:[.,](\d))?")


class ProgramExists(DomainError):
    """A program with this code exists already."""

    code = "program_exists"


class RuleInUse(DomainError):
    """A cycle was priced by the rules this change would alter; they stay as they were."""

    code = "rule_in_use"


@dataclass(frozen=True, slots=True)
class RuleChange:
    """What a rule change did: ``changed`` is False when that rule was already in force."""

    rule: StandardLevel | CategoryRule
    changed: bool


# --- programs ---------------------------------------------------------------------------

def list_programs(session: Session) -> list[Program]:
    """Return every program, by code."""
    return list(session.scalars(sa.select(Program).order_by(Program.code)))


def describe_program(program: Program) -> dict[str, Any]:
    """Return a program as the CLI prints it and the API answers it."""
    return {"code": program.code, "kind": program.kind, "name_vi": program.name_vi,
            "name_en": program.name_en, "fixed_amount": program.fixed_amount,
            "level_multiple": program.level_multiple, "active": program.active}


def create_program(session: Session, *, code: str, name_vi: str, name_en: str, actor: str,
                   amount: int | None = None, level_multiple: int | None = None,
                   second_factor: SecondFactor | None = None) -> Program:
    """Create a one-off program (an emergency package, say) paying a fixed amount to a list.

    Give exactly one of ``amount`` (đồng per person) and ``level_multiple`` (times the
    standard level in force in the cycle's month).

    Raises:
        InvalidRequest: a malformed code or name, or not exactly one of the two amounts.
        ProgramExists: the code is taken.
        TotpRefused: the approver's second factor was refused (see gateway.approvers.totp).
    """
    locks.acquire(session, locks.PAYROLL)
    code = code.strip().upper()
    if not _CODE.fullmatch(code):
        raise InvalidRequest("a program code is 2-32 letters, digits or _",
                             "Mã chương trình gồm 2-32 chữ cái, chữ số hoặc dấu _.")
    names = (_text(name_vi, "name_vi", "tên tiếng Việt", NAME_MAX),
             _text(name_en, "name_en", "tên tiếng Anh", NAME_MAX))
    if (amount is None) == (level_multiple is None):
        raise InvalidRequest("give exactly one of amount or level_multiple",
                             "Cần đúng một trong hai: số tiền (amount) hoặc số lần mức chuẩn "
                             "(level_multiple).")
    if amount is not None:
        _within(amount, 1, MAX_FIXED_AMOUNT, "amount", "số tiền")
    if level_multiple is not None:
        _within(level_multiple, 1, MAX_LEVEL_MULTIPLE, "level_multiple", "số lần mức chuẩn")
    if session.scalar(sa.select(Program.id).where(Program.code == code)) is not None:
        raise ProgramExists(f"program {code} already exists",
                            f"Chương trình {code} đã có.")
    check_second_factor(session, actor, second_factor)
    program = Program(code=code, name_vi=names[0], name_en=names[1],
                      kind=ProgramKind.ONE_OFF.value, fixed_amount=amount,
                      level_multiple=level_multiple)
    session.add(program)
    session.flush()
    record(session, actor=actor, action="program.create", subject_type="program",
           subject_id=code, after=describe_program(program),
           detail={"amount": amount, "level_multiple": level_multiple})
    return program


# --- the rule book ----------------------------------------------------------------------

def describe_level(row: StandardLevel) -> dict[str, Any]:
    """Return a standard level as the CLI prints it and the API answers it."""
    return {"effective_from": f"{row.effective_from:%Y-%m}", "amount": row.amount,
            "province_code": row.province_code, "note": row.note}


def describe_coefficient(row: CategoryRule) -> dict[str, Any]:
    """Return a category's coefficient rule as the CLI prints it and the API answers it."""
    return {"category": row.category, "effective_from": f"{row.effective_from:%Y-%m}",
            "coefficient": fmt_coef(row.coefficient_x10), "per_child": row.per_child,
            "age_from": row.age_from,
            "age_coefficient": (None if row.age_coefficient_x10 is None
                                else fmt_coef(row.age_coefficient_x10)),
            "age_switch": row.age_switch if row.age_from is not None else None}


def list_rules(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Return every standard level and coefficient rule, oldest first."""
    levels = session.scalars(sa.select(StandardLevel).order_by(
        StandardLevel.effective_from, StandardLevel.province_code))
    coefficients = session.scalars(sa.select(CategoryRule).order_by(
        CategoryRule.category, CategoryRule.effective_from))
    return {"levels": [describe_level(r) for r in levels],
            "coefficients": [describe_coefficient(r) for r in coefficients]}


def set_standard_level(session: Session, *, effective_from: date, amount: int, actor: str,
                       province_code: str | None = None, note: str | None = None,
                       second_factor: SecondFactor | None = None) -> RuleChange:
    """Set the standard level (mức chuẩn) from a month: national, or a province's higher one.

    Raises:
        InvalidRequest: a malformed amount or note, or a province level below the national.
        RuleInUse: a cycle of a month this level would price was already priced.
        TotpRefused: the approver's second factor was refused.
    """
    locks.acquire(session, locks.PAYROLL)
    month = effective_from.replace(day=1)
    _within(amount, 1, MAX_LEVEL, "amount", "mức chuẩn")
    note = _text(note, "note", "ghi chú", NOTE_MAX) if note else None
    same_scope = (StandardLevel.province_code.is_(None) if province_code is None
                  else StandardLevel.province_code == province_code)
    if province_code is not None:
        national = session.scalar(sa.select(StandardLevel.amount).where(
            StandardLevel.province_code.is_(None), StandardLevel.effective_from <= month)
            .order_by(StandardLevel.effective_from.desc()).limit(1))
        if national is not None and amount < national:
            raise InvalidRequest(
                f"province {province_code} may only raise the national standard level "
                f"({vnd(national, 'en')} in {month:%m/%Y}), not set {vnd(amount, 'en')}",
                f"Tỉnh {province_code} chỉ được nâng mức chuẩn quốc gia ({vnd(national)} "
                f"tháng {month:%m/%Y}), không đặt {vnd(amount)}.")
    row = session.scalar(sa.select(StandardLevel).where(
        same_scope, StandardLevel.effective_from == month))
    if row is not None and row.amount == amount and (note is None or row.note == note):
        return RuleChange(row, False)
    until = session.scalar(sa.select(sa.func.min(StandardLevel.effective_from)).where(
        same_scope, StandardLevel.effective_from > month))
    _refuse_if_priced(session, month, until, _prices_by_level(), "standard level",
                      "mức chuẩn")
    check_second_factor(session, actor, second_factor)
    before = describe_level(row) if row is not None else None
    previous = _in_force(session, StandardLevel, same_scope, month)
    if row is None:
        row = StandardLevel(effective_from=month, amount=amount, province_code=province_code,
                            note=note)
        session.add(row)
    else:
        row.amount, row.note = amount, note or row.note
    session.flush()
    scope = province_code or "national"
    record(session, actor=actor, action="level.set", subject_type="standard_level",
           subject_id=f"{scope}:{month:%Y-%m}", before=before, after=describe_level(row),
           detail={"amount": amount, "from": f"{month:%Y-%m}", "scope": scope,
                   "previous": previous.amount if previous is not None else None,
                   "corrected": before is not None})
    return RuleChange(row, True)


def set_coefficient(session: Session, *, category: str, effective_from: date, coefficient: str,
                    actor: str, age_from: int | None = None, age_coefficient: str | None = None,
                    age_switch: str | None = None, drop_age_change: bool = False,
                    second_factor: SecondFactor | None = None) -> RuleChange:
    """Set a category's coefficient (hệ số) from a month, written ``2.5``.

    Whether it is paid per child raised comes from the category (gateway.registry.categories),
    so the roster validator and the rule can never disagree. An age change (another
    coefficient from ``age_from`` years) is kept from the rule in force unless new ones are
    given or ``drop_age_change`` is set.

    Raises:
        InvalidRequest: an unknown category or a malformed coefficient, age or switch.
        RuleInUse: a cycle of a month this coefficient would price was already priced.
        TotpRefused: the approver's second factor was refused.
    """
    locks.acquire(session, locks.PAYROLL)
    month = effective_from.replace(day=1)
    code = category.strip().upper()
    known = CATEGORIES.get(code)
    if known is None:
        shown = code[:20]
        raise InvalidRequest(
            f"unknown category {shown!r}: add it to gateway/registry/categories.py first",
            f"Không có mã đối tượng {shown!r}: cần thêm vào danh mục đối tượng trước.")
    x10 = _coefficient(coefficient, "coefficient", "hệ số")
    same = CategoryRule.category == code
    previous = _in_force(session, CategoryRule, same, month)
    if age_from is not None or age_coefficient is not None:
        if age_from is None or age_coefficient is None:
            raise InvalidRequest("give age_from and age_coefficient together",
                                 "Cần cả tuổi (age_from) và hệ số theo tuổi (age_coefficient).")
        _within(age_from, 1, MAX_AGE, "age_from", "tuổi")
        age = (age_from, _coefficient(age_coefficient, "age_coefficient", "hệ số theo tuổi"),
               age_switch or AGE_SWITCHES[0])
        if age[2] not in AGE_SWITCHES:
            raise InvalidRequest(f"age_switch is one of {', '.join(AGE_SWITCHES)}",
                                 f"age_switch là một trong: {', '.join(AGE_SWITCHES)}.")
    elif previous is not None and previous.age_from is not None and not drop_age_change:
        age = (previous.age_from, previous.age_coefficient_x10, previous.age_switch)
    else:
        age = (None, None, AGE_SWITCHES[0])
    wanted = (x10, known.per_child, *age)
    row = session.scalar(sa.select(CategoryRule).where(same, CategoryRule.effective_from == month))
    if row is not None and _coefficient_values(row) == wanted:
        return RuleChange(row, False)
    until = session.scalar(sa.select(sa.func.min(CategoryRule.effective_from)).where(
        same, CategoryRule.effective_from > month))
    _refuse_if_priced(session, month, until, Program.kind == ProgramKind.MONTHLY.value,
                      f"coefficient of {code}", f"hệ số của {code}")
    check_second_factor(session, actor, second_factor)
    before = describe_coefficient(row) if row is not None else None
    if row is None:
        row = CategoryRule(category=code, effective_from=month)
        session.add(row)
    (row.coefficient_x10, row.per_child, row.age_from, row.age_coefficient_x10,
     row.age_switch) = wanted
    session.flush()
    after = describe_coefficient(row)
    record(session, actor=actor, action="coefficient.set", subject_type="category_rule",
           subject_id=f"{code}:{month:%Y-%m}", before=before, after=after,
           detail={"coefficient": after["coefficient"], "per_child": row.per_child,
                   "age_from": row.age_from, "age_coefficient": after["age_coefficient"],
                   "from": f"{month:%Y-%m}",
                   "previous": (fmt_coef(previous.coefficient_x10)
                                if previous is not None else None),
                   "corrected": before is not None})
    return RuleChange(row, True)


def _coefficient_values(row: CategoryRule) -> tuple[object, ...]:
    return (row.coefficient_x10, row.per_child, row.age_from, row.age_coefficient_x10,
            row.age_switch if row.age_from is not None else AGE_SWITCHES[0])


def _in_force(session: Session, model: type[StandardLevel] | type[CategoryRule],
              same: sa.ColumnElement[bool], month: date) -> Any:
    """Return the row of ``model`` in force in ``month`` before this change, or None."""
    return session.scalar(sa.select(model).where(same, model.effective_from <= month)
                          .order_by(model.effective_from.desc()).limit(1))


def _prices_by_level() -> sa.ColumnElement[bool]:
    """Select the programs the standard level prices: monthly ones and level multiples."""
    return sa.or_(Program.kind == ProgramKind.MONTHLY.value, Program.level_multiple.is_not(None))


def _refuse_if_priced(session: Session, month: date, until: date | None,
                      programs: sa.ColumnElement[bool], what_en: str, what_vi: str) -> None:
    """Refuse when a live cycle of a month from ``month`` up to ``until`` was already priced.

    Raises:
        RuleInUse: such a cycle exists (a cancelled one does not count: it pays nobody).
    """
    query = (sa.select(Cycle.ref, Cycle.period).join(Program, Program.id == Cycle.program_id)
             .where(programs, Cycle.state != CycleState.CANCELLED.value, Cycle.period >= month)
             .order_by(Cycle.period.desc()).limit(1))
    if until is not None:
        query = query.where(Cycle.period < until)
    found = session.execute(query).first()
    if found is None:
        return
    ref, period = found
    raise RuleInUse(
        f"cycle {ref} for {period:%m/%Y} was priced by the {what_en} in force then, and the "
        f"rules of a month already priced never change: give a month after {period:%m/%Y} "
        "(or cancel that cycle first, if it is not released)",
        f"Kỳ chi {ref} tháng {period:%m/%Y} đã tính tiền theo {what_vi} đang áp dụng; quy định "
        f"của tháng đã tính tiền không được sửa: chọn tháng sau {period:%m/%Y} (hoặc hủy kỳ đó "
        "trước, nếu chưa chi).")


def _within(value: int, low: int, high: int, field: str, field_vi: str) -> None:
    """Refuse a whole number outside ``low``..``high`` (booleans are not numbers here).

    Raises:
        InvalidRequest: it is outside, or not a whole number.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRequest(f"{field} must be a whole number from {low:,} to {high:,}",
                             f"{field_vi.capitalize()} phải là số nguyên từ {digits(low)} đến "
                             f"{digits(high)}.")


def _coefficient(text: str, field: str, field_vi: str) -> int:
    """Read a coefficient written ``2.5`` (or ``2,5``, or ``2``) in tenths.

    Raises:
        InvalidRequest: it is not such a number from 0.1 to 10.
    """
    match = _COEFFICIENT.fullmatch(str(text).strip())
    x10 = int(match[1]) * 10 + int(match[2] or 0) if match else 0
    if not 1 <= x10 <= MAX_COEFFICIENT_X10:
        shown = str(text)[:20]
        raise InvalidRequest(
            f"{field} {shown!r} is not a coefficient from 0.1 to 10 with one decimal (2.5)",
            f"{field_vi.capitalize()} {shown!r} không hợp lệ: từ 0,1 đến 10, một chữ số thập "
            "phân (2,5).")
    return x10


def _text(value: str, field: str, field_vi: str, limit: int) -> str:
    """Return a name or note trimmed, refusing empty, overlong or control-character text.

    Raises:
        InvalidRequest: it is one of those.
    """
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not text or len(text) > limit or any(unicodedata.category(c) == "Cc" for c in text):
        raise InvalidRequest(f"{field} must be 1-{limit} characters of text",
                             f"{field_vi.capitalize()} phải có 1-{limit} ký tự chữ.")
    return text
