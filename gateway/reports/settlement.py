"""A cycle's settlement (quyết toán) per commune, read from the ledger postings of its payments.

Each payment's money moves program month → clearing (release), then clearing → paid
(settlement) or clearing → program month (failure, "returned"). So per commune:
released = money taken from the program month, returned = money given back to it,
paid = the paid accounts' net, and outstanding (still in clearing) =
released − returned − paid. Because these figures come from the same postings
``gateway ledger check`` verifies, the settlement reconciles with it by construction; the
``ties`` flags say whether the postings also match the payments' states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.ledger import accounts
from gateway.ledger.models import LedgerTxn, Posting
from gateway.ledger.postings import balance
from gateway.payroll.models import Cycle, Payment, PaymentState
from gateway.reports.common import Column, commune_name, cycle_header

S = PaymentState
# Released and not yet final: the money sits in clearing.
OPEN_STATES = (S.READY.value, S.HELD.value, S.SENDING.value, S.ACCEPTED.value, S.UNKNOWN.value)
PAID_STATES = (S.SUCCEEDED.value, S.CONFIRMED.value)

COLUMNS: list[Column] = [
    ("commune_code", "Mã xã", "Commune code"),
    ("commune_name", "Tên xã, phường", "Commune"),
    ("allocated", "Kinh phí phân bổ (đồng)", "Allocated (VND)"),
    ("released", "Đã chuyển đơn vị chi trả (đồng)", "Released (VND)"),
    ("paid", "Đã chi trả (đồng)", "Paid (VND)"),
    ("returned", "Hoàn trả nguồn (đồng)", "Returned (VND)"),
    ("outstanding", "Chưa quyết toán (đồng)", "Outstanding (VND)"),
    ("fees", "Phí chi trả (đồng)", "Fees (VND)"),
]
NUMBERS = [key for key, _, _ in COLUMNS[2:]]
TABLE_COLUMNS: list[tuple[str, str]] = [
    ("commune_code", "Code"), ("commune_name", "Commune"), ("allocated", "Allocated"),
    ("released", "Released"), ("paid", "Paid"), ("returned", "Returned"),
    ("outstanding", "Outstanding"), ("fees", "Fees"), ("ties", "Ties"),
]


@dataclass(slots=True)
class Settlement:
    """A cycle's settlement: the program month's account, a row per commune, totals."""

    cycle: dict[str, Any]
    account: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    ties: bool = True

    columns = COLUMNS
    table_columns = TABLE_COLUMNS

    def as_dict(self) -> dict[str, Any]:
        """Return the settlement as JSON-ready data."""
        return {"cycle": self.cycle, "account": self.account, "communes": self.rows,
                "totals": self.totals, "ties": self.ties}


def _empty(code: str) -> dict[str, Any]:
    return {"commune_code": code, "commune_name": commune_name(code),
            **dict.fromkeys(NUMBERS, 0), "ties": True}


def settlement(session: Session, cycle: Cycle) -> Settlement:
    """Compute a cycle's settlement per commune from its payments' ledger postings."""
    P, Q = Payment.__table__, Posting.__table__
    header = cycle_header(session, cycle)
    rows: dict[str, dict[str, Any]] = {}
    # What the payments' states say each figure must be, to tie the postings to them.
    expected: dict[str, dict[str, int]] = {}
    live = P.c.state != S.CANCELLED.value
    for code, state, amount, fees in session.execute(
        sa.select(P.c.commune_code, P.c.state, sa.func.sum(P.c.amount), sa.func.sum(P.c.fee))
        .where(P.c.cycle_id == cycle.id, live).group_by(P.c.commune_code, P.c.state)
    ):
        row = rows.setdefault(code, _empty(code))
        row["allocated"] += int(amount or 0)
        row["fees"] += int(fees or 0)
        want = expected.setdefault(code, {"released": 0, "paid": 0, "outstanding": 0})
        if state != S.PENDING.value:  # every live state after pending was released
            want["released"] += int(amount or 0)
        if state in PAID_STATES:
            want["paid"] += int(amount or 0)
        elif state in OPEN_STATES:
            want["outstanding"] += int(amount or 0)

    # Only the program and paid legs are read: the clearing legs are the other half of the
    # same balanced transactions (release, failure, settlement), so per commune
    # outstanding = released - returned - paid. Skipping them halves the rows SQLite sorts
    # for a province (about 108,000 instead of 217,000 postings for 58,848 payments).
    program, paid = _prefixed(Q.c.account, "program:"), _prefixed(Q.c.account, "paid:")
    for code, taken, given_back, paid_out in session.execute(
        sa.select(P.c.commune_code,
                  sa.func.sum(sa.case((sa.and_(program, Q.c.amount < 0), -Q.c.amount), else_=0)),
                  sa.func.sum(sa.case((sa.and_(program, Q.c.amount > 0), Q.c.amount), else_=0)),
                  sa.func.sum(sa.case((paid, Q.c.amount), else_=0)))
        .select_from(P.join(Q, Q.c.payment_id == P.c.id))
        .where(P.c.cycle_id == cycle.id, sa.or_(program, paid)).group_by(P.c.commune_code)
    ):
        row = rows.setdefault(code, _empty(code))
        row["released"], row["returned"] = int(taken or 0), int(given_back or 0)
        row["paid"] = int(paid_out or 0)
        row["outstanding"] = row["released"] - row["returned"] - row["paid"]
    for code, row in rows.items():
        want = expected.get(code, {"released": 0, "paid": 0, "outstanding": 0})
        row["ties"] = all(row[k] == want[k] for k in ("released", "paid", "outstanding"))
    ordered = [rows[code] for code in sorted(rows)]
    totals = {"commune_code": "", "commune_name": "Tổng cộng",
              **{key: sum(r[key] for r in ordered) for key in NUMBERS},
              "ties": all(r["ties"] for r in ordered)}
    return Settlement(header, _account(session, header), ordered, totals, totals["ties"])


def _prefixed(column: sa.ColumnElement[str], prefix: str) -> sa.ColumnElement[bool]:
    """Return "column starts with prefix" as a range, which SQLite tests faster than LIKE."""
    return sa.and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _account(session: Session, header: dict[str, Any]) -> dict[str, Any]:
    """Return the program month's account: what was funded into it and what it holds now."""
    period = date.fromisoformat(header["period"] + "-01")
    name = accounts.program_period(header["program"], period)
    Q, T = Posting.__table__, LedgerTxn.__table__
    # From the few funding transactions, not the account's many release legs.
    funded = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Q.c.amount), 0))
        .where(Q.c.txn_id.in_(sa.select(T.c.id).where(T.c.kind == "funding")),
               Q.c.account == name))
    return {"name": name, "funded": int(funded or 0), "balance": balance(session, name)}
