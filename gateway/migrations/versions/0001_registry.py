"""registry: beneficiaries, enrolments, wallet links, import runs

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('beneficiary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('citizen_id_bidx', sa.String(length=32), nullable=False),
    sa.Column('citizen_id_enc', sa.Text(), nullable=False),
    sa.Column('name_enc', sa.Text(), nullable=False),
    sa.Column('dob_enc', sa.Text(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('household_code', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('phone_enc', sa.Text(), nullable=False),
    sa.Column('phone_bidx', sa.String(length=32), nullable=False),
    sa.Column('rep_name_enc', sa.Text(), nullable=True),
    sa.Column('rep_phone_enc', sa.Text(), nullable=True),
    sa.Column('rep_phone_bidx', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("sex IN ('M','F')", name=op.f('ck_beneficiary_sex')),
    sa.CheckConstraint("status IN ('active','suspended','deceased','exited')", name=op.f('ck_beneficiary_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary')),
    sa.UniqueConstraint('citizen_id_bidx', name=op.f('uq_beneficiary_citizen_id_bidx')),
    sa.UniqueConstraint('ref', name=op.f('uq_beneficiary_ref'))
    )
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beneficiary_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiary_phone_bidx'), ['phone_bidx'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiary_rep_phone_bidx'), ['rep_phone_bidx'], unique=False)

    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run'))
    )
    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('children', sa.SmallInteger(), nullable=True),
    sa.Column('start_month', sa.Date(), nullable=False),
    sa.Column('end_month', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_enrolment_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment')),
    sa.UniqueConstraint('beneficiary_id', 'category', name=op.f('uq_enrolment_beneficiary_id'))
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_beneficiary_id'), ['beneficiary_id'], unique=False)

    op.create_table('wallet_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('phone_enc', sa.Text(), nullable=False),
    sa.Column('phone_bidx', sa.String(length=32), nullable=False),
    sa.Column('to_representative', sa.Boolean(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('flag', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_wallet_link_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wallet_link')),
    sa.UniqueConstraint('beneficiary_id', name=op.f('uq_wallet_link_beneficiary_id')),
    sa.UniqueConstraint('ref', name=op.f('uq_wallet_link_ref'))
    )
    with op.batch_alter_table('wallet_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wallet_link_phone_bidx'), ['phone_bidx'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wallet_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_link_phone_bidx'))

    op.drop_table('wallet_link')
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_beneficiary_id'))

    op.drop_table('enrolment')
    op.drop_table('import_run')
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beneficiary_rep_phone_bidx'))
        batch_op.drop_index(batch_op.f('ix_beneficiary_phone_bidx'))
        batch_op.drop_index(batch_op.f('ix_beneficiary_commune_code'))

    op.drop_table('beneficiary')
