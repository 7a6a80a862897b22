"""``/api/v1/reconciliations``: reconcile a provider's statement (sao kê) with our payments.

The same comparison as `gateway reconcile`: findings are recorded for someone to act on, and
no payment state or ledger posting is changed. Findings carry payment references, states and
amounts, never a phone number.
"""

from __future__ import annotations

import os

from apiflask import HTTPError
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from gateway.api.auth import requires
from gateway.api.blueprint import bp
from gateway.api.domain import actor
from gateway.api.payroll_schemas import (
    FindingList,
    FindingQuery,
    ReconciliationReportOut,
    ReconciliationRunOut,
    ReconciliationUpload,
)
from gateway.db import get_db
from gateway.errors import NotFound
from gateway.payroll.cycles import get_cycle
from gateway.payroll.models import Cycle
from gateway.reconciliation import (
    StatementRefused,
    get_run,
    list_findings,
    read_statement,
    reconcile,
)
from gateway.reconciliation.models import ReconciliationFinding, ReconciliationRun

REPORT_FINDINGS = 100  # findings in the upload's answer; the rest via .../findings
_MAX_RUN_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
_FINDING_FIELDS = ("category", "note", "payment_id", "our_state", "their_status",
                   "our_amount", "their_amount", "reference", "provider_ref", "statement_row",
                   "detail")


@bp.post("/reconciliations")
@requires("reconciliation.run")
@bp.input(ReconciliationUpload, location="form_and_files")
@bp.output(ReconciliationReportOut, status_code=201)
@bp.doc(responses={404: "No such cycle.",
                   413: "The file is larger than the upload limit.",
                   422: "Unknown provider, malformed input, or the statement is refused as a "
                        "whole (not UTF-8 CSV, empty, required columns missing); nothing is "
                        "recorded."})
def run_reconciliation(form_and_files_data: dict[str, object]) -> dict[str, object]:
    """Reconcile a provider's statement with our payments and record the findings.

    Each payment or row is matched, missing, extra, an amount or status mismatch, a duplicate
    or an unreadable row; the answer has the counts and the first 100 findings, worst first.
    No payment state or ledger entry is changed.
    """
    upload = form_and_files_data["file"]
    assert isinstance(upload, FileStorage)  # the File field lets nothing else through
    try:
        statement = read_statement(upload.stream, _display_name(upload.filename))
    except StatementRefused as exc:
        raise HTTPError(422, exc.en, detail={"vi": exc.vi, "en": exc.en,
                                             "missing_columns": exc.missing},
                        extra_data={"code": exc.code}) from None
    cycle_ref = form_and_files_data.get("cycle")
    with get_db().session() as session:
        if cycle_ref is not None:
            cycle_ref = get_cycle(session, str(cycle_ref)).ref  # 404 for refs that cannot be
        report = reconcile(session, statement, provider=str(form_and_files_data["provider"]),
                           actor=actor(), cycle_ref=cycle_ref)
    return report.to_dict(limit=REPORT_FINDINGS)


@bp.get("/reconciliations/<int:run_id>")
@requires("reconciliation.read")
@bp.output(ReconciliationRunOut)
@bp.doc(responses={404: "No such reconciliation run."})
def show_reconciliation(run_id: int) -> dict[str, object]:
    """Show a reconciliation run: its statement, who ran it, and its counts per category."""
    with get_db().sessionmaker() as session:
        run = _run(session, run_id)
        cycle = session.get(Cycle, run.cycle_id) if run.cycle_id is not None else None
        return {
            "id": run.id, "provider": run.provider, "cycle": cycle.ref if cycle else None,
            "file_name": run.file_name, "file_sha256": run.file_sha256, "actor": run.actor,
            "statement_rows": run.statement_rows, "window_start": run.window_start,
            "window_end": run.window_end, "counts": run.counts(),
            "discrepancies": run.discrepancies, "created_at": run.created_at,
        }


@bp.get("/reconciliations/<int:run_id>/findings")
@requires("reconciliation.read")
@bp.input(FindingQuery, location="query")
@bp.output(FindingList)
@bp.doc(responses={404: "No such reconciliation run."})
def list_reconciliation_findings(run_id: int, query_data: dict[str, object]) -> dict[str, object]:
    """List a run's findings in the order they were recorded, optionally of one category.

    Matched payments are counted, not listed. Page with offset=next_offset.
    """
    limit = int(query_data["limit"])  # type: ignore[call-overload]
    offset = int(query_data["offset"])  # type: ignore[call-overload]
    with get_db().sessionmaker() as session:
        run = _run(session, run_id)
        rows = list_findings(session, run.id, category=query_data.get("category"),  # type: ignore[arg-type]
                             limit=limit + 1, offset=offset)
        items = [_finding(f) for f in rows[:limit]]
    return {"run_id": run_id, "items": items,
            "next_offset": offset + limit if len(rows) > limit else None}


def _run(session: Session, run_id: int) -> ReconciliationRun:
    # A path id beyond the column's range names no run (and must not reach the driver).
    if run_id > _MAX_RUN_ID:
        raise NotFound(f"no reconciliation run {run_id}", f"Không có lần đối soát {run_id}.")
    return get_run(session, run_id)


def _finding(f: ReconciliationFinding) -> dict[str, object]:
    return {name: getattr(f, name) for name in _FINDING_FIELDS}


def _display_name(raw: str | None) -> str:
    """Return the upload's own file name, as shown in the report and in refusals."""
    name = os.path.basename((raw or "").replace("\\", "/")).replace("\x00", "").strip()
    return name[:255] if name not in ("", ".", "..") else "statement.csv"
