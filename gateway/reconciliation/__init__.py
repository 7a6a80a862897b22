"""Reconciliation (đối soát): compare a wallet provider's statement with our payments.

The public doors, for the CLI and an API endpoint alike::

    statement = read_statement(upload_stream, "viettel-2026-12-05.csv")  # or open_statement(path)
    report = reconcile(session, statement, provider="viettelmoney", actor="apikey:lan",
                       cycle_ref=None)
    report.to_dict(limit=50); get_run(session, report.run_id); list_findings(session, run_id)

``StatementRefused`` means the whole file was refused and nothing was recorded.
"""

from gateway.reconciliation.errors import StatementRefused
from gateway.reconciliation.matching import (
    Finding,
    ReconciliationReport,
    get_run,
    list_findings,
    reconcile,
)
from gateway.reconciliation.statement import Statement, open_statement, read_statement

__all__ = [
    "Finding", "ReconciliationReport", "Statement", "StatementRefused", "get_run",
    "list_findings", "open_statement", "read_statement", "reconcile",
]
