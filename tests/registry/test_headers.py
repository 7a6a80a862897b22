"""Specification of roster header recognition: the spellings officers use, and title rows."""

from __future__ import annotations

import pytest

from gateway.rosters.headers import (
    FIELDS,
    REQUIRED,
    find_header_row,
    header_label,
    match_headers,
)

DOMAIN_HEADERS = [
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
]
ENGLISH_HEADERS = [
    "full_name",
    "date_of_birth",
    "sex (M/F)",
    "citizen_id",
    "phone",
    "commune_code",
    "category",
    "children",
    "start_month",
    "wallet_provider",
    "representative_name",
    "representative_phone",
]


def test_fields_are_in_roster_order_with_required_ones_known() -> None:
    assert FIELDS[:12] == tuple(ENGLISH_HEADERS[:2]) + ("sex",) + tuple(ENGLISH_HEADERS[3:])
    assert FIELDS[12:] == ("household_code", "status", "end_month")
    assert REQUIRED == {
        "full_name",
        "date_of_birth",
        "sex",
        "citizen_id",
        "phone",
        "commune_code",
        "category",
        "start_month",
    }


@pytest.mark.parametrize(
    "headers",
    [
        DOMAIN_HEADERS,
        ENGLISH_HEADERS,
        [h.upper() for h in DOMAIN_HEADERS],
        [
            "HO VA TEN",
            "ngay sinh",
            "Gioi tinh",
            "so cccd",
            "SO DIEN THOAI",
            "ma xa",
            "ma doi tuong",
            "so con",
            "thang bat dau",
            "vi nhan tien",
            "nguoi nhan thay",
            "sdt nguoi nhan thay",
        ],
        [
            "ho_va_ten",
            " Ngày  sinh ",
            "GIỚI TÍNH",
            "Số CCCD/Định danh",
            "Số ĐT",
            "Mã xã/phường",
            "Đối tượng",
            "Số con (DON_THAN)",
            "Tháng bắt đầu (mm/yyyy)",
            "Ví nhận tiền",
            "Người nhận thay",
            "SĐT người nhận thay",
        ],
        [
            "Full Name",
            "Ngày tháng năm sinh",
            "Sex",
            "CCCD",
            "SĐT",
            "Commune code",
            "Category",
            "Children",
            "Start month",
            "Wallet provider",
            "Representative name",
            "Representative phone",
        ],
    ],
    ids=["domain", "english", "upper", "unaccented", "variants", "mixed"],
)
def test_all_twelve_columns_are_recognised(headers: list[str]) -> None:
    match = match_headers(headers)
    assert match.columns == {name: i for i, name in enumerate(FIELDS[:12])}
    assert (match.missing, match.unknown, match.duplicates) == ([], [], [])
    assert match.ok


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Điện thoại", "phone"),
        ("Số điện thoại (ví)", "phone"),
        ("Ngày sinh\n(dd/mm/yyyy)", "date_of_birth"),
        ("Ngày, tháng, năm sinh", "date_of_birth"),
        ("Mã đối tượng", "category"),
        ("Giới tính (Nam/Nữ)", "sex"),
        ("gioi-tinh", "sex"),
        ("Mã hộ", "household_code"),
        ("Mã hộ gia đình", "household_code"),
        ("household_code", "household_code"),
        ("Trạng thái", "status"),
        ("STATUS", "status"),
        ("Tháng kết thúc", "end_month"),
        ("end_month", "end_month"),
    ],
)
def test_header_variants(header: str, field: str) -> None:
    assert match_headers([header]).columns == {field: 0}


def test_serial_number_column_is_ignored_and_extra_columns_are_listed() -> None:
    match = match_headers(["STT", *DOMAIN_HEADERS, "Ghi chú", None, "", 2024])
    assert match.columns["full_name"] == 1
    assert match.unknown == ["Ghi chú", "2024"]
    assert match.missing == []


def test_missing_required_columns_are_reported_in_field_order() -> None:
    match = match_headers(["Họ và tên", "Số điện thoại", "Mã xã", "Ghi chú"])
    assert match.missing == ["date_of_birth", "sex", "citizen_id", "category", "start_month"]
    assert not match.ok
    assert match_headers(DOMAIN_HEADERS[:8]).missing == ["start_month"]


def test_optional_columns_may_be_absent() -> None:
    match = match_headers(DOMAIN_HEADERS[:7] + ["Tháng bắt đầu"])
    assert match.missing == [] and "children" not in match.columns


def test_a_field_given_twice_is_a_duplicate_and_the_first_column_wins() -> None:
    match = match_headers([*DOMAIN_HEADERS, "CCCD", "so cccd"])
    assert match.columns["citizen_id"] == 3
    assert match.duplicates == ["Số CCCD (citizen_id)"]
    assert not match.ok


def test_header_labels_for_messages() -> None:
    assert header_label("citizen_id") == "Số CCCD (citizen_id)"
    assert header_label("sex") == "Giới tính (sex)"
    assert header_label("representative_phone") == "SĐT người nhận thay (representative_phone)"
    assert all(header_label(name) for name in FIELDS)


def test_header_row_is_found_below_official_title_lines() -> None:
    rows: list[list[object]] = [
        ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", None, None],
        ["Độc lập - Tự do - Hạnh phúc"],
        [],
        ["DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP XÃ HỘI HẰNG THÁNG", None],
        ["Xã Đan Điền, Thành phố Huế", None, "Tháng 07/2024"],
        ["STT", *DOMAIN_HEADERS],
        [1, "Nguyễn Thị Hoa", "05/03/1952"],
    ]
    found = find_header_row(rows)
    assert found is not None
    index, match = found
    assert index == 5
    assert match.columns["full_name"] == 1 and match.missing == []


def test_the_row_with_most_required_fields_wins() -> None:
    rows = [
        ["Họ và tên", "Ngày sinh", "Giới tính"],
        ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại"],
        ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD"],
    ]
    found = find_header_row(rows)
    assert found is not None and found[0] == 1
    assert found[1].missing == ["commune_code", "category", "start_month"]


def test_no_header_row_when_fewer_than_three_required_fields_match() -> None:
    assert find_header_row([["Danh sách"], ["Họ và tên", "Ngày sinh", "Ghi chú"]]) is None
    assert find_header_row([]) is None


def test_header_row_search_stops_after_max_scan_rows() -> None:
    rows = [["tiêu đề"]] * 20 + [DOMAIN_HEADERS]
    assert find_header_row(rows) is None
    found = find_header_row(iter(rows), max_scan=21)
    assert found is not None and found[0] == 20
