"""disbursement: wallet provider settings, payment back-off

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from gateway.migrations import schema as ddl

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    ddl.create_table(
        "wallet_provider", ddl.key(), ddl.ref(), ddl.string("kind", 32), *ddl.sealed("settings"),
        *ddl.integers("rate_per_s", "max_in_flight"), ddl.column("enabled", sa.Boolean()),
        ddl.moment("updated_at"),
        unique=["ref"])

    with op.batch_alter_table("payment") as batch_op:
        batch_op.add_column(ddl.moment("next_attempt_at", null=True))


def downgrade() -> None:
    with op.batch_alter_table("payment") as batch_op:
        batch_op.drop_column("next_attempt_at")
    ddl.drop_tables("wallet_provider")
