"""USSD PIN: slow-hashed PINs per beneficiary with lockout

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "beneficiary_pin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=True),
        sa.Column("pending_hash", sa.Text(), nullable=True),
        sa.Column("pending_at", sa.DateTime(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=True),
        sa.Column("reset_at", sa.DateTime(), nullable=True),
        sa.Column("reset_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("failed_attempts >= 0",
                           name=op.f("ck_beneficiary_pin_failed_attempts")),
        sa.ForeignKeyConstraint(["beneficiary_id"], ["beneficiary.id"],
                                name=op.f("fk_beneficiary_pin_beneficiary_id_beneficiary"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beneficiary_pin")),
        sa.UniqueConstraint("beneficiary_id", name=op.f("uq_beneficiary_pin_beneficiary_id")),
    )


def downgrade() -> None:
    op.drop_table("beneficiary_pin")
