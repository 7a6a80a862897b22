"""A December 2026 cycle driven through every step, with known figures per commune.

People (tests.support.scenario): an 500.000 and dung 1.250.000 and hai 750.000 in 19753
(Phú Xuân), binh 1.500.000 in 19777 (Vỹ Dạ), cuong 1.000.000 in 20182 (Long Quảng);
em (suspended) and gam (deceased) are skipped. After release:
an succeeded (fee 1.100) and confirmed; binh succeeded (fee 2.200); dung failed (fee 500);
hai held; cuong still ready. Complaints: cuong "not_received", dung "wrong_amount" with a note.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from gateway.complaints.filing import file_complaint
from gateway.db import get_db
from gateway.payroll import cycles
from gateway.payroll.models import Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from tests.support.scenario import beneficiary_ids, make_cycle

FUNDED = 10_000_000
DUNG_NOTE = "Tôi chỉ nhận 1.000.000 đ, số điện thoại 0777888999"
S = PaymentState


@dataclass(frozen=True)
class Driven:
    """The driven cycle's ref, and beneficiary ids and payment ids by first name."""

    ref: str
    people: dict[str, int]
    payments: dict[str, int]
    tickets: dict[str, str]


def prepare(app: Flask, *, maker: str = "cli:maker") -> str:
    """Create and submit the December cycle of everyone, unfunded; return its ref."""
    return make_cycle(app, "submitted", maker=maker, funds=0).ref


def drive(app: Flask, refs: dict[str, str]) -> Driven:
    """Create, submit, approve, fund and release the cycle, then move payments and complain."""
    who = beneficiary_ids(app, refs)
    ref = make_cycle(app, funds=FUNDED, reference="QD-12").ref
    with get_db(app).session() as s:
        cycle = cycles.get_cycle(s, ref)
        pay = {name: s.scalar(sa.select(Payment.id).where(
            Payment.cycle_id == cycle.id, Payment.beneficiary_id == bid))
            for name, bid in who.items()}
        moves = [("an", S.SENDING, 0), ("an", S.SUCCEEDED, 1_100), ("an", S.CONFIRMED, 0),
                 ("binh", S.SENDING, 0), ("binh", S.SUCCEEDED, 2_200),
                 ("dung", S.SENDING, 0), ("dung", S.FAILED, 500), ("hai", S.HELD, 0)]
        for name, target, fee in moves:
            assert transition(s, pay[name], target, fee=fee), (name, target)
    with get_db(app).session() as s:
        tickets = {
            "cuong": file_complaint(s, get_pii(app), beneficiary_id=who["cuong"],
                                    kind="not_received", channel="ussd").ticket,
            "dung": file_complaint(s, get_pii(app), beneficiary_id=who["dung"],
                                   kind="wrong_amount", note=DUNG_NOTE, channel="sms").ticket,
        }
    return Driven(ref, who, {k: v for k, v in pay.items() if v is not None}, tickets)


ZERO = {"beneficiaries": 0, "due": 0, "paid_count": 0, "paid_amount": 0, "failed_count": 0,
        "failed_amount": 0, "pending_count": 0, "pending_amount": 0, "held_count": 0,
        "held_amount": 0, "confirmed_count": 0, "complaints_not_received": 0,
        "complaints_wrong_amount": 0, "complaints_wallet": 0, "complaints_other": 0,
        "complaints_total": 0, "fees": 0}
EXPECTED_REPORT = {
    "19753": {**ZERO, "commune_name": "Phường Phú Xuân", "beneficiaries": 3, "due": 2_500_000,
              "paid_count": 1, "paid_amount": 500_000, "failed_count": 1,
              "failed_amount": 1_250_000, "held_count": 1, "held_amount": 750_000,
              "confirmed_count": 1, "complaints_wrong_amount": 1, "complaints_total": 1,
              "fees": 1_600},
    "19777": {**ZERO, "commune_name": "Phường Vỹ Dạ", "beneficiaries": 1, "due": 1_500_000,
              "paid_count": 1, "paid_amount": 1_500_000, "fees": 2_200},
    "20182": {**ZERO, "commune_name": "Xã Long Quảng", "beneficiaries": 1, "due": 1_000_000,
              "pending_count": 1, "pending_amount": 1_000_000, "complaints_not_received": 1,
              "complaints_total": 1},
}
EXPECTED_TOTALS = {**ZERO, "beneficiaries": 5, "due": 5_000_000, "paid_count": 2,
                   "paid_amount": 2_000_000, "failed_count": 1, "failed_amount": 1_250_000,
                   "pending_count": 1, "pending_amount": 1_000_000, "held_count": 1,
                   "held_amount": 750_000, "confirmed_count": 1, "complaints_not_received": 1,
                   "complaints_wrong_amount": 1, "complaints_total": 2, "fees": 3_800}
EXPECTED_SETTLEMENT = {
    "19753": {"allocated": 2_500_000, "released": 2_500_000, "paid": 500_000,
              "returned": 1_250_000, "outstanding": 750_000, "fees": 1_600, "ties": True},
    "19777": {"allocated": 1_500_000, "released": 1_500_000, "paid": 1_500_000, "returned": 0,
              "outstanding": 0, "fees": 2_200, "ties": True},
    "20182": {"allocated": 1_000_000, "released": 1_000_000, "paid": 0, "returned": 0,
              "outstanding": 1_000_000, "fees": 0, "ties": True},
}
