"""reconciliation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa

from gateway.migrations import schema as ddl

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    ddl.create_table(
        "reconciliation_run", ddl.key(), ddl.string("provider", 32),
        ddl.refers("cycle_id", "cycle", null=True), ddl.string("file_name", 255),
        ddl.string("file_sha256", 64), ddl.actor(), *ddl.integers("statement_rows"),
        *ddl.moments("window_start", "window_end", null=True),
        *ddl.integers("matched", "missing", "extra", "amount_mismatch", "status_mismatch",
                      "duplicate", "invalid_row"),
        ddl.moment("created_at"),
        indexes=["cycle_id"])

    ddl.create_table(
        "reconciliation_finding", ddl.key(), ddl.refers("run_id", "reconciliation_run"),
        ddl.string("category", 20), ddl.string("note", 40, null=True),
        ddl.refers("payment_id", "payment", null=True), ddl.string("our_state", 12, null=True),
        ddl.string("their_status", 12, null=True),
        *ddl.integers("our_amount", "their_amount", null=True, type_=sa.BigInteger()),
        ddl.string("reference", 64, null=True), ddl.string("provider_ref", 100, null=True),
        *ddl.integers("statement_row", null=True), ddl.string("detail", 400, null=True),
        indexes=["payment_id", "run_id"])


def downgrade() -> None:
    ddl.drop_tables("reconciliation_finding", "reconciliation_run")
