"""channels: outbound SMS messages and inbound SMS de-duplication

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=False),
        sa.Column("phone_bidx", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("at_message_id", sa.String(length=100), nullable=True),
        sa.Column("failure_reason", sa.String(length=100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('notice', 'reply', 'ticket')",
                           name=op.f("ck_sms_message_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed', 'delivered', 'rejected')",
            name=op.f("ck_sms_message_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_message")),
        sa.UniqueConstraint("ref", name=op.f("uq_sms_message_ref")),
        sa.UniqueConstraint("at_message_id", name=op.f("uq_sms_message_at_message_id")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_sms_message_dedupe_key")),
    )
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_message_phone_bidx"), ["phone_bidx"],
                              unique=False)
        batch_op.create_index("ix_sms_message_status_not_before", ["status", "not_before"],
                              unique=False)
    op.create_table(
        "sms_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at_message_id", sa.String(length=100), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["reply_id"], ["sms_message.id"],
                                name=op.f("fk_sms_inbound_reply_id_sms_message")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_inbound")),
        sa.UniqueConstraint("at_message_id", name=op.f("uq_sms_inbound_at_message_id")),
    )


def downgrade() -> None:
    op.drop_table("sms_inbound")
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_message_status_not_before")
        batch_op.drop_index(batch_op.f("ix_sms_message_phone_bidx"))
    op.drop_table("sms_message")
