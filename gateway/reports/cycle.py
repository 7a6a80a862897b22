"""A cycle's figures per commune: due, paid, failed, pending, held, confirmed, complaints, fees.

Two GROUP BY queries (payments by commune and state; complaints by commune and kind) give
everything, so the report costs the same for 58,848 payments as for ten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.complaints.models import Complaint, ComplaintKind
from gateway.payroll.models import Cycle, Payment, PaymentState
from gateway.reports.common import Column, commune_name, cycle_header

S = PaymentState
# Which report bucket each payment state falls in; cancelled payments are no longer due.
PAID_STATES = frozenset({S.SUCCEEDED.value, S.CONFIRMED.value})
PENDING_STATES = frozenset({S.PENDING.value, S.READY.value, S.SENDING.value, S.ACCEPTED.value,
                            S.UNKNOWN.value})
KINDS = [k.value for k in ComplaintKind]

COLUMNS: list[Column] = [
    ("commune_code", "Mã xã", "Commune code"),
    ("commune_name", "Tên xã, phường", "Commune"),
    ("beneficiaries", "Số đối tượng", "Beneficiaries"),
    ("due", "Số tiền phải chi (đồng)", "Amount due (VND)"),
    ("paid_count", "Đã chi trả (người)", "Paid (people)"),
    ("paid_amount", "Đã chi trả (đồng)", "Paid (VND)"),
    ("failed_count", "Không thành công (người)", "Failed (people)"),
    ("failed_amount", "Không thành công (đồng)", "Failed (VND)"),
    ("pending_count", "Đang xử lý (người)", "Pending (people)"),
    ("pending_amount", "Đang xử lý (đồng)", "Pending (VND)"),
    ("held_count", "Tạm giữ (người)", "Held (people)"),
    ("held_amount", "Tạm giữ (đồng)", "Held (VND)"),
    ("confirmed_count", "Đã xác nhận nhận tiền (người)", "Confirmed by beneficiary"),
    ("complaints_not_received", "Khiếu nại: chưa nhận tiền", "Complaints: not received"),
    ("complaints_wrong_amount", "Khiếu nại: sai số tiền", "Complaints: wrong amount"),
    ("complaints_wallet", "Khiếu nại: ví điện tử", "Complaints: wallet"),
    ("complaints_other", "Khiếu nại: khác", "Complaints: other"),
    ("complaints_total", "Tổng số khiếu nại", "Complaints"),
    ("fees", "Phí chi trả (đồng)", "Fees (VND)"),
]
NUMBERS = [key for key, _, _ in COLUMNS[2:]]
# The terminal table: fewer, shorter columns (the files and JSON carry every column).
TABLE_COLUMNS: list[tuple[str, str]] = [
    ("commune_code", "Code"), ("commune_name", "Commune"), ("beneficiaries", "People"),
    ("due", "Due"), ("paid_count", "Paid#"), ("paid_amount", "Paid"),
    ("failed_count", "Failed#"), ("failed_amount", "Failed"), ("pending_count", "Pending#"),
    ("pending_amount", "Pending"), ("held_count", "Held#"), ("held_amount", "Held"),
    ("confirmed_count", "Confirmed"), ("complaints_total", "Complaints"), ("fees", "Fees"),
]


def _empty(code: str) -> dict[str, Any]:
    return {"commune_code": code, "commune_name": commune_name(code), **dict.fromkeys(NUMBERS, 0)}


@dataclass(slots=True)
class CycleReport:
    """The figures of one cycle: a row per commune and their totals."""

    cycle: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)

    columns = COLUMNS
    table_columns = TABLE_COLUMNS

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {"cycle": self.cycle, "communes": self.rows, "totals": self.totals}


def cycle_report(session: Session, cycle: Cycle) -> CycleReport:
    """Compute a cycle's figures per commune, with totals."""
    P, C = Payment.__table__, Complaint.__table__
    rows: dict[str, dict[str, Any]] = {}
    for code, state, count, amount, fees in session.execute(
        sa.select(P.c.commune_code, P.c.state, sa.func.count(), sa.func.sum(P.c.amount),
                  sa.func.sum(P.c.fee))
        .where(P.c.cycle_id == cycle.id).group_by(P.c.commune_code, P.c.state)
    ):
        if state == S.CANCELLED.value:
            continue
        row = rows.setdefault(code, _empty(code))
        count, amount, fees = int(count), int(amount or 0), int(fees or 0)
        row["beneficiaries"] += count
        row["due"] += amount
        row["fees"] += fees
        if state in PAID_STATES:
            bucket = "paid"
        elif state == S.FAILED.value:
            bucket = "failed"
        elif state == S.HELD.value:
            bucket = "held"
        else:
            bucket = "pending"
        row[f"{bucket}_count"] += count
        row[f"{bucket}_amount"] += amount
        if state == S.CONFIRMED.value:
            row["confirmed_count"] += count
    for code, kind, count in session.execute(
        sa.select(C.c.commune_code, C.c.kind, sa.func.count())
        .where(C.c.cycle_id == cycle.id).group_by(C.c.commune_code, C.c.kind)
    ):
        row = rows.setdefault(code, _empty(code))
        row[f"complaints_{kind}"] += int(count)
        row["complaints_total"] += int(count)
    ordered = [rows[code] for code in sorted(rows)]
    totals = {"commune_code": "", "commune_name": "Tổng cộng",
              **{key: sum(r[key] for r in ordered) for key in NUMBERS}}
    return CycleReport(cycle_header(session, cycle), ordered, totals)
