"""Export the registry as an XLSX roster, masked unless the caller's role may see personal data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.pii.codec import PiiCodec
from gateway.pii.mask import mask_citizen_id, mask_name, mask_phone
from gateway.registry.models import Beneficiary, Enrolment, WalletLink

EXPORT_HEADER = [
    "Mã tham chiếu", "Họ và tên", "Ngày sinh", "Giới tính (Nam/Nữ)", "Số CCCD", "Số điện thoại",
    "Mã xã", "Mã đối tượng", "Số con", "Tháng bắt đầu", "Tháng kết thúc", "Ví nhận tiền",
    "Người nhận thay", "SĐT người nhận thay", "Mã hộ", "Trạng thái", "Ví đã xác minh", "Cảnh báo",
]
STATUS_VI = {"active": "Đang hưởng", "suspended": "Tạm dừng", "deceased": "Đã mất",
             "exited": "Thôi hưởng"}


def _month(d: date | None) -> str:
    return d.strftime("%m/%Y") if d else ""


def export_rows(
    session: Session, codec: PiiCodec, *, full: bool, commune: str | None = None
) -> Iterator[list[object]]:
    """Yield one row per beneficiary in ``EXPORT_HEADER`` order, streaming in batches."""
    B, W = Beneficiary.__table__, WalletLink.__table__
    query = sa.select(B, W.c.provider, W.c.verified, W.c.flag).outerjoin(
        W, W.c.beneficiary_id == B.c.id).order_by(B.c.commune_code, B.c.id)
    if commune:
        query = query.where(B.c.commune_code == commune)
    E = Enrolment.__table__
    for batch in session.execute(query.execution_options(yield_per=1000)).partitions():
        ids = [r.id for r in batch]
        enrolments: dict[int, list[sa.Row]] = {}
        for e in session.execute(sa.select(E).where(E.c.beneficiary_id.in_(ids))
                                 .order_by(E.c.category)):
            enrolments.setdefault(e.beneficiary_id, []).append(e)
        for r in batch:
            def clear(field: str, r: sa.Row = r) -> str:
                token = getattr(r, f"{field}_enc")
                return "" if token is None else codec.open("beneficiary", field, r.ref, token)

            name, cid, phone = clear("name"), clear("citizen_id"), clear("phone")
            rep_name, rep_phone, dob = clear("rep_name"), clear("rep_phone"), clear("dob")
            if not full:
                name, cid, phone = mask_name(name), mask_citizen_id(cid), mask_phone(phone)
                rep_name = mask_name(rep_name) if rep_name else ""
                rep_phone = mask_phone(rep_phone) if rep_phone else ""
                dob = dob[:4] if dob else ""  # the birth year is enough to check categories
            else:
                phone = "0" + phone[3:]
                rep_phone = "0" + rep_phone[3:] if rep_phone else ""
                dob = date.fromisoformat(dob).strftime("%d/%m/%Y")
            active = enrolments.get(r.id, [])
            children = next((e.children for e in active if e.category == "DON_THAN"), None)
            starts = [e.start_month for e in active]
            ends = [e.end_month for e in active if e.end_month]
            yield [
                r.ref, name, dob, "Nam" if r.sex == "M" else "Nữ", cid, phone, r.commune_code,
                ";".join(e.category for e in active), children or "",
                _month(min(starts)) if starts else "",
                _month(max(ends)) if ends and len(ends) == len(active) else "",
                r.provider or "", rep_name, rep_phone, r.household_code or "",
                STATUS_VI.get(r.status, r.status), "Có" if r.verified else "Chưa", r.flag or "",
            ]


def write_export(path: str, rows: Iterator[list[object]]) -> int:
    """Write rows to an XLSX file (write-only, so memory stays flat); return the row count."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Danh sach")
    sheet.append(EXPORT_HEADER)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    book.save(path)
    return count
