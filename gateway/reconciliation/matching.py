"""Compare a provider statement with our payments and record what differs; never move money.

Which payments are compared:

- With a cycle: every payment of that provider in that cycle.
- Without one: every payment of the provider that left ``pending`` (and was not cancelled);
  when the statement has timestamps, only those whose last state change (``final_at``, else
  ``updated_at``) is in the statement's first-to-last timestamp window are *expected* on it,
  so a daily statement does not call every earlier payment missing. A statement row whose
  reference is outside that set is still looked up by reference, so nothing on the statement
  goes unexplained.

A row is matched by our reference (dashes and case ignored), falling back to the provider's
transaction reference. Findings are recorded for an operator to act on; payment states and the
ledger are left exactly as they were, because a statement can be wrong too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from gateway.audit.chain import record
from gateway.db import bulk_insert
from gateway.errors import NotFound
from gateway.payroll.cycles import get_cycle
from gateway.payroll.models import Cycle, Payment, PaymentState
from gateway.reconciliation.models import (
    DISCREPANCIES,
    Category,
    ReconciliationFinding,
    ReconciliationRun,
)
from gateway.reconciliation.statement import Statement, StatementRow
from gateway.reconciliation.values import TheirStatus

S = PaymentState
PAID = frozenset({S.SUCCEEDED.value, S.CONFIRMED.value})
IN_FLIGHT = frozenset({S.SENDING.value, S.ACCEPTED.value, S.UNKNOWN.value})
# Payments whose money left us (or is on its way): the statement must show them.
EXPECTED = PAID | IN_FLIGHT
NEVER_LISTED = (S.PENDING.value, S.CANCELLED.value)
LOOKUP_CHUNK = 500

# Shown first: money that left while we think it did not, and money paid twice.
_SEVERITY = {"money_out": 0, "paid_twice": 1, "not_paid": 2, "other_provider": 3,
             "unknown_reference": 4, "paid": 5, "they_paid_more": 6}


@dataclass(frozen=True, slots=True)
class Finding:
    """One discrepancy between the statement and our payments."""

    category: str
    note: str | None = None
    payment_id: int | None = None
    our_state: str | None = None
    their_status: str | None = None
    our_amount: int | None = None
    their_amount: int | None = None
    reference: str | None = None
    provider_ref: str | None = None
    statement_row: int | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the finding as a plain dict (``dataclasses.asdict`` deep-copies: too slow)."""
        return {name: getattr(self, name) for name in _FINDING_FIELDS}

    def severity(self) -> tuple[int, int]:
        """Return a sort key that puts the findings needing action soonest first."""
        return (_SEVERITY.get(self.note or "", 9), self.statement_row or 0)


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass
class ReconciliationReport:
    """What one reconciliation run found, as recorded."""

    run_id: int
    provider: str
    cycle_ref: str | None
    file_name: str
    file_sha256: str
    statement_rows: int
    window: tuple[datetime, datetime] | None
    counts: dict[str, int]
    findings: list[Finding] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def discrepancies(self) -> int:
        """Return how many findings need someone's attention (0 means all matched)."""
        return sum(self.counts[c.value] for c in DISCREPANCIES)

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """Return the report as JSON-ready data, with at most ``limit`` findings, worst first."""
        ordered = sorted(self.findings, key=Finding.severity)
        return {
            "run_id": self.run_id, "provider": self.provider, "cycle": self.cycle_ref,
            "file_name": self.file_name, "file_sha256": self.file_sha256,
            "statement_rows": self.statement_rows,
            "window": [t.isoformat() for t in self.window] if self.window else None,
            "counts": self.counts, "discrepancies": self.discrepancies,
            "ignored_columns": self.ignored_columns,
            "findings": [f.as_dict() for f in (ordered if limit is None else ordered[:limit])],
        }


@dataclass(slots=True)
class _Ours:
    id: int
    ref: str
    cycle_id: int
    provider: str
    state: str
    amount: int
    provider_ref: str | None
    last_change: datetime | None


def reconcile(
    session: Session,
    statement: Statement,
    *,
    provider: str,
    actor: str,
    cycle_ref: str | None = None,
) -> ReconciliationReport:
    """Compare ``statement`` with our payments, record the run and its findings, and return them.

    Runs in the caller's transaction and changes no payment and no ledger posting.

    Args:
        session: the session to read payments and write the run in.
        statement: a statement read by ``read_statement`` or ``open_statement``.
        provider: the wallet provider that sent the statement (``viettelmoney``).
        actor: who reconciles, as ``kind:name``.
        cycle_ref: restrict to one cycle (its reference or id).

    Raises:
        NotFound: no such cycle.
    """
    provider = provider.strip().lower()
    cycle = get_cycle(session, cycle_ref) if cycle_ref else None
    window = statement.window
    ours = _load_ours(session, provider, cycle, window)
    by_ref = {p.ref: p for p in ours}
    by_provider_ref = {p.provider_ref: p for p in ours if p.provider_ref}
    elsewhere = _look_up(session, {r.reference for r in statement.rows
                                   if r.reference and r.reference not in by_ref})

    findings: list[Finding] = []
    counts = {c.value: 0 for c in Category}
    seen: dict[object, TheirStatus] = {}
    reported: set[int] = set()
    for row in statement.rows:
        payment = by_ref.get(row.reference) if row.reference else None
        if payment is None and row.provider_ref:
            payment = by_provider_ref.get(row.provider_ref)
        if payment is None and row.reference:
            payment = elsewhere.get(row.reference)
        key: object = payment.id if payment else (
            row.reference or row.printed_reference or row.provider_ref)
        if key in seen:
            twice = row.status is TheirStatus.SUCCEEDED and seen[key] is TheirStatus.SUCCEEDED
            finding = _finding(Category.DUPLICATE, "paid_twice" if twice else "repeated",
                               payment, row)
        else:
            seen[key] = row.status
            finding = _compare(payment, row, provider, cycle)
            if payment is not None:
                reported.add(payment.id)
        counts[finding.category] += 1
        if finding.category != Category.MATCHED.value:
            findings.append(finding)

    for payment in ours:
        if payment.id in reported or payment.state not in EXPECTED:
            continue
        if cycle is None and window is not None and not (
                payment.last_change and window[0] <= payment.last_change <= window[1]):
            continue
        counts[Category.MISSING.value] += 1
        findings.append(Finding(
            Category.MISSING.value, "paid" if payment.state in PAID else "in_flight",
            payment.id, payment.state, None, payment.amount, None, payment.ref,
            payment.provider_ref))

    for issue in statement.issues:
        counts[Category.INVALID_ROW.value] += 1
        findings.append(Finding(Category.INVALID_ROW.value, issue.code, statement_row=issue.row,
                                detail=f"{issue.en} / {issue.vi}"[:400]))

    run = ReconciliationRun(
        provider=provider, cycle_id=cycle.id if cycle else None,
        file_name=statement.name[:255] or "statement.csv", file_sha256=statement.sha256,
        actor=actor, statement_rows=len(statement.rows) + len(statement.issues),
        window_start=window[0] if window else None, window_end=window[1] if window else None,
        **counts)
    session.add(run)
    session.flush()
    bulk_insert(session, ReconciliationFinding.__table__,
                [{"run_id": run.id, **f.as_dict()} for f in findings])
    # Counts only: the findings table holds the references, the chain holds no personal data.
    record(session, actor=actor, action="reconciliation.run", subject_type="reconciliation_run",
           subject_id=run.id, after={"sha256": statement.sha256, **counts},
           detail={"provider": provider, "cycle": cycle.ref if cycle else None,
                   "rows": run.statement_rows, **counts})
    return ReconciliationReport(
        run_id=run.id, provider=provider, cycle_ref=cycle.ref if cycle else None,
        file_name=run.file_name, file_sha256=statement.sha256,
        statement_rows=run.statement_rows, window=window, counts=counts, findings=findings,
        ignored_columns=statement.ignored_columns)


def get_run(session: Session, run_id: int) -> ReconciliationRun:
    """Return a recorded reconciliation run.

    Raises:
        NotFound: no such run.
    """
    run = session.get(ReconciliationRun, run_id)
    if run is None:
        raise NotFound(f"no reconciliation run {run_id}",
                       f"Không có lần đối soát {run_id}.")
    return run


def list_findings(
    session: Session, run_id: int, *, category: str | None = None, limit: int = 100,
    offset: int = 0,
) -> list[ReconciliationFinding]:
    """Return a run's findings in the order they were recorded, optionally of one category."""
    query = sa.select(ReconciliationFinding).where(ReconciliationFinding.run_id == run_id)
    if category:
        query = query.where(ReconciliationFinding.category == category)
    return list(session.scalars(
        query.order_by(ReconciliationFinding.id).limit(limit).offset(offset)))


def _compare(payment: _Ours | None, row: StatementRow, provider: str,
             cycle: Cycle | None) -> Finding:
    if payment is None:
        return _finding(Category.EXTRA, "unknown_reference", None, row)
    if payment.provider != provider:
        return _finding(Category.EXTRA, "other_provider", payment, row)
    if cycle is not None and payment.cycle_id != cycle.id:
        return _finding(Category.EXTRA, "other_cycle", payment, row)
    ours, theirs = payment.state, row.status
    note: str | None = None
    if theirs is TheirStatus.SUCCEEDED and ours not in PAID:
        # The dangerous case: the money left while we hold it as failed or never sent.
        note = "unsettled" if ours in IN_FLIGHT else "money_out"
    elif theirs is TheirStatus.FAILED and ours != S.FAILED.value:
        note = ("not_paid" if ours in PAID else "unsettled" if ours in IN_FLIGHT
                else "not_sent")
    elif theirs is TheirStatus.PENDING and ours not in IN_FLIGHT:
        note = "they_pending"
    if note is not None:
        return _finding(Category.STATUS_MISMATCH, note, payment, row)
    if row.amount != payment.amount:
        note = ("amount_differs" if theirs is not TheirStatus.SUCCEEDED
                else "they_paid_more" if row.amount > payment.amount else "they_paid_less")
        return _finding(Category.AMOUNT_MISMATCH, note, payment, row)
    return _finding(Category.MATCHED, None, payment, row)


def _finding(category: Category, note: str | None, payment: _Ours | None,
             row: StatementRow) -> Finding:
    return Finding(
        category.value, note, payment.id if payment else None,
        payment.state if payment else None, row.status.value,
        payment.amount if payment else None, row.amount,
        payment.ref if payment else row.printed_reference, row.provider_ref, row.row)


_COLUMNS = (Payment.id, Payment.ref, Payment.cycle_id, Payment.provider, Payment.state,
            Payment.amount, Payment.provider_ref,
            sa.func.coalesce(Payment.final_at, Payment.updated_at))


def _load_ours(session: Session, provider: str, cycle: Cycle | None,
               window: tuple[datetime, datetime] | None) -> list[_Ours]:
    """Load the provider's payments in scope once, as small records (58,848 fit easily)."""
    query = sa.select(*_COLUMNS).where(Payment.provider == provider)
    if cycle is not None:
        query = query.where(Payment.cycle_id == cycle.id)
    else:
        query = query.where(Payment.state.not_in(NEVER_LISTED))
        if window is not None:
            # Older payments are not expected on this statement; rows naming them are still
            # found by reference in _look_up.
            query = query.where(_COLUMNS[-1] >= window[0])
    return list(_records(session.execute(query.order_by(Payment.id))))


def _look_up(session: Session, refs: Iterable[str]) -> dict[str, _Ours]:
    """Find payments of any provider or cycle by reference, for rows outside the loaded scope."""
    wanted = sorted(refs)
    found: dict[str, _Ours] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    size = LOOKUP_CHUNK * 10 if postgres else LOOKUP_CHUNK
    for start in range(0, len(wanted), size):
        chunk = wanted[start:start + size]
        # One array parameter on PostgreSQL: psycopg parses a 500-item IN list slowly.
        match = (Payment.ref == sa.any_(sa.bindparam("refs", chunk, type_=ARRAY(sa.String)))
                 if postgres else Payment.ref.in_(chunk))
        for payment in _records(session.execute(sa.select(*_COLUMNS).where(match))):
            found[payment.ref] = payment
    return found


def _records(result: Iterable[Any]) -> Iterator[_Ours]:
    for id_, ref, cycle_id, provider, state, amount, provider_ref, last in result:
        yield _Ours(id_, ref, cycle_id, provider, state, int(amount), provider_ref, last)
