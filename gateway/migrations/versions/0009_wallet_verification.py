"""wallet verification: OTP-verified links and officers' wallet-phone change requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from alembic import op

from gateway.migrations import schema as ddl

revision = "0009"
down_revision = "0008"

_KINDS = ("notice", "reply", "ticket")
# At most one pending request per wallet link.
_CHANGE_INDEXES = ["wallet_link_id",
                   ddl.index("uq_wallet_change_request_pending", "wallet_link_id", unique=True,
                             where="status = 'pending'")]


def upgrade() -> None:
    ddl.create_table(
        "wallet_change_request", ddl.key(), ddl.ref(),
        ddl.refers("wallet_link_id", "wallet_link", ondelete="CASCADE"),
        ddl.string("provider", 32), *ddl.sealed("phone", searchable=True),
        ddl.string("old_provider", 32), ddl.blind_index("old_phone"), *ddl.sealed("reason"),
        ddl.string("status", 10), ddl.actor("requested_by"), ddl.moment("requested_at"),
        ddl.actor("decided_by", null=True), ddl.moment("decided_at", null=True),
        checks=[ddl.one_of("status", "pending", "approved", "rejected", "stale")],
        unique=["ref"],
        indexes=_CHANGE_INDEXES)

    # One-time code SMS are a kind of their own: sealed while queued, scrubbed once sent.
    _allow_sms_kinds(*_KINDS, "otp")


def downgrade() -> None:
    op.execute("DELETE FROM sms_message WHERE kind = 'otp'")
    _allow_sms_kinds(*_KINDS)
    ddl.drop_indexes("wallet_change_request", _CHANGE_INDEXES)
    ddl.drop_tables("wallet_change_request")


def _allow_sms_kinds(*kinds: str) -> None:
    name, condition = ddl.one_of("kind", *kinds)
    with op.batch_alter_table("sms_message") as batch_op:
        batch_op.drop_constraint(op.f(f"ck_sms_message_{name}"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_sms_message_{name}"), condition)
