"""The streaming XLSX reader against files written by openpyxl (as Excel would write them)."""

from datetime import date, datetime

import openpyxl
import pytest

from gateway.rosters.xlsx import XlsxError, declared_rows, iter_rows


def test_reads_values_as_openpyxl_would(tmp_path):
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh", "Số CCCD", "Số con", "Tỉ lệ", "Đúng"])
    sheet.append(["Nguyễn Văn An", datetime(1940, 3, 4), 46040123456, 2, 1.5, True])
    sheet.append(["Trần Thị Bình", date(1985, 8, 15), "046185654321", None, None, False])
    sheet["B3"].number_format = "dd/mm/yyyy"
    sheet.cell(row=5, column=3, value="sparse")  # row 4 missing entirely, cells A5, B5 empty
    book.save(path)
    rows = list(iter_rows(str(path)))
    assert rows[0] == (1, ("Họ và tên", "Ngày sinh", "Số CCCD", "Số con", "Tỉ lệ", "Đúng"))
    assert rows[1] == (2, ("Nguyễn Văn An", datetime(1940, 3, 4), 46040123456, 2, 1.5, True))
    number, cells = rows[2]
    assert number == 3 and cells[1] == datetime(1985, 8, 15) and cells[2] == "046185654321"
    assert cells[5] is False
    assert rows[3] == (5, (None, None, "sparse"))
    assert declared_rows(str(path)) == 5


def test_reads_inline_strings_from_write_only_files(tmp_path):
    path = tmp_path / "w.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append(["Mã xã", "Tên"])
    sheet.append(["19753", "Phường Phú Xuân"])
    book.save(path)
    assert [cells for _, cells in iter_rows(str(path))] == [("Mã xã", "Tên"),
                                                           ("19753", "Phường Phú Xuân")]


def test_only_the_first_sheet_is_read(tmp_path):
    path = tmp_path / "two.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["first"])
    book.create_sheet("second").append(["second"])
    book.save(path)
    assert [cells for _, cells in iter_rows(str(path))] == [("first",)]


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04garbage"])
def test_damaged_files_raise_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(XlsxError):
        list(iter_rows(str(path)))
