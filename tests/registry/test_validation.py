"""Specification of roster row validation: every rule, its Excel repairs and its reasons."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.rosters.reference import CATEGORIES, DON_THAN
from gateway.rosters.validation import (
    Problem,
    RosterRow,
    RowValidator,
    parse_categories,
    parse_commune,
    parse_sex,
)
from gateway.vn.cells import InvalidValue
from gateway.vn.citizen_id import parse_citizen_id
from gateway.vn.dates import parse_date, parse_month
from gateway.vn.phone import is_vietnamese_mobile, parse_phone
from gateway.vn.places import Commune, citizen_id_prefixes, communes, provinces

TODAY = date(2026, 11, 27)
PROVIDERS = ("viettel_money", "vnpt_money", "momo")
# A woman born 05/03/1952 whose birth was registered in Huế (prefix 046).
GOOD: Mapping[str, object] = {
    "full_name": "Nguyễn Thị Hoa",
    "date_of_birth": "05/03/1952",
    "sex": "Nữ",
    "citizen_id": "046152012345",
    "phone": "0912345678",
    "commune_code": "19885",
    "category": "NCT_80",
    "start_month": "07/2024",
}


@pytest.fixture(scope="module")
def validator() -> RowValidator:
    """Give a validator for Huế with three wallets, on a fixed day."""
    return RowValidator(providers=PROVIDERS, province_code="46", today=TODAY)


def validate(validator: RowValidator, **changes: object) -> RosterRow | list[Problem]:
    """Validate the good row with some cells changed."""
    return validator.validate({**GOOD, **changes})


def accepted(validator: RowValidator, **changes: object) -> RosterRow:
    """Validate a row that must pass and return it."""
    result = validate(validator, **changes)
    assert isinstance(result, RosterRow), result
    return result


def codes(validator: RowValidator, **changes: object) -> list[str]:
    """Validate a row that must fail and return its problem codes."""
    result = validate(validator, **changes)
    assert isinstance(result, list) and result, result
    assert_messages_are_good(result)
    return [p.code for p in result]


def assert_messages_are_good(problems: list[Problem]) -> None:
    """Check every reason is present in both languages and leaks no personal data."""
    for problem in problems:
        assert problem.code.startswith(problem.field + ".")
        assert problem.vi and problem.en and problem.vi != problem.en
        assert not problem.vi.isascii(), problem.vi  # accented Vietnamese
        for secret in ("046152012345", "912345678", "Nguyễn Thị Hoa"):
            assert secret not in problem.vi and secret not in problem.en


def failure(parse: object, *args: object, **kwargs: object) -> InvalidValue:
    """Call a parser that must refuse its input and return the refusal."""
    with pytest.raises(InvalidValue) as caught:
        parse(*args, **kwargs)  # type: ignore[operator]
    error = caught.value
    assert error.vi and error.en
    return error


# --------------------------------------------------------------------------------------------
# Reference data


def test_reference_data_has_the_official_counts() -> None:
    assert len(communes()) == 3321
    assert sum(1 for c in communes().values() if c.province_code == "46") == 40
    assert len(provinces()) == 34
    assert len(citizen_id_prefixes()) == 63
    assert citizen_id_prefixes()["046"] == "Thành phố Huế"
    assert communes()["19885"] == Commune("19885", "Xã Đan Điền", "46", "Thành phố Huế", "commune")
    assert len(CATEGORIES) == 17 and DON_THAN in CATEGORIES
    assert all(c.label_vi and c.label_en for c in CATEGORIES.values())


def test_validator_refuses_an_unknown_province() -> None:
    with pytest.raises(ValueError):
        RowValidator(providers=PROVIDERS, province_code="99")


# --------------------------------------------------------------------------------------------
# The whole row


def test_good_row_is_returned_in_canonical_form(validator: RowValidator) -> None:
    row = accepted(validator)
    assert row == RosterRow(
        full_name="Nguyễn Thị Hoa",
        date_of_birth=date(1952, 3, 5),
        sex="F",
        citizen_id="046152012345",
        phone="+84912345678",
        commune_code="19885",
        categories=("NCT_80",),
        children=None,
        start_month=date(2024, 7, 1),
        wallet_provider=None,
        representative_name=None,
        representative_phone=None,
        household_code=None,
        status="active",
        end_month=None,
    )


def test_row_as_excel_leaves_it_is_repaired(validator: RowValidator) -> None:
    row = accepted(
        validator,
        date_of_birth=datetime(1952, 3, 5),
        citizen_id=46152012345,
        phone=912345678.0,
        commune_code=19885,
        start_month=datetime(2024, 7, 1),
        children=None,
    )
    assert (row.citizen_id, row.phone, row.commune_code) == (
        "046152012345",
        "+84912345678",
        "19885",
    )


def test_every_problem_of_a_row_is_reported(validator: RowValidator) -> None:
    result = validate(
        validator,
        full_name="A1",
        date_of_birth="31/02/1952",
        sex="1",
        citizen_id="123456789",
        phone="01623456789",
        commune_code="99999",
        category="XYZ",
        start_month="13/2024",
        wallet_provider="zalopay",
        representative_name="Lê Văn Bình",
        household_code="x" * 33,
        status="??",
    )
    assert isinstance(result, list)
    assert [p.code for p in result] == [
        "full_name.digits",
        "date_of_birth.invalid",
        "sex.ambiguous",
        "citizen_id.cmnd",
        "phone.old_11_digit",
        "commune_code.unknown",
        "category.unknown",
        "start_month.invalid",
        "wallet_provider.unknown",
        "representative_phone.required",
        "household_code.too_long",
        "status.unknown",
    ]
    assert_messages_are_good(result)


def test_missing_required_cells_are_each_reported(validator: RowValidator) -> None:
    result = validator.validate({})
    assert isinstance(result, list)
    assert [p.code for p in result] == [
        "full_name.required",
        "date_of_birth.required",
        "sex.required",
        "citizen_id.required",
        "phone.required",
        "commune_code.required",
        "category.required",
        "start_month.required",
    ]
    assert result[0].vi == "Thiếu Họ và tên; hãy điền ô này."
    assert result[0].en == "Full name is missing; fill in this cell."


def test_blank_text_counts_as_missing(validator: RowValidator) -> None:
    assert codes(validator, full_name="   ", phone="\u200b") == [
        "full_name.required",
        "phone.required",
    ]


# --------------------------------------------------------------------------------------------
# Full name


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Nguyễn Thị Hoa", "Nguyễn Thị Hoa"),
        ("  Nguyễn   Thị\tHoa ", "Nguyễn Thị Hoa"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Hoa"), "Nguyễn Thị Hoa"),
        ("H'Hen Niê", "H'Hen Niê"),
        ("Trần-Lê Ánh", "Trần-Lê Ánh"),
        ("NGUYỄN VĂN A.", "NGUYỄN VĂN A."),
        ("Ly", "Ly"),
    ],
)
def test_names_are_trimmed_and_composed(validator: RowValidator, raw: str, clean: str) -> None:
    assert accepted(validator, full_name=raw).full_name == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Nguyễn Văn 2", "full_name.digits"),
        (12345, "full_name.digits"),
        ("Hoa@gmail", "full_name.characters"),
        ("---", "full_name.no_letters"),
        ("Hoa\u200b\u00a0!", "full_name.characters"),
        ("A", "full_name.too_short"),
        ("A" * 101, "full_name.too_long"),
        (None, "full_name.required"),
    ],
)
def test_bad_names_are_refused(validator: RowValidator, raw: object, code: str) -> None:
    assert codes(validator, full_name=raw) == [code]


def test_name_reasons_say_what_to_do(validator: RowValidator) -> None:
    result = validate(validator, full_name="Hoa@")
    assert isinstance(result, list)
    assert result[0].vi == (
        "Họ và tên có ký tự không hợp lệ «@»; chỉ ghi chữ cái, dấu cách, dấu nháy, "
        "gạch nối hoặc dấu chấm."
    )
    result = validate(validator, full_name="A")
    assert isinstance(result, list)
    assert result[0].en == "Full name has only 1 character; it needs at least 2."


# --------------------------------------------------------------------------------------------
# Date of birth


@pytest.mark.parametrize(
    "raw",
    [
        "05/03/1952",
        "5/3/1952",
        "05-03-1952",
        "05.03.1952",
        "1952-03-05",
        "1952-03-05 00:00:00",
        "05/03/1952 00:00:00",
        date(1952, 3, 5),
        datetime(1952, 3, 5, 0, 0),
        19058,  # Excel serial number in a numeric cell
        19058.0,
        19058.75,  # a serial with a time of day
    ],
)
def test_dates_of_birth_in_every_accepted_form(validator: RowValidator, raw: object) -> None:
    assert accepted(validator, date_of_birth=raw).date_of_birth == date(1952, 3, 5)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("31/02/1952", "date_of_birth.invalid"),
        ("05/13/1952", "date_of_birth.invalid"),
        ("05/03/52", "date_of_birth.format"),
        ("5 tháng 3 năm 1952", "date_of_birth.format"),
        ("19058", "date_of_birth.format"),  # a serial typed as text is not trusted
        ("1952", "date_of_birth.year_only"),
        (1952, "date_of_birth.year_only"),
        (float("nan"), "date_of_birth.format"),
        (float("inf"), "date_of_birth.format"),
        (-5, "date_of_birth.format"),
        (True, "date_of_birth.format"),
        ("01/01/2027", "date_of_birth.future"),
        ("31/12/1899", "date_of_birth.too_old"),
        (None, "date_of_birth.required"),
    ],
)
def test_bad_dates_of_birth_are_refused(validator: RowValidator, raw: object, code: str) -> None:
    assert codes(validator, date_of_birth=raw) == [code]


def test_date_reasons_help_with_swapped_day_and_month() -> None:
    error = failure(parse_date, "03/25/1952")
    assert error.code == "date_of_birth.invalid"
    assert error.vi == (
        "Ngày sinh không phải ngày có thật (có thể đã ghi tháng trước ngày); "
        "ghi ngày/tháng/năm, ví dụ 05/03/1950."
    )
    assert failure(parse_date, "1952").en.startswith("Date of birth has only a year;")


def test_birth_date_today_is_accepted_and_tomorrow_is_not(validator: RowValidator) -> None:
    young = {"citizen_id": "046326012345", "start_month": "11/2026"}
    assert accepted(validator, date_of_birth=TODAY, **young).date_of_birth == TODAY
    tomorrow = TODAY + timedelta(days=1)
    assert "date_of_birth.future" in codes(validator, date_of_birth=tomorrow, **young)


# --------------------------------------------------------------------------------------------
# Sex


@pytest.mark.parametrize(
    ("raw", "sex"),
    [
        ("Nam", "M"),
        ("NAM", "M"),
        ("nam", "M"),
        ("M", "M"),
        ("m", "M"),
        ("Male", "M"),
        ("Nữ", "F"),
        ("NỮ", "F"),
        ("nu", "F"),
        ("Nu", "F"),
        ("F", "F"),
        ("female", "F"),
        (unicodedata.normalize("NFD", "Nữ"), "F"),
    ],
)
def test_sexes_in_every_accepted_spelling(raw: str, sex: str) -> None:
    assert parse_sex(raw) == sex


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1", "sex.ambiguous"), (0, "sex.ambiguous"), (1.0, "sex.ambiguous"), ("X", "sex.format")],
)
def test_bad_sexes_are_refused(raw: object, code: str) -> None:
    error = failure(parse_sex, raw)
    assert error.code == code


def test_sex_given_as_a_number_is_called_ambiguous() -> None:
    assert (
        failure(parse_sex, "1").vi == "Giới tính ghi bằng số 1/0 không rõ nghĩa; ghi Nam hoặc Nữ."
    )


# --------------------------------------------------------------------------------------------
# Citizen ID


@pytest.mark.parametrize(
    "raw",
    [
        "046152012345",
        " 046 152 012 345 ",
        "046.152.012.345",
        "046-152-012345",
        46152012345,  # numeric cell: the leading zero is gone
        46152012345.0,
        "46152012345.0",
        "4.6152012345E10",
        "4.6152012345e+10",
        "46152012345",  # a CSV re-saved by Excel
        "'046152012345",  # Excel's keep-as-text apostrophe
    ],
)
def test_citizen_ids_and_their_excel_repairs(raw: object) -> None:
    assert parse_citizen_id(raw) == "046152012345"


def test_ids_that_lost_two_zeros_are_repaired() -> None:
    assert parse_citizen_id(1152012345) == "001152012345"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("04615201234", "citizen_id.format"),  # starts with 0, so nothing was lost: a digit is
        ("0461520123456", "citizen_id.format"),
        ("04615201234A", "citizen_id.format"),
        (46152012345.5, "citizen_id.format"),
        (-46152012345, "citizen_id.format"),
        (float("nan"), "citizen_id.format"),
        ("123456789", "citizen_id.cmnd"),
        ("012345678", "citizen_id.cmnd"),
        (123456789, "citizen_id.cmnd"),
        ("999152012345", "citizen_id.unknown_province"),
        ("003152012345", "citizen_id.unknown_province"),
        ("046652012345", "citizen_id.format"),  # 4th digit must be 0–5
        ("4.61520E+10", "citizen_id.precision_lost"),
        (None, "citizen_id.required"),
    ],
)
def test_bad_citizen_ids_are_refused(raw: object, code: str) -> None:
    assert failure(parse_citizen_id, raw).code == code


def test_citizen_id_reasons() -> None:
    error = failure(parse_citizen_id, "04615201234")
    assert error.vi == "Số CCCD có 11 chữ số; cần đúng 12 chữ số."
    assert error.en == "Citizen ID has 11 digits; it must have exactly 12."
    error = failure(parse_citizen_id, "123456789")
    assert "31/12/2024" in error.vi and "12" in error.vi
    assert "31/12/2024" in error.en and "12-digit" in error.en
    error = failure(parse_citizen_id, "999152012345")
    assert "999" in error.vi and "999152012345" not in error.vi
    assert "E+" in failure(parse_citizen_id, "4.61520E+10").vi


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"citizen_id": "046352012345"}, "citizen_id.century_mismatch"),  # 2000s woman
        ({"citizen_id": "046153012345"}, "citizen_id.year_mismatch"),
        ({"citizen_id": "046052012345"}, "citizen_id.sex_mismatch"),  # a man
        ({"citizen_id": "046052012345", "sex": "Nam"}, None),
        (
            {
                "citizen_id": "046205012345",
                "date_of_birth": "01/01/2005",
                "sex": "Nam",
                "start_month": "01/2005",
            },
            None,
        ),
        (
            {
                "citizen_id": "046405012345",
                "date_of_birth": "01/01/2005",
                "sex": "Nam",
                "start_month": "01/2005",
            },
            "citizen_id.century_mismatch",
        ),
    ],
)
def test_citizen_id_must_agree_with_birth_and_sex(
    validator: RowValidator, changes: dict[str, object], code: str | None
) -> None:
    if code is None:
        accepted(validator, **changes)
    else:
        assert codes(validator, **changes) == [code]


def test_mismatch_reasons_name_the_birth_year_not_the_id(validator: RowValidator) -> None:
    result = validate(validator, citizen_id="046153012345")
    assert isinstance(result, list)
    assert result[0].vi == (
        "Chữ số thứ 5–6 của số CCCD không khớp năm sinh 1952; kiểm tra lại số CCCD hoặc ngày sinh."
    )
    result = validate(validator, citizen_id="046052012345")
    assert isinstance(result, list)
    assert result[0].en == (
        "The 4th digit of the citizen ID is for a male but sex says female; "
        "check the ID or the sex."
    )


def test_id_is_not_compared_with_an_invalid_birth_date_or_sex(validator: RowValidator) -> None:
    assert codes(validator, citizen_id="046153012345", date_of_birth="abc") == [
        "date_of_birth.format"
    ]
    assert codes(validator, citizen_id="046052012345", sex="X") == ["sex.format"]
    assert codes(validator, citizen_id="04615201234", date_of_birth="abc") == [
        "date_of_birth.format",
        "citizen_id.format",
    ]


# --------------------------------------------------------------------------------------------
# Phone numbers


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        912345678,  # numeric cell: the leading zero is gone
        912345678.0,
        "912345678",
        "912345678.0",
        "9.12345678E8",
        "9.12345678E+08",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        84912345678,
        "0084912345678",
        "0912.345.678",
        "0912-345-678",
        "(091) 2345678",
        " 0912 345 678 ",
        "'0912345678",
        "+84 (0) 912 345 678",
        "840912345678",
    ],
)
def test_phones_and_their_excel_repairs(raw: object) -> None:
    assert parse_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    "number", ["0301234567", "0351234567", "0591234567", "0701234567", "0861234567", "0991234567"]
)
def test_every_mobile_range_is_accepted(number: str) -> None:
    assert parse_phone(number) == "+84" + number[1:]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("01623456789", "phone.old_11_digit"),
        (1623456789, "phone.old_11_digit"),
        ("+84 1623456789", "phone.old_11_digit"),
        ("0126 345 6789", "phone.old_11_digit"),
        ("02438251234", "phone.landline"),
        (2438251234, "phone.landline"),
        ("+84 24 3825 1234", "phone.landline"),
        ("091234567", "phone.length"),
        ("09123456789", "phone.length"),
        ("0", "phone.length"),
        ("0521234567", "phone.not_mobile"),
        ("0612345678", "phone.not_mobile"),
        ("1900123456", "phone.length"),
        ("01991234567", "phone.old_11_digit"),
        ("01861234567", "phone.old_11_digit"),
        ("+1 650 253 0000", "phone.foreign"),
        ("0912345678 / 0987654321", "phone.multiple"),
        ("0912345678 hoặc 0987654321", "phone.multiple"),
        ("không có", "phone.format"),
        (912345678.5, "phone.format"),
        (float("inf"), "phone.format"),
        ("9.12346E+08", "phone.precision_lost"),
        (None, "phone.required"),
    ],
)
def test_bad_phones_are_refused(raw: object, code: str) -> None:
    assert failure(parse_phone, raw).code == code


def test_phone_reasons() -> None:
    error = failure(parse_phone, "01623456789")
    assert "2018" in error.vi and "10 chữ số" in error.vi
    assert "2018" in error.en and "10 digits" in error.en
    error = failure(parse_phone, "02438251234")
    assert error.vi == "Số điện thoại là số máy bàn (02x); cần số di động để nhận tiền vào ví."
    error = failure(parse_phone, "091234567")
    assert error.en == (
        "Phone number has 9 digits; it needs 10 digits starting with 0 (03x, 05x, 07x, 08x, 09x)."
    )
    error = failure(parse_phone, "0521234567", field="representative_phone")
    assert error.code == "representative_phone.not_mobile"
    assert error.vi.startswith("SĐT người nhận thay có đầu số 052")


def test_fast_mobile_check_agrees_with_phonenumbers() -> None:
    for prefix in range(1000):
        for tail in ("000000", "123456", "999999"):
            national = f"{prefix:03d}{tail}"
            parsed = phonenumbers.parse("+84" + national)
            expected = (
                national[0] in "35789"
                and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
            )
            assert is_vietnamese_mobile(national) == expected, national


# --------------------------------------------------------------------------------------------
# Commune


@pytest.mark.parametrize("raw", ["19885", 19885, 19885.0, "19885.0", " 19885 "])
def test_commune_codes(raw: object) -> None:
    assert parse_commune(raw, province_code="46").code == "19885"


@pytest.mark.parametrize("raw", [4, "4", "00004", 4.0, "004"])
def test_commune_codes_get_their_zeros_back(raw: object) -> None:
    assert parse_commune(raw).name == "Phường Ba Đình"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1988A", "commune_code.format"),
        ("198850", "commune_code.format"),
        (-4, "commune_code.format"),
        ("99999", "commune_code.unknown"),
        (None, "commune_code.required"),
    ],
)
def test_bad_commune_codes_are_refused(raw: object, code: str) -> None:
    assert failure(parse_commune, raw).code == code


def test_unknown_commune_may_be_a_pre_2025_code() -> None:
    error = failure(parse_commune, "99999")
    assert "01/07/2025" in error.vi and "mã cũ" in error.vi
    assert "01/07/2025" in error.en and "pre-2025" in error.en


def test_commune_must_belong_to_the_importing_province(validator: RowValidator) -> None:
    error = failure(parse_commune, "00004", province_code="46")
    assert error.code == "commune_code.other_province"
    assert error.vi == (
        "Mã xã 00004 là Phường Ba Đình thuộc Thành phố Hà Nội, không thuộc Thành phố Huế; "
        "kiểm tra lại mã xã."
    )
    assert codes(validator, commune_code=4) == ["commune_code.other_province"]
    unlimited = RowValidator(providers=PROVIDERS, today=TODAY)
    assert isinstance(unlimited.validate({**GOOD, "commune_code": 4}), RosterRow)


# --------------------------------------------------------------------------------------------
# Categories and children


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("NCT_80", ("NCT_80",)),
        ("nct_80", ("NCT_80",)),
        ("NCT_80;KT_NANG", ("KT_NANG", "NCT_80")),
        (" NCT_80 ; kt_nang ", ("KT_NANG", "NCT_80")),
        ("KT_NANG, NCT_80, KT_NANG", ("KT_NANG", "NCT_80")),
        ("NCT_80;", ("NCT_80",)),
        ("nct-80", ("NCT_80",)),
    ],
)
def test_categories(raw: str, parsed: tuple[str, ...]) -> None:
    assert parse_categories(raw) == parsed


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("XYZ", "category.unknown"),
        ("NCT_80;ABC", "category.unknown"),
        (";", "category.required"),
        (None, "category.required"),
        (80, "category.unknown"),
    ],
)
def test_bad_categories_are_refused(raw: object, code: str) -> None:
    assert failure(parse_categories, raw).code == code


def test_unknown_category_reason_names_the_code() -> None:
    error = failure(parse_categories, "NCT_80;ABC")
    assert error.vi == (
        "Mã đối tượng không có trong danh mục: ABC; dùng mã theo danh mục "
        "(ví dụ NCT_80, KT_NANG), cách nhau bằng dấu ;."
    )
    assert "ABC" in error.en


@pytest.mark.parametrize("children", ["2", 2, 2.0, "2.0", " 2 "])
def test_single_parent_needs_and_keeps_the_child_count(
    validator: RowValidator, children: object
) -> None:
    row = accepted(validator, category="DON_THAN", children=children)
    assert (row.categories, row.children) == (("DON_THAN",), 2)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"category": "DON_THAN"}, "children.required"),
        ({"category": "DON_THAN", "children": 0}, "children.required"),
        ({"category": "DON_THAN", "children": "2.5"}, "children.format"),
        ({"category": "DON_THAN", "children": 2.5}, "children.format"),
        ({"category": "DON_THAN", "children": "-1"}, "children.format"),
        ({"category": "DON_THAN", "children": "hai"}, "children.format"),
        ({"category": "DON_THAN", "children": 25}, "children.range"),
        ({"category": "NCT_80", "children": 2}, "children.not_applicable"),
    ],
)
def test_child_count_rules(validator: RowValidator, changes: dict[str, object], code: str) -> None:
    assert codes(validator, **changes) == [code]


def test_child_count_reasons(validator: RowValidator) -> None:
    result = validate(validator, children=2)
    assert isinstance(result, list)
    assert result[0].vi == (
        "Số con chỉ dùng cho đối tượng DON_THAN; xóa ô này hoặc thêm mã DON_THAN."
    )
    result = validate(validator, category="DON_THAN")
    assert isinstance(result, list)
    assert result[0].en == "Category DON_THAN needs the number of children raised (at least 1)."


def test_zero_children_without_single_parent_is_harmless(validator: RowValidator) -> None:
    assert accepted(validator, children=0).children is None


def test_children_are_not_judged_against_unknown_categories(validator: RowValidator) -> None:
    assert codes(validator, category="XYZ", children=2) == ["category.unknown"]


# --------------------------------------------------------------------------------------------
# Months


@pytest.mark.parametrize(
    "raw",
    [
        "07/2024",
        "7/2024",
        "07-2024",
        "2024-07",
        "01/07/2024",
        "15/07/2024",
        datetime(2024, 7, 1),
        date(2024, 7, 15),
        45474,
    ],
)
def test_start_months(raw: object) -> None:
    assert parse_month(raw) == date(2024, 7, 1)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"start_month": "13/2024"}, "start_month.invalid"),
        ({"start_month": "00/2024"}, "start_month.invalid"),
        ({"start_month": "07/24"}, "start_month.format"),
        ({"start_month": "2024"}, "start_month.format"),
        ({"start_month": "tháng 7"}, "start_month.format"),
        ({"start_month": 2024}, "start_month.format"),
        ({"start_month": None}, "start_month.required"),
        ({"start_month": "02/1952"}, "start_month.before_birth"),
        ({"start_month": "12/2027"}, "start_month.too_late"),
        ({"end_month": "06/2024"}, "end_month.before_start"),
        ({"end_month": "abc"}, "end_month.format"),
    ],
)
def test_month_rules(validator: RowValidator, changes: dict[str, object], code: str) -> None:
    assert codes(validator, **changes) == [code]


def test_month_limits_are_inclusive(validator: RowValidator) -> None:
    assert accepted(validator, start_month="03/1952").start_month == date(1952, 3, 1)
    assert accepted(validator, start_month="11/2027").start_month == date(2027, 11, 1)
    row = accepted(validator, end_month="07/2024")
    assert row.end_month == date(2024, 7, 1)


def test_month_reasons(validator: RowValidator) -> None:
    result = validate(validator, start_month="12/2027")
    assert isinstance(result, list)
    assert result[0].vi == ("Tháng bắt đầu 12/2027 quá 12 tháng kể từ nay; muộn nhất là 11/2027.")
    result = validate(validator, end_month="06/2024")
    assert isinstance(result, list)
    assert result[0].en == ("End month 06/2024 is before the start month 07/2024; check it.")


# --------------------------------------------------------------------------------------------
# Wallet, representative, status, household


@pytest.mark.parametrize(
    ("raw", "provider"),
    [
        (None, None),
        ("", None),
        ("Viettel Money", "viettel_money"),
        ("MOMO", "momo"),
        ("VNPT-Money", "vnpt_money"),
    ],
)
def test_wallet_providers(validator: RowValidator, raw: object, provider: str | None) -> None:
    assert accepted(validator, wallet_provider=raw).wallet_provider == provider


def test_unknown_wallet_lists_the_allowed_ones(validator: RowValidator) -> None:
    result = validate(validator, wallet_provider="ZaloPay")
    assert isinstance(result, list)
    assert result[0].code == "wallet_provider.unknown"
    assert result[0].vi == (
        "Ví nhận tiền không được hỗ trợ; chọn một trong: momo, viettel_money, vnpt_money, "
        "hoặc để trống."
    )


def test_representative_comes_with_a_phone(validator: RowValidator) -> None:
    row = accepted(validator, representative_name="Lê Văn Bình", representative_phone=987654321)
    assert (row.representative_name, row.representative_phone) == ("Lê Văn Bình", "+84987654321")
    same = accepted(validator, representative_name="Lê Văn Bình", representative_phone="0912345678")
    assert same.representative_phone == same.phone


@pytest.mark.parametrize(
    ("changes", "found"),
    [
        ({"representative_name": "Lê Văn Bình"}, ["representative_phone.required"]),
        ({"representative_phone": "0987654321"}, ["representative_name.required"]),
        (
            {"representative_name": "Lê Văn Bình", "representative_phone": "02438251234"},
            ["representative_phone.landline"],
        ),
        (
            {"representative_name": "Bình 2", "representative_phone": "0987654321"},
            ["representative_name.digits"],
        ),
    ],
)
def test_representative_rules(
    validator: RowValidator, changes: dict[str, object], found: list[str]
) -> None:
    assert codes(validator, **changes) == found


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (None, "active"),
        ("Đang hưởng", "active"),
        ("dang huong", "active"),
        ("ACTIVE", "active"),
        ("Tạm dừng", "suspended"),
        ("suspended", "suspended"),
        ("Đã mất", "deceased"),
        ("Chết", "deceased"),
        ("deceased", "deceased"),
        ("Thôi hưởng", "exited"),
        ("Cắt", "exited"),
        ("exited", "exited"),
    ],
)
def test_statuses(validator: RowValidator, raw: object, status: str) -> None:
    row = accepted(validator, status=raw)
    assert row.status == status and row.end_month is None


def test_unknown_status_lists_the_words(validator: RowValidator) -> None:
    result = validate(validator, status="Nghỉ")
    assert isinstance(result, list)
    assert result[0].code == "status.unknown"
    assert "Đang hưởng, Tạm dừng, Đã mất hoặc Thôi hưởng" in result[0].vi


@pytest.mark.parametrize(
    ("raw", "code"), [(" HK-001 ", "HK-001"), (12345, "12345"), (12345.0, "12345"), (None, None)]
)
def test_household_codes(validator: RowValidator, raw: object, code: str | None) -> None:
    assert accepted(validator, household_code=raw).household_code == code


def test_household_code_has_a_length_limit(validator: RowValidator) -> None:
    assert accepted(validator, household_code="x" * 32).household_code == "x" * 32
    assert codes(validator, household_code="x" * 33) == ["household_code.too_long"]


# --------------------------------------------------------------------------------------------
# Robustness

_CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
    st.sampled_from(
        [
            "Nam",
            "Nữ",
            "DON_THAN",
            "0912345678",
            "046152012345",
            "07/2024",
            "19885",
            "1/1/1900",
            "4.6152012345E10",
            "9.12345678E8",
            "+84",
            "E+",
            ";",
            "00/00/0000",
            "29/02/1900",
        ]
    ),
)
_FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "citizen_id",
    "phone",
    "commune_code",
    "category",
    "children",
    "start_month",
    "wallet_provider",
    "representative_name",
    "representative_phone",
    "household_code",
    "status",
    "end_month",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional=dict.fromkeys(_FIELDS, _CELLS)))
def test_validate_never_raises_and_always_answers(values: dict[str, object]) -> None:
    validator = RowValidator(providers=PROVIDERS, province_code="46", today=TODAY)
    result = validator.validate(values)
    if isinstance(result, list):
        assert result and all(isinstance(p, Problem) and p.vi and p.en for p in result)
    else:
        assert isinstance(result, RosterRow)


@pytest.mark.parametrize(
    "cell",
    [10**5000, -(10**5000), 10**20, float("-inf"), b"0912", object()],
    ids=["huge", "huge-negative", "big", "-inf", "bytes", "object"],
)
def test_absurd_cells_get_reasons(validator: RowValidator, cell: object) -> None:
    result = validator.validate(dict.fromkeys(_FIELDS, cell))
    assert isinstance(result, list) and len(result) >= 8


@settings(max_examples=200, deadline=None)
@given(_CELLS)
def test_parsers_only_raise_invalid_value(cell: object) -> None:
    for parse in (
        parse_citizen_id,
        parse_phone,
        parse_date,
        parse_month,
        parse_sex,
        parse_categories,
        parse_commune,
    ):
        try:
            parse(cell)
        except InvalidValue:
            pass


@settings(max_examples=200, deadline=None)
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sex=st.sampled_from(["M", "F"]),
    tail=st.integers(min_value=0, max_value=999_999),
    prefix=st.sampled_from(sorted(citizen_id_prefixes())),
)
def test_any_consistent_person_is_accepted(born: date, sex: str, tail: int, prefix: str) -> None:
    century = (born.year - 1900) // 100 * 2 + (sex == "F")
    citizen_id = f"{prefix}{century}{born.year % 100:02d}{tail:06d}"
    validator = RowValidator(providers=PROVIDERS, today=TODAY)
    row = validator.validate(
        {
            **GOOD,
            "date_of_birth": born,
            "sex": "Nam" if sex == "M" else "Nữ",
            "citizen_id": int(citizen_id),
            "start_month": born,
        }
    )
    assert isinstance(row, RosterRow), row
    assert row.citizen_id == citizen_id and not math.isnan(row.date_of_birth.toordinal())
