"""channels: outbound SMS messages and inbound SMS de-duplication

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from gateway.migrations import schema as ddl

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    ddl.create_table(
        "sms_message", ddl.key(), ddl.ref(), *ddl.sealed("phone", searchable=True),
        ddl.text("body"), ddl.string("kind", 8), ddl.string("status", 10),
        ddl.moment("not_before", null=True), ddl.string("at_message_id", 100, null=True),
        ddl.string("failure_reason", 100, null=True), *ddl.integers("attempts"),
        ddl.string("dedupe_key", 64, null=True), ddl.moment("created_at"),
        *ddl.moments("sent_at", null=True), ddl.moment("updated_at"),
        checks=[ddl.one_of("kind", "notice", "reply", "ticket"),
                ddl.one_of("status", "queued", "sent", "failed", "delivered", "rejected")],
        unique=["ref", "at_message_id", "dedupe_key"],
        indexes=["phone_bidx",
                 ddl.index("ix_sms_message_status_not_before", "status", "not_before")])

    ddl.create_table(
        "sms_inbound", ddl.key(), ddl.string("at_message_id", 100),
        ddl.refers("reply_id", "sms_message", null=True), ddl.moment("received_at"),
        unique=["at_message_id"])


def downgrade() -> None:
    ddl.drop_tables("sms_inbound", "sms_message")
