"""Request and response schemas of the payroll endpoints: cycles, payments, budget, reports,
audit, complaints and reconciliation. Requests derive from ``Strict`` (unknown fields are
refused)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Date, DateTime, Dict, File, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range, Regexp
from flask import current_app
from marshmallow import ValidationError

from gateway.api.schemas import Strict
from gateway.complaints.models import ComplaintStatus, Resolution
from gateway.payroll.models import CycleState, PaymentState
from gateway.reconciliation.models import Category

COMMUNE = Regexp(r"^\d{5}$", error="A commune code is 5 digits.")
PROGRAM = Regexp(r"^[A-Za-z0-9_]{2,32}$", error="A program code is 2-32 letters, digits or _.")
# Ids are 32-bit integer columns on PostgreSQL, which answers a larger bound with an error
# (a 500), not an empty page: keyset cursors over ids stay inside int4.
CURSOR = Range(0, 2**31 - 1)
# The audit chain's seq is a BIGINT.
SEQ_CURSOR = Range(0, 2**53)


class Period(String):
    """A month written ``2026-12`` or ``12/2026``, loaded as the month's first day."""

    MAX_LENGTH = 16  # the forms above, with room for spaces around them

    def __init__(self, **kwargs: Any) -> None:
        # Documented as a bound (validators would see the date, not the text).
        kwargs["metadata"] = {"maxLength": self.MAX_LENGTH, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        text = str(super()._deserialize(value, attr, data, **kwargs)).strip()
        match = len(text) <= self.MAX_LENGTH and (
            re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text))
        if match:
            a, b = match.groups()
            year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
            if 1 <= month <= 12 and 2000 <= year <= 2100:
                return date(year, month, 1)
        raise ValidationError("Give a month as 2026-12 or 12/2026 (Tháng dạng 12/2026).")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value:%Y-%m}"


# --- cycles ----------------------------------------------------------------------------

class CycleCreate(Strict):
    """A cycle to build; the same program, month and communes again returns the first."""

    program = String(required=True, validate=PROGRAM, metadata={"example": "TGXH_THANG"})
    period = Period(required=True, metadata={"description": "Month: 2026-12 or 12/2026.",
                                             "example": "2026-12"})
    communes = List(String(validate=COMMUNE), validate=Length(1, 5000), metadata={
        "description": "Commune codes; omit for the whole province."})
    payment_date = Date(metadata={"description": "ISO date; default the province's payment "
                                                 "day of the month."})
    beneficiaries = List(String(validate=Length(1, 32)), validate=Length(1, 100_000), metadata={
        "description": "One-off programs: the beneficiary refs to pay."})


class CycleQuery(Strict):
    """Filters of the cycle list (newest first)."""

    program = String(validate=PROGRAM)
    period = Period()
    state = String(validate=OneOf([s.value for s in CycleState]))
    limit = Integer(load_default=50, validate=Range(1, 500))
    after = Integer(validate=CURSOR, metadata={"description": "Give next_after of the previous "
                                                              "page."})


class StateFigures(Schema):
    """Payments in one state."""

    count = Integer()
    amount = Integer()


class Cycle(Schema):
    """A payment cycle (kỳ chi trả)."""

    ref = String()
    id = Integer()
    program = String()
    period = String()
    scope = String(metadata={"description": "Comma-separated commune codes, or * for all."})
    state = String()
    payment_date = String()
    payments = Integer()
    total_amount = Integer()
    skipped = Integer()
    skip_reasons = Dict(keys=String(), values=Integer())
    by_state = Dict(keys=String(), values=Nested(StateFigures))
    created_by = String()
    submitted_by = String(allow_none=True)
    approved_by = String(allow_none=True)
    released_by = String(allow_none=True)
    cancelled_by = String(allow_none=True)
    changed = Boolean(metadata={"description": "False when the step had already happened."})


TOTP_CODE = Length(1, 16)


class CycleApproval(Strict):
    """What an approver sends to approve or release a cycle (the body may be omitted)."""

    totp = String(validate=TOTP_CODE, metadata={
        "description": "The current 6-digit code of the calling key's authenticator app; "
                       "required when it has enrolled one, or always under the policy "
                       "CHITRA_APPROVER_TOTP=required.", "example": "492039"})


class CycleSummary(Schema):
    """A cycle in a list."""

    ref = String()
    id = Integer()
    program = String()
    period = String()
    scope = String()
    state = String()
    payment_date = String()
    payments = Integer()
    total_amount = Integer()


class CycleList(Schema):
    """Cycles, newest first."""

    items = List(Nested(CycleSummary))
    next_after = Integer(allow_none=True)


# --- payments --------------------------------------------------------------------------

class PaymentQuery(Strict):
    """Filters and keyset page of a cycle's payments."""

    state = String(validate=OneOf([s.value for s in PaymentState]))
    commune = String(validate=COMMUNE)
    limit = Integer(load_default=100, validate=Range(1, 500))
    after = Integer(validate=CURSOR, metadata={"description": "Give next_after of the previous "
                                                              "page."})


class PaymentOut(Schema):
    """One payment; the recipient phone is masked unless the role may see personal data."""

    id = Integer()
    ref = String()
    beneficiary = String(metadata={"description": "The beneficiary's public reference."})
    commune_code = String()
    amount = Integer()
    fee = Integer()
    basis = String()
    state = String()
    state_reason = String(allow_none=True)
    provider = String()
    recipient_phone = String(allow_none=True)
    to_representative = Boolean()
    attempts = Integer()
    provider_ref = String(allow_none=True)
    updated_at = DateTime()
    final_at = DateTime(allow_none=True)
    confirmed_at = DateTime(allow_none=True)


class PaymentList(Schema):
    """A page of payments in id order."""

    items = List(Nested(PaymentOut))
    next_after = Integer(allow_none=True)
    masked = Boolean()


# --- reports ---------------------------------------------------------------------------

class ReportOut(Schema):
    """A cycle's figures per commune (the same data as `gateway report cycle --json`)."""

    cycle = Dict()
    communes = List(Dict())
    totals = Dict()


class SettlementOut(ReportOut):
    """A cycle's settlement per commune from the ledger (`gateway report cycle --settlement`)."""

    account = Dict()
    ties = Boolean(metadata={"description": "True when the postings match the payments' "
                                            "states in every commune."})


# --- budget ----------------------------------------------------------------------------

class AllocationIn(Strict):
    """A budget allocation (dự toán) for a program's month."""

    program = String(required=True, validate=PROGRAM)
    period = Period(required=True)
    amount = Integer(required=True, strict=True, validate=Range(1, 10**15),
                     metadata={"description": "Whole đồng."})
    reference = String(required=True, validate=Length(1, 100),
                       metadata={"description": "The budget decision's number."})


class AllocationOut(Schema):
    """The allocation and the month's balance after it."""

    allocation_id = Integer()
    program = String()
    period = String()
    amount = Integer()
    reference = String()
    changed = Boolean()
    available = Integer()


# --- audit -----------------------------------------------------------------------------

class AuditVerifyOut(Schema):
    """Whether the audit chain is intact, or its first broken link."""

    ok = Boolean()
    checked = Integer()
    first_broken_seq = Integer(allow_none=True)
    reason = String(allow_none=True)
    last_seq = Integer()
    last_hash = String()


class AuditQuery(Strict):
    """A page of audit events in chain order."""

    after = Integer(load_default=0, validate=SEQ_CURSOR, metadata={
        "description": "Give the last seq seen (next_after)."})
    limit = Integer(load_default=100, validate=Range(1, 1000))


class AuditEventOut(Schema):
    """One audit event (no personal data by construction)."""

    seq = Integer()
    at = DateTime()
    actor = String()
    action = String()
    subject_type = String()
    subject_id = String()
    before_digest = String(allow_none=True)
    after_digest = String(allow_none=True)
    detail = Dict(allow_none=True)
    prev_hash = String()
    hash = String()


class AuditEventList(Schema):
    """Audit events in seq order."""

    items = List(Nested(AuditEventOut))
    next_after = Integer(allow_none=True)


# --- complaints ------------------------------------------------------------------------

class ComplaintQuery(Strict):
    """Filters of the complaint list (newest first)."""

    cycle = String(validate=Length(1, 32), metadata={"description": "A cycle's ref or id."})
    status = String(validate=OneOf([s.value for s in ComplaintStatus]))
    limit = Integer(load_default=100, validate=Range(1, 500))
    after = Integer(validate=CURSOR)


class ComplaintOut(Schema):
    """A complaint; notes are shown only to roles that may see personal data."""

    ticket = String()
    kind = String()
    channel = String()
    status = String()
    commune_code = String()
    beneficiary = String()
    cycle = String(allow_none=True)
    payment = String(allow_none=True)
    note = String(allow_none=True)
    resolution = String(allow_none=True)
    resolution_note = String(allow_none=True)
    created_at = DateTime()
    resolved_at = DateTime(allow_none=True)
    resolved_by = String(allow_none=True)
    masked = Boolean()


class ComplaintList(Schema):
    """Complaints, newest first."""

    items = List(Nested(ComplaintOut))
    next_after = Integer(allow_none=True)


class ResolveIn(Strict):
    """How a complaint was resolved."""

    resolution = String(required=True, validate=OneOf([r.value for r in Resolution]))
    note = String(validate=Length(1, 1000), metadata={
        "description": "Free text, stored encrypted."})


class ResolveOut(ComplaintOut):
    """The resolved complaint."""

    changed = Boolean()


# --- reconciliation --------------------------------------------------------------------

def known_provider(value: str) -> None:
    """Refuse a wallet provider this installation does not have (settings WALLET_PROVIDERS)."""
    known = [str(p) for p in current_app.config.get("WALLET_PROVIDERS") or ()]
    if value.strip().lower() not in known:
        raise ValidationError(
            f"Unknown wallet provider; known: {', '.join(known) or 'none'} "
            "(Không có nhà cung cấp ví này).")


class ReconciliationUpload(Strict):
    """A provider's statement (sao kê) to reconcile with our payments."""

    file = File(required=True, metadata={
        "description": "The statement, CSV (UTF-8): our reference or the provider's "
                       "transaction reference, amount and status per transfer."})
    provider = String(required=True, validate=[Length(1, 32), known_provider], metadata={
        "description": "The wallet provider that sent the statement.",
        "example": "viettelmoney"})
    cycle = String(validate=Length(1, 32), metadata={
        "description": "Only this cycle's payments (its ref or id); omit for every payment "
                       "of the provider in the statement's time window."})


class ReconciliationCounts(Schema):
    """Payments or statement rows in each category."""

    matched = Integer()
    missing = Integer()
    extra = Integer()
    amount_mismatch = Integer()
    status_mismatch = Integer()
    duplicate = Integer()
    invalid_row = Integer()


class FindingOut(Schema):
    """One discrepancy: what we and the statement say about a payment (never a phone)."""

    category = String(validate=OneOf([c.value for c in Category]))
    note = String(allow_none=True, metadata={
        "description": "Which case of the category, e.g. money_out, paid_twice."})
    payment_id = Integer(allow_none=True)
    our_state = String(allow_none=True)
    their_status = String(allow_none=True)
    our_amount = Integer(allow_none=True)
    their_amount = Integer(allow_none=True)
    reference = String(allow_none=True, metadata={
        "description": "Our payment reference, or the reference as printed on the statement."})
    provider_ref = String(allow_none=True)
    statement_row = Integer(allow_none=True)
    detail = String(allow_none=True, metadata={
        "description": "Why the row could not be read, in English / Vietnamese."})


class ReconciliationReportOut(Schema):
    """What a reconciliation run found (the first 100 findings, worst first)."""

    run_id = Integer()
    provider = String()
    cycle = String(allow_none=True)
    file_name = String()
    file_sha256 = String()
    statement_rows = Integer()
    window = List(String(), allow_none=True, metadata={
        "description": "First and last timestamp on the statement (UTC), if it has any."})
    counts = Nested(ReconciliationCounts)
    discrepancies = Integer(metadata={"description": "Findings that need attention; 0 means "
                                                     "everything matched."})
    ignored_columns = List(String())
    findings = List(Nested(FindingOut))


class ReconciliationRunOut(Schema):
    """A recorded reconciliation run and its counts."""

    id = Integer()
    provider = String()
    cycle = String(allow_none=True)
    file_name = String()
    file_sha256 = String()
    actor = String()
    statement_rows = Integer()
    window_start = DateTime(allow_none=True)
    window_end = DateTime(allow_none=True)
    counts = Nested(ReconciliationCounts)
    discrepancies = Integer()
    created_at = DateTime()


class FindingQuery(Strict):
    """Filter and page of a run's findings (in the order they were recorded)."""

    category = String(validate=OneOf([c.value for c in Category if c is not Category.MATCHED]))
    limit = Integer(load_default=100, validate=Range(1, 500))
    offset = Integer(load_default=0, validate=CURSOR)


class FindingList(Schema):
    """A page of a run's findings."""

    run_id = Integer()
    items = List(Nested(FindingOut))
    next_offset = Integer(allow_none=True, metadata={
        "description": "Give as offset for the next page; null on the last."})


# --- approvers' authenticators ---------------------------------------------------------------

class TotpConfirm(Strict):
    """The first code of a newly enrolled authenticator app."""

    code = String(required=True, validate=TOTP_CODE, metadata={
        "description": "The 6-digit code the app shows now.", "example": "492039"})


class TotpState(Schema):
    """An approver's authenticator enrolment, never with its secret."""

    actor = String(metadata={"description": "The approver identity, apikey:<key name>."})
    state = String(validate=OneOf(["pending", "active"]))
    enrolled_at = String()
    enrolled_by = String()
    confirmed_at = String(allow_none=True)
    last_used_at = String(allow_none=True)
    failures = Integer()


class TotpEnrolment(Schema):
    """A new authenticator secret: shown in this answer once, and never again."""

    actor = String()
    state = String(metadata={"description": "pending until confirmed with a first code."})
    otpauth_uri = String(metadata={"description": "Provisioning URI (what the QR code holds)."})
    secret = String(metadata={"description": "Base32 secret, for typing into an app by hand."})
    issuer = String()
    digits = Integer()
    period = Integer(metadata={"description": "Seconds per code."})
    qr_svg = String(metadata={"description": "The QR code as an SVG document."})
