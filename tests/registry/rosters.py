"""Build small roster files for tests."""

from __future__ import annotations

import csv
from pathlib import Path

VI_HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính (Nam/Nữ)",
    "Số CCCD",
    "Số điện thoại",
    "Mã xã",
    "Mã đối tượng",
    "Số con",
    "Tháng bắt đầu",
    "Ví nhận tiền",
    "Người nhận thay",
    "SĐT người nhận thay",
    "Mã hộ",
]

# Three valid people in Huế communes (46), each in their own household.
GOOD = [
    [
        "Nguyễn Văn An",
        "04/03/1940",
        "Nam",
        "046040123456",
        "0912345678",
        "19753",
        "NCT_80",
        "",
        "01/2024",
        "",
        "",
        "",
        "H1",
    ],
    [
        "Trần Thị Bình",
        "15/08/1985",
        "Nữ",
        "046185654321",
        "0987654321",
        "19777",
        "DON_THAN",
        "3",
        "07/2024",
        "",
        "",
        "",
        "H2",
    ],
    [
        "Lê Văn Cường",
        "20/02/2015",
        "Nam",
        "046215111222",
        "0345678901",
        "20182",
        "KT_DBN_TE_NCT",
        "",
        "03/2023",
        "",
        "Lê Thị Dung",
        "0778889990",
        "H3",
    ],
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
