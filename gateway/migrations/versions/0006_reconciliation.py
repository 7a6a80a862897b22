"""reconciliation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reconciliation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('statement_rows', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=True),
    sa.Column('window_end', sa.DateTime(), nullable=True),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.Column('extra', sa.Integer(), nullable=False),
    sa.Column('amount_mismatch', sa.Integer(), nullable=False),
    sa.Column('status_mismatch', sa.Integer(), nullable=False),
    sa.Column('duplicate', sa.Integer(), nullable=False),
    sa.Column('invalid_row', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_reconciliation_run_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_run'))
    )
    with op.batch_alter_table('reconciliation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconciliation_run_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('reconciliation_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=40), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('our_state', sa.String(length=12), nullable=True),
    sa.Column('their_status', sa.String(length=12), nullable=True),
    sa.Column('our_amount', sa.BigInteger(), nullable=True),
    sa.Column('their_amount', sa.BigInteger(), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('provider_ref', sa.String(length=100), nullable=True),
    sa.Column('statement_row', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=400), nullable=True),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_reconciliation_finding_payment_id_payment')),
    sa.ForeignKeyConstraint(['run_id'], ['reconciliation_run.id'], name=op.f('fk_reconciliation_finding_run_id_reconciliation_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_finding'))
    )
    with op.batch_alter_table('reconciliation_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconciliation_finding_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reconciliation_finding_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reconciliation_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconciliation_finding_run_id'))
        batch_op.drop_index(batch_op.f('ix_reconciliation_finding_payment_id'))

    op.drop_table('reconciliation_finding')
    with op.batch_alter_table('reconciliation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconciliation_run_cycle_id'))

    op.drop_table('reconciliation_run')
