"""payroll: programs, rules, allocations, cycles, payments, ledger, outbox, locks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_lock',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_app_lock'))
    )
    op.create_table('category_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('coefficient_x10', sa.Integer(), nullable=False),
    sa.Column('per_child', sa.Boolean(), nullable=False),
    sa.Column('age_from', sa.Integer(), nullable=True),
    sa.Column('age_coefficient_x10', sa.Integer(), nullable=True),
    sa.Column('age_switch', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_rule')),
    sa.UniqueConstraint('category', 'effective_from', name=op.f('uq_category_rule_category'))
    )
    op.create_table('outbox_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event'))
    )
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_event_dispatched_at'), ['dispatched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_event_topic'), ['topic'], unique=False)

    op.create_table('program',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('fixed_amount', sa.BigInteger(), nullable=True),
    sa.Column('level_multiple', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program')),
    sa.UniqueConstraint('code', name=op.f('uq_program_code'))
    )
    op.create_table('standard_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_level')),
    sa.UniqueConstraint('effective_from', 'province_code', name=op.f('uq_standard_level_effective_from'))
    )
    op.create_table('allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_allocation_program_id_program')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation')),
    sa.UniqueConstraint('program_id', 'period', 'reference', name=op.f('uq_allocation_program_id'))
    )
    op.create_table('cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('live_scope', sa.Text(), nullable=True),
    sa.Column('payment_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('payment_count', sa.Integer(), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('released_by', sa.String(length=64), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_by', sa.String(length=64), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_cycle_program_id_program')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle')),
    sa.UniqueConstraint('program_id', 'period', 'live_scope', name=op.f('uq_cycle_program_id')),
    sa.UniqueConstraint('ref', name=op.f('uq_cycle_ref'))
    )
    op.create_table('cycle_skip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_cycle_skip_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_cycle_skip_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_skip'))
    )
    with op.batch_alter_table('cycle_skip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_skip_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('ledger_txn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('memo', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_txn'))
    )
    with op.batch_alter_table('ledger_txn', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_txn_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=24), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('wallet_link_id', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('phone_bidx', sa.String(length=32), nullable=False),
    sa.Column('to_representative', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('state_reason', sa.String(length=200), nullable=True),
    sa.Column('provider_ref', sa.String(length=100), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('final_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_amount_positive')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_payment_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_payment_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('beneficiary_id', 'slot', name=op.f('uq_payment_beneficiary_id')),
    sa.UniqueConstraint('cycle_id', 'beneficiary_id', name=op.f('uq_payment_cycle_id')),
    sa.UniqueConstraint('ref', name=op.f('uq_payment_ref'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # Leave room in each page so state changes can be HOT updates (no index touched).
        op.execute("ALTER TABLE payment SET (fillfactor = 70)")

    op.create_table('posting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('txn_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting'))
    )
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_txn_id'), ['txn_id'], unique=False)


    # Data every installation starts with. Decree 20/2021/NĐ-CP and Decree 76/2024/NĐ-CP:
    # standard level 270,000 before 2021-07-01, 360,000 from then, 500,000 from 2024-07-01;
    # coefficients in tenths (25 = 2.5). Later changes are new rows, never edits.
    meta = sa.MetaData()
    lock = sa.Table("app_lock", meta, autoload_with=op.get_bind())
    program = sa.Table("program", meta, autoload_with=op.get_bind())
    level = sa.Table("standard_level", meta, autoload_with=op.get_bind())
    rule = sa.Table("category_rule", meta, autoload_with=op.get_bind())
    op.bulk_insert(lock, [{"name": "payroll", "version": 0}])
    op.bulk_insert(program, [
        {"code": "TGXH_THANG", "kind": "monthly", "active": True, "level_multiple": None,
         "name_vi": "Trợ cấp xã hội hằng tháng", "name_en": "Monthly social assistance"},
        {"code": "MAI_TANG", "kind": "one_off", "active": True, "level_multiple": 20,
         "name_vi": "Hỗ trợ chi phí mai táng", "name_en": "Funeral support"},
    ])
    op.bulk_insert(level, [
        {"effective_from": date(2000, 1, 1), "amount": 270_000, "note": "Decree 136/2013"},
        {"effective_from": date(2021, 7, 1), "amount": 360_000, "note": "Decree 20/2021"},
        {"effective_from": date(2024, 7, 1), "amount": 500_000, "note": "Decree 76/2024"},
    ])
    start = date(2000, 1, 1)
    coefficients = [
        ("TE_MC_DUOI4", 25, False, 4, 15), ("TE_MC", 15, False, None, None),
        ("TE_16_22", 15, False, None, None), ("TE_HIV_DUOI4", 25, False, 4, 20),
        ("TE_HIV", 20, False, None, None), ("DON_THAN", 10, True, None, None),
        ("NCT_NGHEO", 15, False, 80, 20), ("NCT_NGHEO_80", 20, False, None, None),
        ("NCT_75_DTTS", 10, False, None, None), ("NCT_80", 10, False, None, None),
        ("NCT_CHAM_SOC", 30, False, None, None), ("KT_NANG", 15, False, None, None),
        ("KT_NANG_TE_NCT", 20, False, None, None), ("KT_DBN", 20, False, None, None),
        ("KT_DBN_TE_NCT", 25, False, None, None), ("TE_DUOI3_DTTS", 15, False, None, None),
        ("HIV", 15, False, None, None),
    ]
    op.bulk_insert(rule, [
        {"category": c, "effective_from": start, "coefficient_x10": x10, "per_child": per_child,
         "age_from": age, "age_coefficient_x10": age_x10, "age_switch": "next_month"}
        for c, x10, per_child, age, age_x10 in coefficients
    ])


def downgrade() -> None:
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_txn_id'))
        batch_op.drop_index(batch_op.f('ix_posting_payment_id'))
        batch_op.drop_index(batch_op.f('ix_posting_account'))

    op.drop_table('posting')
    op.drop_table('payment')
    with op.batch_alter_table('ledger_txn', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_txn_cycle_id'))

    op.drop_table('ledger_txn')
    with op.batch_alter_table('cycle_skip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_skip_cycle_id'))

    op.drop_table('cycle_skip')
    op.drop_table('cycle')
    op.drop_table('allocation')
    op.drop_table('standard_level')
    op.drop_table('program')
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_event_topic'))
        batch_op.drop_index(batch_op.f('ix_outbox_event_dispatched_at'))

    op.drop_table('outbox_event')
    op.drop_table('category_rule')
    op.drop_table('app_lock')
