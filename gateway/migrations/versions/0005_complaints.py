"""complaints

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from gateway.migrations import schema as ddl

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    ddl.create_table(
        "complaint", ddl.key(), ddl.string("ticket", 16),
        ddl.refers("beneficiary_id", "beneficiary"),
        ddl.refers("payment_id", "payment", null=True), ddl.refers("cycle_id", "cycle", null=True),
        ddl.string("commune_code", 5), ddl.string("kind", 16), *ddl.sealed("note", null=True),
        ddl.string("channel", 8), ddl.string("status", 8), ddl.string("resolution", 16, null=True),
        *ddl.sealed("resolution_note", null=True), ddl.moment("created_at"),
        ddl.moment("resolved_at", null=True), ddl.actor("resolved_by", null=True),
        checks=[ddl.one_of("kind", "not_received", "wrong_amount", "wallet", "other"),
                ddl.one_of("channel", "ussd", "sms", "api", "officer"),
                ddl.one_of("status", "open", "resolved")],
        unique=["ticket"],
        indexes=["beneficiary_id", "cycle_id"])


def downgrade() -> None:
    ddl.drop_tables("complaint")
