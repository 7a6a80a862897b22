"""audit: hash-chained audit events and the one-row chain head

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa

from gateway.migrations import schema as ddl

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    digest = 64  # hex SHA-256
    ddl.create_table(
        "audit_event", ddl.key(big=True), ddl.column("seq", sa.BigInteger()), ddl.moment("at"),
        ddl.actor(), ddl.string("action", 64), ddl.string("subject_type", 32),
        ddl.string("subject_id", 64), ddl.string("before_digest", digest, null=True),
        ddl.string("after_digest", digest, null=True), ddl.text("detail", null=True),
        ddl.string("prev_hash", digest), ddl.string("hash", digest),
        unique=["seq"],
        indexes=[ddl.index("ix_audit_event_subject", "subject_type", "subject_id")])

    # The head is created by the first append (see gateway.audit.chain), not seeded here, so
    # an emptied database and a fresh one start the chain the same way.
    ddl.create_table(
        "audit_head", ddl.key(autoincrement=False), ddl.column("seq", sa.BigInteger()),
        ddl.string("hash", digest),
        checks=[ddl.check("single_row", "id = 1")])


def downgrade() -> None:
    ddl.drop_tables("audit_head", "audit_event")
