"""telco seam: neutral telco message ids, template sends, inbound SMS kept until answered

``at_message_id`` becomes ``telco_message_id`` beside a ``telco`` column (which aggregator),
unique per aggregator. Outbound messages gain ``template_json`` (a template send's id and
parameters). Inbound messages keep their sender and text (sealed) until they are answered,
so a failed handling is retried from the database instead of lost. Existing rows are kept:
they all came from Africa's Talking, and existing inbound rows were answered already.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

AT = "africastalking"


def _sqlite_foreign_keys(on: bool) -> None:
    """Switch SQLite's foreign key checks for this migration's table rebuilds.

    Rebuilding ``sms_message`` drops the table that inbound rows point at, which SQLite
    refuses while rows exist. The pragma only takes effect outside a transaction: upgrading
    an existing database (this migration alone, before any write); on a fresh install it is
    ignored and the tables are empty anyway. The migration's engine is disposed afterwards.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sms_message_at_message_id", type_="unique")
        batch_op.alter_column("at_message_id", new_column_name="telco_message_id",
                              existing_type=sa.String(length=100), existing_nullable=True)
        batch_op.add_column(sa.Column("telco", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("template_json", sa.Text(), nullable=True))
    message = sa.table("sms_message", sa.column("telco", sa.String),
                       sa.column("telco_message_id", sa.String))
    op.execute(message.update().where(message.c.telco_message_id.is_not(None))
               .values(telco=AT))
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_sms_message_telco_message",
                                          ["telco", "telco_message_id"])

    with op.batch_alter_table("sms_inbound", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sms_inbound_at_message_id", type_="unique")
        batch_op.alter_column("at_message_id", new_column_name="telco_message_id",
                              existing_type=sa.String(length=100), existing_nullable=False)
        batch_op.add_column(sa.Column("ref", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("telco", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("phone_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("phone_bidx", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("text_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(), nullable=True))
    inbound = sa.table("sms_inbound", sa.column("id", sa.Integer), sa.column("ref", sa.String),
                       sa.column("telco", sa.String), sa.column("attempts", sa.Integer),
                       sa.column("answered_at", sa.DateTime),
                       sa.column("received_at", sa.DateTime))
    # Rows from before: answered (or given up) already; their ref only needs to be unique.
    op.execute(inbound.update().values(
        ref=sa.literal("legacy-") + sa.cast(inbound.c.id, sa.String), telco=AT, attempts=0,
        answered_at=inbound.c.received_at))
    with op.batch_alter_table("sms_inbound", schema=None) as batch_op:
        batch_op.alter_column("ref", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("telco", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("attempts", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_sms_inbound_ref"), ["ref"])
        batch_op.create_unique_constraint("uq_sms_inbound_telco_message",
                                          ["telco", "telco_message_id"])
        batch_op.create_index(batch_op.f("ix_sms_inbound_phone_bidx"), ["phone_bidx"],
                              unique=False)
        batch_op.create_index("ix_sms_inbound_unanswered", ["answered_at", "id"], unique=False)
    _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("sms_inbound", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_inbound_unanswered")
        batch_op.drop_index(batch_op.f("ix_sms_inbound_phone_bidx"))
        batch_op.drop_constraint("uq_sms_inbound_telco_message", type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_sms_inbound_ref"), type_="unique")
        for name in ("answered_at", "claimed_until", "attempts", "text_enc", "phone_bidx", "phone_enc", "telco",
                     "ref"):
            batch_op.drop_column(name)
        batch_op.alter_column("telco_message_id", new_column_name="at_message_id",
                              existing_type=sa.String(length=100), existing_nullable=False)
    # A second batch: SQLite's table rebuild names the renamed column only once it is done.
    with op.batch_alter_table("sms_inbound", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_sms_inbound_at_message_id", ["at_message_id"])
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sms_message_telco_message", type_="unique")
        batch_op.drop_column("template_json")
        batch_op.drop_column("telco")
        batch_op.alter_column("telco_message_id", new_column_name="at_message_id",
                              existing_type=sa.String(length=100), existing_nullable=True)
    with op.batch_alter_table("sms_message", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_sms_message_at_message_id", ["at_message_id"])
    _sqlite_foreign_keys(True)
