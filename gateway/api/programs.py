"""``/api/v1/programs`` and ``/api/v1/rules``: benefit programs and the rules that price them.

Anyone who reads cycles may read them. Creating a program or changing a rule decides the
amounts of every later cycle, so only approvers may (``rules.change``): the officers who
prepare cycles never set the prices of what they prepare, and an approver's authenticator
code is asked for as when approving a cycle.
"""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from flask import current_app

from gateway.api.auth import requires
from gateway.api.blueprint import bp
from gateway.api.domain import actor
from gateway.api.payroll_schemas import PROGRAM, TOTP_CODE, Period
from gateway.api.schemas import Strict
from gateway.approvers.settings import second_factor
from gateway.db import get_db
from gateway.errors import InvalidRequest
from gateway.payroll import programs

# Within the domain's own bounds, so a JSON number never reaches an integer column unchecked.
AMOUNT = Range(1, 10**12)
COEFFICIENT = Length(1, 8)
TOTP = {"description": "The current 6-digit code of the calling key's authenticator app; "
                       "required when it has enrolled one, or always under the policy "
                       "CHITRA_APPROVER_TOTP=required.", "example": "492039"}
CHANGE_RESPONSES = {
    200: "That rule was already in force from that month; nothing changed.",
    403: "The role may not change rules, or the approver's TOTP was refused.",
    409: "A cycle of a month this rule would price was already priced (rule_in_use).",
    422: "Malformed input, an unknown category, or a value out of range.",
}



class JsonBoolean(Boolean):
    """A JSON true or false only: "true", 1 or -0 are a client's mistake, not a choice."""

    def _deserialize(self, value: object, attr: str | None, data: object,
                     **kwargs: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value

class ProgramOut(Schema):
    """A benefit program."""

    code = String(metadata={"example": "TGXH_THANG"})
    kind = String(metadata={"description": "monthly or one_off"})
    name_vi = String(metadata={"example": "Trợ cấp xã hội hằng tháng"})
    name_en = String(metadata={"example": "Monthly social assistance"})
    fixed_amount = Integer(allow_none=True)
    level_multiple = Integer(allow_none=True)
    active = Boolean()


class ProgramList(Schema):
    """Every program, by code."""

    items = List(Nested(ProgramOut))


class ProgramIn(Strict):
    """A one-off program: a fixed amount, or a multiple of the standard level, per person."""

    code = String(required=True, validate=PROGRAM, metadata={"example": "LU_2027"})
    name_vi = String(required=True, validate=Length(1, programs.NAME_MAX),
                     metadata={"example": "Hỗ trợ khắc phục lũ"})
    name_en = String(required=True, validate=Length(1, programs.NAME_MAX),
                     metadata={"example": "Flood relief"})
    amount = Integer(strict=True, validate=AMOUNT, metadata={"description": "đồng per person"})
    level_multiple = Integer(strict=True, validate=Range(1, 1000))
    totp = String(validate=TOTP_CODE, metadata=TOTP)


class LevelOut(Schema):
    """A standard level (mức chuẩn) from a month."""

    effective_from = String(metadata={"example": "2027-01"})
    amount = Integer()
    province_code = String(allow_none=True, metadata={"description": "None: national."})
    note = String(allow_none=True)
    changed = Boolean()


class CoefficientOut(Schema):
    """A category's coefficient (hệ số) from a month."""

    category = String()
    effective_from = String(metadata={"example": "2027-01"})
    coefficient = String(metadata={"example": "2.5"})
    per_child = Boolean()
    age_from = Integer(allow_none=True)
    age_coefficient = String(allow_none=True)
    age_switch = String(allow_none=True)
    changed = Boolean()


class RuleBookOut(Schema):
    """Every standard level and coefficient rule, oldest first."""

    levels = List(Nested(LevelOut(exclude=("changed",))))
    coefficients = List(Nested(CoefficientOut(exclude=("changed",))))


class LevelIn(Strict):
    """A standard level from a month: this province's (default) or the national one."""

    effective_from = Period(required=True, metadata={"example": "2027-01"})
    amount = Integer(required=True, strict=True, validate=AMOUNT, metadata={"example": 600000})
    national = JsonBoolean(load_default=False, metadata={
        "description": "The national level of a decree; default this province's higher one."})
    note = String(validate=Length(1, programs.NOTE_MAX), metadata={"example": "Decree 76/2024"})
    totp = String(validate=TOTP_CODE, metadata=TOTP)


class CoefficientIn(Strict):
    """A category's coefficient from a month; per child when the category is paid so."""

    category = String(required=True, validate=Length(1, 32), metadata={"example": "KT_NANG"})
    effective_from = Period(required=True, metadata={"example": "2027-01"})
    coefficient = String(required=True, validate=COEFFICIENT, metadata={"example": "1.8"})
    age_from = Integer(strict=True, validate=Range(1, programs.MAX_AGE))
    age_coefficient = String(validate=COEFFICIENT, metadata={"example": "2.0"})
    age_switch = String(validate=OneOf(programs.AGE_SWITCHES))
    drop_age_change = JsonBoolean(load_default=False, metadata={
        "description": "End the age change of the rule in force (kept by default)."})
    totp = String(validate=TOTP_CODE, metadata=TOTP)


# Declared before the list that nests ProgramOut, so the spec names that schema once.
@bp.post("/programs")
@requires("rules.change")
@bp.input(ProgramIn, location="json")
@bp.output(ProgramOut, status_code=201)
@bp.doc(responses={403: "The role may not create programs, or the TOTP was refused.",
                   409: "A program with this code exists (program_exists).",
                   422: "Malformed input, or not exactly one of amount and level_multiple."})
def create_program(json_data: dict[str, object]) -> dict[str, object]:
    """Create a one-off program (an emergency package, say) paying people on a list."""
    with get_db().session() as session:
        program = programs.create_program(
            session, code=str(json_data["code"]), name_vi=str(json_data["name_vi"]),
            name_en=str(json_data["name_en"]), actor=actor(),
            amount=json_data.get("amount"),  # type: ignore[arg-type]
            level_multiple=json_data.get("level_multiple"),  # type: ignore[arg-type]
            second_factor=second_factor(_totp(json_data)))
        return programs.describe_program(program)


@bp.get("/programs")
@requires("programs.read")
@bp.output(ProgramList)
def list_programs() -> dict[str, object]:
    """List the benefit programs."""
    with get_db().sessionmaker() as session:
        return {"items": [programs.describe_program(p) for p in programs.list_programs(session)]}


@bp.get("/rules")
@requires("programs.read")
@bp.output(RuleBookOut)
def list_rules() -> dict[str, object]:
    """List the standard levels and category coefficients, each from its month."""
    with get_db().sessionmaker() as session:
        return programs.list_rules(session)  # type: ignore[return-value]


@bp.post("/rules/levels")
@requires("rules.change")
@bp.input(LevelIn, location="json")
@bp.output(LevelOut, status_code=201)
@bp.doc(responses=CHANGE_RESPONSES)
def set_level(json_data: dict[str, object]) -> tuple[dict[str, object], int]:
    """Set the standard level from a month (a province's may only raise the national one).

    A new row from that month; months a cycle was already priced in are refused (409).
    """
    province = None if json_data["national"] else current_app.config["PROVINCE_CODE"]
    if province is None and not json_data["national"]:
        raise InvalidRequest("this installation has no province (CHITRA_PROVINCE_CODE): "
                             "give national true",
                             "Chưa cấu hình tỉnh (CHITRA_PROVINCE_CODE): dùng national true.")
    with get_db().session() as session:
        result = programs.set_standard_level(
            session, effective_from=json_data["effective_from"],  # type: ignore[arg-type]
            amount=int(json_data["amount"]),  # type: ignore[call-overload]
            actor=actor(), province_code=province,
            note=json_data.get("note"),  # type: ignore[arg-type]
            second_factor=second_factor(_totp(json_data)))
        data = {**programs.describe_level(result.rule), "changed": result.changed}  # type: ignore[arg-type]
    return data, 201 if result.changed else 200


@bp.post("/rules/coefficients")
@requires("rules.change")
@bp.input(CoefficientIn, location="json")
@bp.output(CoefficientOut, status_code=201)
@bp.doc(responses=CHANGE_RESPONSES)
def set_coefficient(json_data: dict[str, object]) -> tuple[dict[str, object], int]:
    """Set a category's coefficient from a month; its age change is kept unless replaced.

    A new row from that month; months a cycle was already priced in are refused (409).
    """
    with get_db().session() as session:
        result = programs.set_coefficient(
            session, category=str(json_data["category"]),
            effective_from=json_data["effective_from"],  # type: ignore[arg-type]
            coefficient=str(json_data["coefficient"]), actor=actor(),
            age_from=json_data.get("age_from"),  # type: ignore[arg-type]
            age_coefficient=json_data.get("age_coefficient"),  # type: ignore[arg-type]
            age_switch=json_data.get("age_switch"),  # type: ignore[arg-type]
            drop_age_change=bool(json_data["drop_age_change"]),
            second_factor=second_factor(_totp(json_data)))
        data = {**programs.describe_coefficient(result.rule),  # type: ignore[arg-type]
                "changed": result.changed}
    return data, 201 if result.changed else 200


def _totp(json_data: dict[str, object]) -> str | None:
    code = json_data.get("totp")
    return code if isinstance(code, str) else None
