"""complaints

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket', sa.String(length=16), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note_enc', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('resolution_note_enc', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.CheckConstraint("kind IN ('not_received', 'wrong_amount', 'wallet', 'other')", name=op.f('ck_complaint_kind')),
    sa.CheckConstraint("channel IN ('ussd', 'sms', 'api', 'officer')", name=op.f('ck_complaint_channel')),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f('ck_complaint_status')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_complaint_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_complaint_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_complaint_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('ticket', name=op.f('uq_complaint_ticket'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_cycle_id'), ['cycle_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_beneficiary_id'))
    op.drop_table('complaint')
