"""The scenario library: people, rosters, cycles in any state and API keys by role.

Every folder builds its world from here (in the spirit of Redash's ``tests/factories.py``), so a
test reads as "these people, this cycle, that key" and a change to how a cycle is made is made once.

People (``PEOPLE``), priced by the rules for December 2026: an 500.000, dung 1.250.000 and
hai 750.000 in 19753 (Phú Xuân), binh 1.500.000 in 19777 (Vỹ Dạ), cuong 1.000.000 in 20182
(Long Quảng); em is suspended and gam deceased, so cycles skip them.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from gateway.api.keys import create_key
from gateway.api.roles import Role
from gateway.db import get_db
from gateway.ledger.models import Posting
from gateway.payroll import cycles
from gateway.payroll.funding import allocate
from gateway.payroll.models import Cycle, Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from gateway.registry.models import Beneficiary, WalletLink
from gateway.rosters.headers import VIETNAMESE_HEADERS
from gateway.rosters.importer import ImportSettings, import_roster
from gateway.rosters.source import memory_source

DEC = date(2026, 12, 1)
NOV = date(2026, 11, 1)  # paid on 05/11/2026: a cycle of it is already due
PROGRAM = "TGXH_THANG"
PROVINCE = "46"
S = PaymentState

# --- people -------------------------------------------------------------------------------

FIELDS = ("full_name", "date_of_birth", "sex", "citizen_id", "phone", "commune_code",
          "category", "children", "start_month", "status", "end_month", "household_code")
# The registry's people, a roster row each, in the header order of ``HEADER``.
HEADER = [VIETNAMESE_HEADERS[f] for f in FIELDS]
PEOPLE = {
    "an": ["Nguyễn Văn An", "04/03/1940", "Nam", "046040123456", "0912345678", "19753",
           "NCT_80", "", "01/2024", "", "", "H1"],
    "binh": ["Trần Thị Bình", "15/08/1985", "Nữ", "046185654321", "0987654321", "19777",
             "DON_THAN", "3", "07/2024", "", "", "H2"],
    "cuong": ["Lê Văn Cường", "20/02/1950", "Nam", "046050111222", "0345678901", "20182",
              "NCT_80;KT_NANG_TE_NCT", "", "03/2023", "", "", "H3"],
    "dung": ["Phạm Thị Dung", "01/05/1948", "Nữ", "046148333444", "0777888999", "19753",
             "KT_DBN_TE_NCT", "", "01/2022", "", "", "H4"],
    "em": ["Hồ Văn Em", "10/10/1944", "Nam", "046044555666", "0903111222", "19777",
           "NCT_80", "", "01/2022", "Tạm dừng", "", "H5"],
    "gam": ["Võ Thị Gấm", "12/12/1941", "Nữ", "046141777888", "0868123456", "20182",
            "NCT_80", "", "01/2022", "Đã mất", "10/2026", "H6"],
    "hai": ["Đỗ Văn Hải", "05/06/2020", "Nam", "046220999000", "0931234567", "19753",
            "TE_MC_DUOI4", "", "06/2020", "", "", "H7"],
}
PAYABLE = ["an", "binh", "cuong", "dung", "hai"]  # everyone a cycle pays


def add_people(app: Flask, names: Sequence[str] | None = None) -> dict[str, str]:
    """Import the named people (all by default) through the roster path; return name → ref."""
    chosen = list(names or PEOPLE)
    codec = get_pii(app)
    with app.app_context(), get_db(app).sessionmaker() as session:
        report = import_roster(
            session, codec, memory_source("people", HEADER, [PEOPLE[n] for n in chosen]),
            ImportSettings(providers=["sandbox"], province_code=PROVINCE,
                           today=date(2026, 11, 27)))
        assert report.rejected == 0, report.issues
        return {name: session.scalar(sa.select(Beneficiary.ref).where(
            Beneficiary.citizen_id_bidx == codec.citizen_id_index(PEOPLE[name][3])))
            for name in chosen}


def beneficiary_ids(app: Flask, refs: dict[str, str]) -> dict[str, int]:
    """Return name → beneficiary id for people imported by ``add_people``."""
    with get_db(app).sessionmaker() as s:
        rows = dict(s.execute(sa.select(Beneficiary.ref, Beneficiary.id)).all())
    return {name: rows[ref] for name, ref in refs.items()}


# --- roster files -------------------------------------------------------------------------

ROSTER_FIELDS = ("full_name", "date_of_birth", "sex", "citizen_id", "phone", "commune_code",
                 "category", "children", "start_month", "wallet_provider",
                 "representative_name", "representative_phone", "household_code")
# The header of the roster template officers download (the sex column says its values).
VI_HEADER = [VIETNAMESE_HEADERS[f] if f != "sex" else "Giới tính (Nam/Nữ)"
             for f in ROSTER_FIELDS]

# Three valid people in Huế communes (46), each in their own household, in ``VI_HEADER`` order.
GOOD = [
    ["Nguyễn Văn An", "04/03/1940", "Nam", "046040123456", "0912345678", "19753", "NCT_80",
     "", "01/2024", "", "", "", "H1"],
    ["Trần Thị Bình", "15/08/1985", "Nữ", "046185654321", "0987654321", "19777", "DON_THAN",
     "3", "07/2024", "", "", "", "H2"],
    ["Lê Văn Cường", "20/02/2015", "Nam", "046215111222", "0345678901", "20182",
     "KT_DBN_TE_NCT", "", "03/2023", "", "Lê Thị Dung", "0778889990", "H3"],
]


def write_csv(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    """Write a CSV UTF-8 (with BOM, as Excel does) roster."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header or VI_HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path, rows: list[list[object]], header: list[str] | None = None, title_rows: int = 0
) -> Path:
    """Write an XLSX roster, optionally with title lines above the header."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for i in range(title_rows):
        sheet.append([f"DANH SÁCH ĐỐI TƯỢNG (dòng tiêu đề {i + 1})"])
    sheet.append(header or VI_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# --- cycles -------------------------------------------------------------------------------

STEPS = ("submitted", "approved", "released")  # the states after "draft", in order


@dataclass(frozen=True)
class MadeCycle:
    """A cycle the scenario built: its ref and its payment ids, oldest first."""

    ref: str
    payment_ids: list[int]


def make_cycle(app: Flask, state: str = "released", *, period: date = DEC,
          communes: list[str] | None = None, people: Sequence[str] | None = None,
          verified: bool | None = None, provider: str | None = None,
          maker: str = "cli:maker", checker: str = "cli:checker",
          funds: int = 10**9, reference: str = "QD",
          payment_date: date | None = None) -> MadeCycle:
    """Build a cycle and take it to ``state`` (draft, submitted, approved or released).

    ``people`` are imported first; ``verified``/``provider`` set every wallet link before the
    cycle is made. The budget (``funds``, 0 for none) is allocated before release, or last
    when the cycle stops short of it. Each step commits on its own, as the commands do.
    """
    if state != "draft" and state not in STEPS:
        raise ValueError(f"no such cycle state: {state}")
    if people:
        add_people(app, people)
    db = get_db(app)
    wallet = {k: v for k, v in (("verified", verified), ("provider", provider)) if v is not None}
    if wallet:
        with db.session() as s:
            s.execute(sa.update(WalletLink).values(**wallet))
    with db.session() as s:
        ref = cycles.create_cycle(s, get_pii(app), program_code=PROGRAM, period=period,
                                  actor=maker, province_code=PROVINCE, communes=communes,
                                  payment_date=payment_date).cycle.ref
    steps = STEPS[:STEPS.index(state) + 1] if state != "draft" else ()
    for step in steps:
        if step == "released" and funds:
            fund(app, funds, period=period, reference=reference)
        with db.session() as s:
            if step == "submitted":
                cycles.submit_cycle(s, ref, maker)
            elif step == "approved":
                cycles.approve_cycle(s, ref, checker)
            else:
                cycles.release_cycle(s, ref, checker)
    if "released" not in steps and funds:
        fund(app, funds, period=period, reference=reference)
    return MadeCycle(ref, payment_ids(app, ref))


def due_cycle(app: Flask, *, verified: bool = True, names: Sequence[str] | None = None,
              provider: str = "sandbox") -> list[int]:
    """Release November's cycle (already due) of ``names`` with wallets set; return payment ids."""
    return make_cycle(app, period=NOV, people=names or PAYABLE, verified=verified,
                 provider=provider).payment_ids


def fund(app: Flask, amount: int, *, period: date = DEC, reference: str = "QD") -> bool:
    """Allocate ``amount`` đồng to the program's period; say whether it was new."""
    with get_db(app).session() as s:
        return allocate(s, program_code=PROGRAM, period=period, amount=amount,
                        reference=reference, actor="cli:finance")


def payment_ids(app: Flask, ref: str) -> list[int]:
    """Return the cycle's payment ids, oldest first."""
    with get_db(app).sessionmaker() as s:
        cycle_id = s.scalar(sa.select(Cycle.id).where(Cycle.ref == ref))
        return list(s.scalars(sa.select(Payment.id).where(Payment.cycle_id == cycle_id)
                              .order_by(Payment.id)))


def payment_states(app: Flask) -> dict[int, str]:
    """Return every payment's state by id."""
    with get_db(app).sessionmaker() as s:
        return dict(s.execute(sa.select(Payment.id, Payment.state)).all())


def cycle_state(app: Flask, ref: str) -> str:
    """Return the cycle's state now."""
    with get_db(app).sessionmaker() as s:
        return cycles.get_cycle(s, ref).state


@dataclass(frozen=True)
class Paid:
    """One payment of a paid cycle as reconciliation sees it."""

    id: int
    ref: str
    amount: int
    state: str
    provider_ref: str | None


@dataclass(frozen=True)
class PaidCycle:
    """A released cycle: an and binh succeeded, cuong failed, dung in flight, hai not sent."""

    ref: str
    by_name: dict[str, Paid]

    def __getitem__(self, name: str) -> Paid:
        return self.by_name[name]


def paid_cycle(app: Flask, people: dict[str, str]) -> PaidCycle:
    """Release December's cycle of ``people`` and move its payments as ``PaidCycle`` says."""
    ref = make_cycle(app, funds=10_000_000, reference="QD-1").ref
    who = beneficiary_ids(app, people)
    with get_db(app).sessionmaker() as s:
        cycle_id = s.scalar(sa.select(Cycle.id).where(Cycle.ref == ref))
        by_person = dict(s.execute(sa.select(Payment.beneficiary_id, Payment.id)
                                   .where(Payment.cycle_id == cycle_id)).all())
    pid = {name: by_person[bid] for name, bid in who.items() if bid in by_person}
    with get_db(app).session() as s:
        for name in ("an", "binh", "cuong", "dung"):
            assert transition(s, pid[name], S.SENDING)
        assert transition(s, pid["an"], S.SUCCEEDED, provider_ref="VT-0001")
        assert transition(s, pid["binh"], S.SUCCEEDED, provider_ref="VT-0002")
        assert transition(s, pid["cuong"], S.FAILED, reason="declined")
    with get_db(app).sessionmaker() as s:
        rows = {p.id: p for p in s.scalars(sa.select(Payment).where(Payment.id.in_(pid.values())))}
    return PaidCycle(ref, {name: Paid(i, rows[i].ref, rows[i].amount, rows[i].state,
                                      rows[i].provider_ref) for name, i in pid.items()})


def money_snapshot(app: Flask) -> tuple[dict[int, str], dict[str, int], int]:
    """Return every payment's state, every account's balance and the number of postings."""
    with get_db(app).sessionmaker() as s:
        states = dict(s.execute(sa.select(Payment.id, Payment.state)).all())
        balances = {a: int(t) for a, t in s.execute(
            sa.select(Posting.account, sa.func.sum(Posting.amount)).group_by(Posting.account))}
        postings = s.scalar(sa.select(sa.func.count()).select_from(Posting))
    return states, balances, int(postings or 0)


# --- API keys -----------------------------------------------------------------------------

Headers = dict[str, str]


def bearer(token: str) -> Headers:
    """Return the header that presents ``token``."""
    return {"Authorization": f"Bearer {token}"}


def make_key(name: str, role: Role | str) -> str:
    """Create an API key in the current app's database and return its token."""
    with get_db().session() as session:
        _key, token = create_key(session, name, role)
    return token


def keys_by_role() -> dict[Role, str]:
    """Create one working API key per role (named ``test-<role>``); return their tokens."""
    return {role: make_key(f"test-{role.value}", role) for role in Role}
