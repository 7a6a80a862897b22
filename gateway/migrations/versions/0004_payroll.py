"""payroll: programs, rules, allocations, cycles, payments, ledger, outbox, locks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from gateway.migrations import schema as ddl

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    money, day, flag = sa.BigInteger(), sa.Date(), sa.Boolean()
    ddl.create_table("app_lock", ddl.string("name", 64), *ddl.integers("version"),
                     primary_key="name")
    ddl.create_table(
        "category_rule", ddl.key(), ddl.string("category", 16), ddl.column("effective_from", day),
        *ddl.integers("coefficient_x10"), ddl.column("per_child", flag),
        *ddl.integers("age_from", "age_coefficient_x10", null=True), ddl.string("age_switch", 16),
        unique=[("category", "effective_from")])

    ddl.create_table(
        "outbox_event", ddl.key(), ddl.string("topic", 64), ddl.column("payload", sa.JSON()),
        ddl.moment("created_at"), ddl.moment("dispatched_at", null=True),
        indexes=["dispatched_at", "topic"])

    ddl.create_table(
        "program", ddl.key(), ddl.string("code", 32), ddl.string("name_vi", 200),
        ddl.string("name_en", 200), ddl.string("kind", 16),
        ddl.column("fixed_amount", money, null=True), *ddl.integers("level_multiple", null=True),
        ddl.column("active", flag),
        unique=["code"])

    ddl.create_table(
        "standard_level", ddl.key(), ddl.column("effective_from", day),
        ddl.column("amount", money), ddl.string("province_code", 2, null=True),
        ddl.string("note", 200, null=True),
        unique=[("effective_from", "province_code")])

    ddl.create_table(
        "allocation", ddl.key(), ddl.refers("program_id", "program"), ddl.column("period", day),
        ddl.column("amount", money), ddl.string("reference", 100), ddl.actor(),
        ddl.moment("created_at"),
        unique=[("program_id", "period", "reference")])

    ddl.create_table(
        "cycle", ddl.key(), ddl.ref(), ddl.refers("program_id", "program"),
        ddl.column("period", day), ddl.text("scope"), ddl.text("live_scope", null=True),
        ddl.column("payment_date", day), ddl.string("state", 12), *ddl.integers("payment_count"),
        ddl.column("total_amount", money), *ddl.integers("skipped_count"), ddl.actor("created_by"),
        ddl.moment("created_at"), *ddl.signed("submitted", "approved", "released", "cancelled"),
        ddl.moment("completed_at", null=True),
        unique=[("program_id", "period", "live_scope"), "ref"])

    ddl.create_table(
        "cycle_skip", ddl.key(), ddl.refers("cycle_id", "cycle"),
        ddl.refers("beneficiary_id", "beneficiary"), ddl.string("reason", 40),
        ddl.string("detail", 200, null=True),
        indexes=["cycle_id"])

    ddl.create_table(
        "ledger_txn", ddl.key(), ddl.string("kind", 24), *ddl.integers("cycle_id", null=True),
        ddl.string("memo", 200, null=True), ddl.moment("created_at"),
        indexes=["cycle_id"])

    ddl.create_table(
        "payment", ddl.key(), ddl.ref(), ddl.refers("cycle_id", "cycle"),
        ddl.refers("beneficiary_id", "beneficiary"), ddl.string("slot", 24, null=True),
        ddl.string("commune_code", 5), ddl.column("amount", money), ddl.string("basis", 200),
        *ddl.integers("wallet_link_id", null=True), ddl.string("provider", 32),
        ddl.blind_index("phone"), ddl.column("to_representative", flag),
        ddl.string("state", 12), ddl.string("state_reason", 200, null=True),
        ddl.string("provider_ref", 100, null=True), *ddl.integers("attempts"),
        ddl.column("fee", money), *ddl.timestamps(),
        *ddl.moments("final_at", "confirmed_at", null=True),
        checks=[ddl.check("amount_positive", "amount > 0")],
        unique=[("beneficiary_id", "slot"), ("cycle_id", "beneficiary_id"), "ref"])

    if op.get_bind().dialect.name == "postgresql":
        # Leave room in each page so state changes can be HOT updates (no index touched).
        op.execute("ALTER TABLE payment SET (fillfactor = 70)")
    ddl.create_table(
        "posting", ddl.key(), *ddl.integers("txn_id"), ddl.string("account", 80),
        ddl.column("amount", money), *ddl.integers("payment_id", null=True),
        indexes=["account", "payment_id", "txn_id"])


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
    ddl.drop_tables("posting", "payment", "ledger_txn", "cycle_skip", "cycle", "allocation",
                "standard_level", "program", "outbox_event", "category_rule", "app_lock")
