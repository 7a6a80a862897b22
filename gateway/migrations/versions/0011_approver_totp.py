"""approver TOTP: enrolled authenticator secrets per API key holder

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

import sqlalchemy as sa

from gateway.migrations import schema as ddl

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    ddl.create_table(
        "approver_totp", ddl.key(), ddl.ref(), ddl.actor(), *ddl.sealed("secret"),
        ddl.moment("enrolled_at"), ddl.actor("enrolled_by"), ddl.moment("confirmed_at", null=True),
        *ddl.integers("last_used_step", null=True, type_=sa.BigInteger()),
        ddl.moment("last_used_at", null=True), *ddl.integers("failures"),
        ddl.moment("last_failure_at", null=True),
        unique=["actor", "ref"])


def downgrade() -> None:
    ddl.drop_tables("approver_totp")
