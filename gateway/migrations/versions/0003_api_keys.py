"""api keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from gateway.migrations.schema import create_table, drop_tables, key, moments, one_of, string

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_table(
        "api_key", key(), string("name", 48), string("role", 16), string("prefix", 8),
        string("key_hash", 64), *moments("created_at"),
        *moments("last_used_at", "revoked_at", null=True),
        checks=[one_of("role", "officer", "approver", "auditor", "partner")],
        unique=["name", "prefix"])


def downgrade() -> None:
    drop_tables("api_key")
