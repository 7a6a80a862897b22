"""USSD PIN: slow-hashed PINs per beneficiary with lockout

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from gateway.migrations import schema as ddl

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    ddl.create_table(
        "beneficiary_pin", ddl.key(),
        ddl.refers("beneficiary_id", "beneficiary", ondelete="CASCADE"),
        ddl.text("pin_hash", null=True), ddl.text("pending_hash", null=True),
        ddl.moment("pending_at", null=True), *ddl.integers("failed_attempts"),
        *ddl.moments("locked_at", "set_at", "reset_at", null=True),
        ddl.actor("reset_by", null=True), ddl.moment("updated_at"),
        checks=[ddl.check("failed_attempts", "failed_attempts >= 0")],
        unique=["beneficiary_id"])


def downgrade() -> None:
    ddl.drop_tables("beneficiary_pin")
