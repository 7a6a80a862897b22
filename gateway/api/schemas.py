"""Request and response schemas shared by the admin API.

Every request schema derives from ``Strict``: a field the schema does not declare is an
error (422), never silently dropped, so a typo in a parameter cannot change what is done.
"""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, File, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from marshmallow import RAISE, ValidationError, validates_schema

# The error bodies of gateway.web.errors, for the OpenAPI document.
_ERROR_DETAILS = {"type": "object", "description": "More about the error; for validation "
                  "errors {location: {field: [problem, ...]}} with location query, json or "
                  "form_and_files."}
ERROR_SCHEMA: dict[str, object] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "examples": ["unauthorized", "validation_error"]},
            "message": {"type": "string"},
            "details": _ERROR_DETAILS,
        },
    }},
}


class Strict(Schema):
    """Base of every request schema: unknown fields are refused.

    In JSON bodies declare integers (amounts in đồng, counts) as ``Integer(strict=True)``:
    a plain ``Integer`` turns 1.5 into 1 without a word. Query strings and forms carry text,
    so there the plain ``Integer`` is right.
    """

    class Meta:
        unknown = RAISE


# --- beneficiaries ---------------------------------------------------------------------

class BeneficiarySearch(Strict):
    """Find beneficiaries by exactly one of citizen ID or phone (a JSON body, not a URL)."""

    citizen_id = String(validate=Length(1, 32), metadata={
        "description": "12-digit citizen ID (CCCD).", "example": "046040123456"})
    phone = String(validate=Length(1, 32), metadata={
        "description": "Mobile number, 0912345678 or +84912345678; matches the person's, a "
                       "representative's or a wallet's phone.", "example": "0912345678"})

    @validates_schema
    def _exactly_one(self, data: dict[str, object], **_kwargs: object) -> None:
        if ("citizen_id" in data) == ("phone" in data):
            raise ValidationError("Give exactly one of citizen_id or phone.", "_schema")


class Beneficiary(Schema):
    """A beneficiary as the caller's role may see them (masked unless allowed)."""

    ref = String(metadata={"description": "Public reference, safe to show and use in URLs."})
    name = String()
    citizen_id = String()
    phone = String()
    birth_year = Integer(allow_none=True)
    sex = String(metadata={"description": "M or F."})
    commune_code = String()
    household_code = String(allow_none=True)
    status = String()
    categories = List(String())
    wallet_provider = String(allow_none=True)
    wallet_phone = String(allow_none=True)
    wallet_to_representative = Boolean(allow_none=True)
    wallet_verified = Boolean(allow_none=True)
    wallet_flag = String(allow_none=True)
    masked = Boolean(metadata={"description": "True when personal data is masked for "
                                              "this role."})


class BeneficiaryDetail(Beneficiary):
    """One beneficiary, by public reference (room to grow: enrolments, payments)."""


class BeneficiaryList(Schema):
    """Beneficiaries found."""

    items = List(Nested(Beneficiary))


# --- rosters ---------------------------------------------------------------------------

class RosterUpload(Strict):
    """A roster file to import."""

    file = File(required=True, metadata={"description": "The roster, .csv (UTF-8) or .xlsx."})
    dry_run = Boolean(load_default=False, metadata={
        "description": "Validate and report; write nothing."})


class RowIssue(Schema):
    """One problem in one cell, or a warning about an accepted row."""

    row = Integer()
    column = String()
    code = String()
    severity = String(validate=OneOf(["error", "warning"]))
    vi = String()
    en = String()


class ImportReport(Schema):
    """Outcome of one import (the first 1000 issues; ``issues_total`` counts them all)."""

    file = String()
    dry_run = Boolean()
    accepted = Integer()
    rejected = Integer()
    created = Integer()
    updated = Integer()
    unchanged = Integer()
    flagged = Integer()
    issues_total = Integer()
    issues = List(Nested(RowIssue))
    unknown_columns = List(String())
    run_id = Integer(allow_none=True)


class ImportRunQuery(Strict):
    """How many import runs to list."""

    limit = Integer(load_default=50, validate=Range(1, 500))


class ImportRun(Schema):
    """One recorded (not dry-run) import."""

    id = Integer()
    file_name = String()
    file_sha256 = String()
    actor = String()
    accepted = Integer()
    rejected = Integer()
    created = Integer()
    updated = Integer()
    flagged = Integer()
    started_at = DateTime()
    finished_at = DateTime(allow_none=True)


class ImportRunList(Schema):
    """Recent import runs, newest first."""

    items = List(Nested(ImportRun))



# --- USSD PINs --------------------------------------------------------------------------

class PinStatusOut(Schema):
    """Where a beneficiary's USSD PIN stands; never the PIN or its hash."""

    beneficiary = String(metadata={"description": "The beneficiary's public reference."})
    state = String(validate=OneOf(["not_set", "set", "locked"]), metadata={
        "description": "not_set: chosen at the next USSD use; locked: 3 wrong tries, "
                       "only a reset opens it."})
    failed_attempts = Integer()
    tries_left = Integer()
    set_at = DateTime(allow_none=True)
    locked_at = DateTime(allow_none=True)
    reset_at = DateTime(allow_none=True)
    reset_by = String(allow_none=True)


class PinResetOut(PinStatusOut):
    """The PIN after an officer's reset, and whether the reset changed anything."""

    changed = Boolean(metadata={"description": "False when there was no PIN to reset."})
    previous = String(validate=OneOf(["not_set", "set", "locked"]))
