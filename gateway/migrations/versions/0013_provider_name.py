"""provider name: wallet_provider.ref becomes wallet_provider.name

The settings ciphertext is bound to the value of this column (AAD ``wallet_provider``,
``settings``, the provider's name), not to the column's name: values are kept, so stored
settings still decrypt.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _rename("ref", "name")


def downgrade() -> None:
    _rename("name", "ref")


def _rename(old: str, new: str) -> None:
    # Two batches: SQLite's table copy must see the renamed column before the constraint
    # naming it is created.
    with op.batch_alter_table("wallet_provider", schema=None) as batch_op:
        batch_op.drop_constraint(f"uq_wallet_provider_{old}", type_="unique")
        batch_op.alter_column(old, new_column_name=new)
    with op.batch_alter_table("wallet_provider", schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f(f"uq_wallet_provider_{new}"), [new])
