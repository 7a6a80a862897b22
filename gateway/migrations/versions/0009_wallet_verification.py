"""wallet verification: OTP-verified links and officers' wallet-phone change requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_KINDS_BEFORE = "kind IN ('notice', 'reply', 'ticket')"
_KINDS_AFTER = "kind IN ('notice', 'reply', 'ticket', 'otp')"


def upgrade() -> None:
    op.create_table(
        "wallet_change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("wallet_link_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=False),
        sa.Column("phone_bidx", sa.String(length=32), nullable=False),
        sa.Column("old_provider", sa.String(length=32), nullable=False),
        sa.Column("old_phone_bidx", sa.String(length=32), nullable=False),
        sa.Column("reason_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'stale')",
                           name=op.f("ck_wallet_change_request_status")),
        sa.ForeignKeyConstraint(["wallet_link_id"], ["wallet_link.id"], ondelete="CASCADE",
                                name=op.f("fk_wallet_change_request_wallet_link_id_wallet_link")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_change_request")),
        sa.UniqueConstraint("ref", name=op.f("uq_wallet_change_request_ref")),
    )
    with op.batch_alter_table("wallet_change_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_change_request_wallet_link_id"),
                              ["wallet_link_id"], unique=False)
        batch_op.create_index("uq_wallet_change_request_pending", ["wallet_link_id"],
                              unique=True, sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))
    # One-time code SMS are a kind of their own: sealed while queued, scrubbed once sent.
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sms_message_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_sms_message_kind"), _KINDS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM sms_message WHERE kind = 'otp'")
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sms_message_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_sms_message_kind"), _KINDS_BEFORE)
    with op.batch_alter_table("wallet_change_request", schema=None) as batch_op:
        batch_op.drop_index("uq_wallet_change_request_pending")
        batch_op.drop_index(batch_op.f("ix_wallet_change_request_wallet_link_id"))
    op.drop_table("wallet_change_request")
