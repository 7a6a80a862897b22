"""registry: beneficiaries, enrolments, wallet links, import runs

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""

import sqlalchemy as sa

from gateway.migrations import schema as ddl

revision = "0001"
down_revision = None


def upgrade() -> None:
    # The CHECKs predate the spaced "IN ('a', 'b')" of one_of; their stored text is kept as is.
    ddl.create_table(
        "beneficiary", ddl.key(), ddl.ref(), ddl.blind_index("citizen_id"),
        *ddl.sealed("citizen_id"), *ddl.sealed("name"), *ddl.sealed("dob"), ddl.string("sex", 1),
        ddl.string("commune_code", 5), ddl.string("household_code", 32, null=True),
        ddl.string("status", 12), *ddl.sealed("phone", searchable=True),
        *ddl.sealed("rep_name", null=True), *ddl.sealed("rep_phone", null=True, searchable=True),
        *ddl.timestamps(),
        checks=[ddl.check("sex", "sex IN ('M','F')"),
                ddl.check("status", "status IN ('active','suspended','deceased','exited')")],
        unique=["citizen_id_bidx", "ref"],
        indexes=["commune_code", "phone_bidx", "rep_phone_bidx"])

    ddl.create_table(
        "import_run", ddl.key(), ddl.string("file_name", 255), ddl.string("file_sha256", 64),
        ddl.actor(), ddl.column("dry_run", sa.Boolean()),
        *ddl.integers("accepted", "rejected", "created", "updated", "flagged"),
        ddl.moment("started_at"), *ddl.moments("finished_at", null=True))

    ddl.create_table(
        "enrolment", ddl.key(), ddl.refers("beneficiary_id", "beneficiary", ondelete="CASCADE"),
        ddl.string("category", 16), ddl.column("children", sa.SmallInteger(), null=True),
        ddl.column("start_month", sa.Date()), ddl.column("end_month", sa.Date(), null=True),
        unique=[("beneficiary_id", "category")],
        indexes=["beneficiary_id"])

    ddl.create_table(
        "wallet_link", ddl.key(), ddl.ref(),
        ddl.refers("beneficiary_id", "beneficiary", ondelete="CASCADE"),
        ddl.string("provider", 32), *ddl.sealed("phone", searchable=True),
        ddl.column("to_representative", sa.Boolean()), ddl.column("verified", sa.Boolean()),
        ddl.moment("verified_at", null=True), ddl.string("flag", 32, null=True),
        ddl.moment("updated_at"),
        unique=["beneficiary_id", "ref"],
        indexes=["phone_bidx"])


def downgrade() -> None:
    ddl.drop_tables("wallet_link", "enrolment", "import_run", "beneficiary")
