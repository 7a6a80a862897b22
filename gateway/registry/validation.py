"""Validate one roster row cell by cell, with reasons an officer can act on (vi and en).

Every parser takes a raw cell as read from CSV (``str``) or openpyxl (``str``, ``int``,
``float``, ``datetime``, ``date`` or ``None``) and returns the clean value or raises
``InvalidValue``. ``RowValidator`` runs them all and returns a ``RosterRow`` or every
``Problem`` of the row. Messages never repeat a citizen ID, phone number or name, because
error files are shared; they may name lengths, a province prefix or the birth year.

Decisions worth knowing:

- An Excel serial date (a number such as 20456) is accepted only from a numeric cell; the same
  digits typed as text are a format error, since text "20456" is more likely a typo.
  A number between 1900 and 2100 is read as a year alone and rejected with its own reason.
- A citizen ID that lost its leading zeros (numeric cell, "4.6152012345E10", "46152012345.0",
  or digit text not starting with 0, as Excel leaves in a re-saved CSV) is padded to 12 digits
  only when the padded number starts with a known province prefix.
- Scientific notation with too few digits ("4.61520E+10") lost digits for good: it gets its own
  reason instead of a guess.
- ``children`` of 0 or empty on a row without DON_THAN is not an error (it counts nothing);
  with DON_THAN it must be 1 to 20 (more is taken for a typo).
- Phones are checked against libphonenumber's Vietnamese mobile pattern directly (the same
  metadata ``phonenumbers.number_type`` uses), because parsing 60,000 numbers costs seconds.
- Status deceased/exited does not require ``end_month``; it stays ``None`` unless given.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import phonenumbers

from gateway.registry.reference import (
    CATEGORIES,
    DON_THAN,
    Commune,
    citizen_id_prefixes,
    communes,
    provinces,
)

MAX_CHILDREN = 20
STATUSES = ("active", "suspended", "deceased", "exited")

# Field names in messages: Vietnamese as on the roster header, English as the alias.
LABELS: Mapping[str, tuple[str, str]] = {
    "full_name": ("Họ và tên", "Full name"),
    "date_of_birth": ("Ngày sinh", "Date of birth"),
    "sex": ("Giới tính", "Sex"),
    "citizen_id": ("Số CCCD", "Citizen ID"),
    "phone": ("Số điện thoại", "Phone number"),
    "commune_code": ("Mã xã", "Commune code"),
    "category": ("Mã đối tượng", "Category"),
    "children": ("Số con", "Number of children"),
    "start_month": ("Tháng bắt đầu", "Start month"),
    "wallet_provider": ("Ví nhận tiền", "Wallet provider"),
    "representative_name": ("Người nhận thay", "Representative name"),
    "representative_phone": ("SĐT người nhận thay", "Representative phone"),
    "household_code": ("Mã hộ", "Household code"),
    "status": ("Trạng thái", "Status"),
    "end_month": ("Tháng kết thúc", "End month"),
}


class InvalidValue(ValueError):
    """A cell value that cannot be accepted, with a stable code and reasons in vi and en."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(code)
        self.code = code
        self.vi = vi
        self.en = en

    def problem(self, field: str) -> Problem:
        """Return this refusal as the problem of a row's field."""
        return Problem(field, self.code, self.vi, self.en)


@dataclass(frozen=True, slots=True)
class Problem:
    """One wrong cell of a roster row: the field, a stable code and the reason in vi and en."""

    field: str
    code: str
    vi: str
    en: str


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A roster row whose every cell passed validation, in canonical form."""

    full_name: str
    date_of_birth: date
    sex: str
    citizen_id: str
    phone: str
    commune_code: str
    categories: tuple[str, ...]
    children: int | None
    start_month: date
    wallet_provider: str | None
    representative_name: str | None
    representative_phone: str | None
    household_code: str | None
    status: str
    end_month: date | None


# ---------------------------------------------------------------------------------------------
# Cell helpers

_INVISIBLE = str.maketrans("", "", "\ufeff\u200b\u200c\u200d\u2060")
_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def _required(field: str) -> InvalidValue:
    """Build the reason for an empty required cell."""
    vi, en = LABELS[field]
    return InvalidValue(
        f"{field}.required",
        f"Thiếu {vi}; hãy điền ô này.",
        f"{en} is missing; fill in this cell.",
    )


def _cell_text(value: object) -> str | None:
    """Return the cell as trimmed text, or None when it is empty."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text.isprintable():
            # Zero-width characters pasted from web pages or Word are invisible to officers.
            text = text.translate(_INVISIBLE).strip()
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        # Excel stores whole numbers as floats; 12.0 means the text "12".
        text = str(int(value))
    else:
        try:
            text = str(value).strip()
        except ValueError:
            # Python refuses to print integers of thousands of digits; no cell is one.
            text = "?"
    return text or None


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Return text lower-cased, without accents ("đ" → "d") and with single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


_FLOAT_TEXT = re.compile(r"(\d+)\.0+")
_SCI_TEXT = re.compile(r"(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})")
_ASCII_DIGITS = re.compile(r"[0-9]+")
# Below this many written digits a scientific-notation cell was rounded by Excel's display.
_SCI_TRUSTED_DIGITS = 9


def _excel_number_digits(value: object, field: str) -> str | None:
    """Return the digits of a whole number Excel stored or displayed, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 0 <= value < 10**15 else None
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and 0 <= value < 1e15:
            return str(int(value))
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "." not in text and "e" not in text and "E" not in text:
        # Ordinary text: neither "46152012345.0" nor "4.6152012345E10".
        return None
    match = _FLOAT_TEXT.fullmatch(text)
    if match:
        return match.group(1)
    match = _SCI_TEXT.fullmatch(text)
    if match is None:
        return None
    lead, frac, exponent = match.group(1), match.group(2) or "", int(match.group(3))
    if len(frac) > exponent:
        return None
    if len(frac) < exponent and len(lead) + len(frac) < _SCI_TRUSTED_DIGITS:
        vi, en = LABELS[field]
        raise InvalidValue(
            f"{field}.precision_lost",
            f"{vi} bị Excel rút gọn thành dạng số mũ (E+) và đã mất chữ số; "
            "định dạng cột là Văn bản (Text) rồi nhập lại.",
            f"{en} was shortened by Excel to scientific notation (E+) and lost digits; "
            "format the column as Text and enter it again.",
        )
    return lead + frac + "0" * (exponent - len(frac))


# ---------------------------------------------------------------------------------------------
# Names


# Anything but a letter, space, apostrophe, hyphen or dot.
_NAME_BAD = re.compile(r"[^\w '’.\-]|[\d_]")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_HAS_DIGIT = re.compile(r"\d")


def parse_name(value: object, *, field: str = "full_name") -> str:
    """Return a person's name in NFC with single spaces, or raise InvalidValue."""
    vi, en = LABELS[field]
    text = _cell_text(value)
    if text is None:
        raise _required(field)
    name = " ".join(unicodedata.normalize("NFC", text).split())
    bad_char = _NAME_BAD.search(name)
    if bad_char is not None and _HAS_DIGIT.search(name):
        raise InvalidValue(
            f"{field}.digits",
            f"{vi} có chữ số; chỉ ghi chữ cái, dấu cách, dấu nháy, gạch nối hoặc dấu chấm.",
            f"{en} contains digits; use only letters, spaces, apostrophes, hyphens or dots.",
        )
    if bad_char is not None:
        bad = sorted({ch for ch in name if _NAME_BAD.match(ch)})[:3]
        shown = " ".join(f"«{ch}»" for ch in bad)
        raise InvalidValue(
            f"{field}.characters",
            f"{vi} có ký tự không hợp lệ {shown}; chỉ ghi chữ cái, dấu cách, dấu nháy, "
            "gạch nối hoặc dấu chấm.",
            f"{en} has invalid characters {shown}; use only letters, spaces, apostrophes, "
            "hyphens or dots.",
        )
    if not _HAS_LETTER.search(name):
        raise InvalidValue(
            f"{field}.no_letters",
            f"{vi} không có chữ cái nào; ghi họ tên đầy đủ như trên CCCD.",
            f"{en} has no letters; write the full name as on the ID card.",
        )
    if len(name) < 2:
        raise InvalidValue(
            f"{field}.too_short",
            f"{vi} chỉ có {len(name)} ký tự; cần ít nhất 2 ký tự.",
            f"{en} has only {len(name)} character; it needs at least 2.",
        )
    if len(name) > 100:
        raise InvalidValue(
            f"{field}.too_long",
            f"{vi} dài {len(name)} ký tự; tối đa 100 ký tự.",
            f"{en} is {len(name)} characters long; at most 100 are allowed.",
        )
    return name


# ---------------------------------------------------------------------------------------------
# Dates and months

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d+)(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_MY = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_YM = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")
_EXCEL_EPOCH = date(1899, 12, 30)
# The largest serial Excel accepts is 31/12/9999.
_EXCEL_MAX_SERIAL = 2958465
MIN_BIRTH_DATE = date(1900, 1, 1)


def _format_error(field: str) -> InvalidValue:
    """Build the reason for a date cell that is not written as a date."""
    vi, en = LABELS[field]
    return InvalidValue(
        f"{field}.format",
        f"{vi} không đúng dạng; ghi ngày/tháng/năm đủ 4 chữ số năm, ví dụ 05/03/1950.",
        f"{en} is not in a known format; write day/month/year with a 4-digit year, "
        "e.g. 05/03/1950.",
    )


def _year_only(field: str) -> InvalidValue:
    """Build the reason for a date cell that holds only a year."""
    vi, en = LABELS[field]
    return InvalidValue(
        f"{field}.year_only",
        f"{vi} chỉ có năm; ghi đủ ngày/tháng/năm như trên CCCD, ví dụ 01/01/1950.",
        f"{en} has only a year; write the full day/month/year as on the ID card, e.g. 01/01/1950.",
    )


def _excel_serial(value: int | float, field: str) -> date:
    """Return the date of an Excel serial number (1900 date system)."""
    if not 1 <= value <= _EXCEL_MAX_SERIAL:  # also false for nan
        raise _format_error(field)
    if float(value).is_integer() and 1900 <= value <= 2100:
        raise _year_only(field)
    days = int(value)
    if days == 60:
        # Excel's serial 60 is 29/02/1900, a day that never existed.
        raise _not_a_date(field, 29, 2)
    # Serials before 1 March 1900 are one day off because of Excel's fake 29/02/1900.
    return _EXCEL_EPOCH + timedelta(days=days if days > 60 else days + 1)


def _not_a_date(field: str, day: int, month: int) -> InvalidValue:
    """Build the reason for a day/month/year that is no real date."""
    vi, en = LABELS[field]
    hint_vi = hint_en = ""
    if month > 12 and day <= 12:
        hint_vi = " (có thể đã ghi tháng trước ngày)"
        hint_en = " (month and day may be swapped)"
    return InvalidValue(
        f"{field}.invalid",
        f"{vi} không phải ngày có thật{hint_vi}; ghi ngày/tháng/năm, ví dụ 05/03/1950.",
        f"{en} is not a real date{hint_en}; write day/month/year, e.g. 05/03/1950.",
    )


def _make_date(year: int, month: int, day: int, field: str) -> date:
    """Return the date or raise the not-a-date reason."""
    try:
        return date(year, month, day)
    except ValueError:
        raise _not_a_date(field, day, month) from None


def parse_date(value: object, *, field: str = "date_of_birth") -> date:
    """Return the date a cell holds (dd/mm/yyyy, ISO, date cell or Excel serial)."""
    if type(value) is str:
        return _parse_date_text(value, field)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value, field)
    return _parse_date_text(value, field)


def _parse_date_text(value: object, field: str) -> date:
    """Return the date written in a text cell (dd/mm/yyyy or ISO)."""
    text = _cell_text(value)
    if text is None:
        raise _required(field)
    match = _DMY.fullmatch(text)
    if match:
        day, month, year_text = match.groups()
        if len(year_text) != 4:
            raise _format_error(field)
        return _make_date(int(year_text), int(month), int(day), field)
    match = _YMD.fullmatch(text)
    if match:
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day), field)
    if _YEAR.fullmatch(text):
        raise _year_only(field)
    raise _format_error(field)


def parse_date_of_birth(value: object, *, today: date) -> date:
    """Return a date of birth between 01/01/1900 and today, or raise InvalidValue."""
    born = parse_date(value, field="date_of_birth")
    if born > today:
        raise InvalidValue(
            "date_of_birth.future",
            "Ngày sinh ở tương lai; kiểm tra lại ngày sinh.",
            "Date of birth is in the future; check the date of birth.",
        )
    if born < MIN_BIRTH_DATE:
        raise InvalidValue(
            "date_of_birth.too_old",
            "Ngày sinh trước năm 1900; kiểm tra lại ngày sinh.",
            "Date of birth is before 1900; check the date of birth.",
        )
    return born


def _month_format_error(field: str) -> InvalidValue:
    """Build the reason for a month cell that is not written as a month."""
    vi, en = LABELS[field]
    return InvalidValue(
        f"{field}.format",
        f"{vi} không đúng dạng; ghi tháng/năm, ví dụ 07/2024.",
        f"{en} is not in a known format; write month/year, e.g. 07/2024.",
    )


def parse_month(value: object, *, field: str = "start_month") -> date:
    """Return the first day of the month a cell holds (mm/yyyy, date cell or full date)."""
    vi, en = LABELS[field]
    if isinstance(value, datetime | date) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        try:
            day = parse_date(value, field=field)
        except InvalidValue:
            raise _month_format_error(field) from None
        month, year = day.month, day.year
    else:
        text = _cell_text(value)
        if text is None:
            raise _required(field)
        match = _MY.fullmatch(text)
        if match:
            month, year = int(match.group(1)), int(match.group(2))
        elif match := _YM.fullmatch(text):
            year, month = int(match.group(1)), int(match.group(2))
        elif _DMY.fullmatch(text) or _YMD.fullmatch(text):
            # A month typed into a date-formatted cell comes back as its first day.
            try:
                day = parse_date(text, field=field)
            except InvalidValue:
                raise _month_format_error(field) from None
            month, year = day.month, day.year
        else:
            raise _month_format_error(field)
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        raise InvalidValue(
            f"{field}.invalid",
            f"{vi} không phải tháng có thật; tháng từ 01 đến 12, năm đủ 4 chữ số.",
            f"{en} is not a real month; the month must be 01 to 12 and the year 4 digits.",
        )
    return date(year, month, 1)


# ---------------------------------------------------------------------------------------------
# Sex

_SEXES: Mapping[str, str] = {
    "nam": "M",
    "m": "M",
    "male": "M",
    "nam gioi": "M",
    "nu": "F",
    "f": "F",
    "female": "F",
    "nu gioi": "F",
}


def parse_sex(value: object) -> str:
    """Return "M" or "F" from Nam/Nữ/M/F/Male/Female, or raise InvalidValue."""
    text = _cell_text(value)
    if text is None:
        raise _required("sex")
    sex = _SEXES.get(fold(text))
    if sex is not None:
        return sex
    if text in {"0", "1"}:
        raise InvalidValue(
            "sex.ambiguous",
            "Giới tính ghi bằng số 1/0 không rõ nghĩa; ghi Nam hoặc Nữ.",
            "Sex written as 1/0 is ambiguous; write Nam (male) or Nữ (female).",
        )
    raise InvalidValue(
        "sex.format",
        "Giới tính không hợp lệ; ghi Nam hoặc Nữ.",
        "Sex is not recognised; write Nam (male) or Nữ (female), or M/F.",
    )


# ---------------------------------------------------------------------------------------------
# Citizen ID

_ID_SEPARATORS = re.compile(r"[\s.\-]+")


def parse_citizen_id(value: object) -> str:
    """Return a 12-digit citizen ID with a known province prefix, or raise InvalidValue."""
    prefixes = citizen_id_prefixes()
    digits = _excel_number_digits(value, "citizen_id")
    from_number = digits is not None
    if digits is None:
        text = _cell_text(value)
        if text is None:
            raise _required("citizen_id")
        # A leading apostrophe is how officers force Excel to keep a number as text.
        cleaned = _ID_SEPARATORS.sub("", text.lstrip("'’")) if isinstance(value, str) else text
        if not _ASCII_DIGITS.fullmatch(cleaned):
            raise InvalidValue(
                "citizen_id.format",
                "Số CCCD chỉ được gồm chữ số; xóa chữ cái và ký hiệu khác.",
                "Citizen ID must contain digits only; remove letters and other symbols.",
            )
        digits = cleaned
        # Every real ID starts with 0, so digit text without one lost it when Excel re-saved it.
        from_number = not digits.startswith("0")
    if from_number and len(digits) < 12:
        padded = digits.zfill(12)
        if padded[:3] in prefixes:
            digits = padded
    if len(digits) == 9:
        raise InvalidValue(
            "citizen_id.cmnd",
            "Đây là số CMND 9 chữ số, hết hiệu lực từ 31/12/2024; cần số định danh cá nhân "
            "(CCCD) 12 chữ số.",
            "This is a 9-digit old ID (CMND), no longer valid since 31/12/2024; "
            "the 12-digit personal ID number (CCCD) is needed.",
        )
    if len(digits) != 12:
        raise InvalidValue(
            "citizen_id.format",
            f"Số CCCD có {len(digits)} chữ số; cần đúng 12 chữ số.",
            f"Citizen ID has {len(digits)} digits; it must have exactly 12.",
        )
    if digits[:3] not in prefixes:
        raise InvalidValue(
            "citizen_id.unknown_province",
            f"Số CCCD bắt đầu bằng {digits[:3]}, không phải mã tỉnh nào; "
            "kiểm tra lại 3 chữ số đầu.",
            f"Citizen ID starts with {digits[:3]}, which is not a province code; "
            "check the first 3 digits.",
        )
    if digits[3] not in "012345":
        raise InvalidValue(
            "citizen_id.format",
            "Chữ số thứ 4 của số CCCD (thế kỷ và giới tính) phải từ 0 đến 5; kiểm tra lại số.",
            "The 4th digit of the citizen ID (century and sex) must be 0 to 5; check the number.",
        )
    return digits


def check_citizen_id(citizen_id: str, *, born: date | None, sex: str | None) -> None:
    """Raise InvalidValue if a valid ID contradicts the birth date or sex (None skips a check)."""
    code = int(citizen_id[3])
    if born is not None:
        first = 1900 + 100 * (code // 2)
        if not first <= born.year <= first + 99:
            raise InvalidValue(
                "citizen_id.century_mismatch",
                f"Chữ số thứ 4 của số CCCD ứng với người sinh năm {first}–{first + 99}, "
                f"nhưng năm sinh là {born.year}; kiểm tra lại số CCCD hoặc ngày sinh.",
                f"The 4th digit of the citizen ID means born {first}–{first + 99}, but the "
                f"birth year is {born.year}; check the ID or the date of birth.",
            )
        if int(citizen_id[4:6]) != born.year % 100:
            raise InvalidValue(
                "citizen_id.year_mismatch",
                f"Chữ số thứ 5–6 của số CCCD không khớp năm sinh {born.year}; "
                "kiểm tra lại số CCCD hoặc ngày sinh.",
                f"Digits 5–6 of the citizen ID do not match the birth year {born.year}; "
                "check the ID or the date of birth.",
            )
    if sex is not None:
        id_sex = "M" if code % 2 == 0 else "F"
        if id_sex != sex:
            vi_id, vi_row = ("nam", "Nữ") if id_sex == "M" else ("nữ", "Nam")
            en_id, en_row = ("male", "female") if id_sex == "M" else ("female", "male")
            raise InvalidValue(
                "citizen_id.sex_mismatch",
                f"Chữ số thứ 4 của số CCCD là của {vi_id} nhưng giới tính ghi {vi_row}; "
                "kiểm tra lại số CCCD hoặc giới tính.",
                f"The 4th digit of the citizen ID is for a {en_id} but sex says {en_row}; "
                "check the ID or the sex.",
            )


# ---------------------------------------------------------------------------------------------
# Phone numbers

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]+")
_PHONE_LIST = re.compile(r"[/;,|]|\bv[aà]\b|\bho[aặ]c\b|\bor\b|\band\b")
_MOBILE_LEADS = frozenset("35789")
# Prefixes (without the 0) of the 11-digit mobiles renumbered in 2018–2019.
_OLD_MOBILE_LEADS = frozenset({"12", "16", "186", "188", "199"})


def _mobile_pattern() -> re.Pattern[str]:
    """Compile libphonenumber's Vietnamese mobile pattern once."""
    # Matching the metadata directly is what phonenumbers.number_type does for +84 numbers,
    # at a fraction of the cost of parsing 60,000 numbers one by one.
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("VN")
    assert metadata is not None and metadata.mobile is not None
    pattern = metadata.mobile.national_number_pattern
    assert pattern is not None
    return re.compile(pattern)


_MOBILE = _mobile_pattern()


def is_vietnamese_mobile(national: str) -> bool:
    """Tell whether a national significant number (no 0, no +84) is a VN mobile number."""
    return (
        len(national) == 9
        and national[0] in _MOBILE_LEADS
        and _MOBILE.fullmatch(national) is not None
    )


def parse_phone(value: object, *, field: str = "phone") -> str:
    """Return a Vietnamese mobile number in E.164 (+84…), or raise InvalidValue."""
    vi, en = LABELS[field]
    digits = _excel_number_digits(value, field)
    plus = False
    if digits is None:
        text = _cell_text(value)
        if text is None:
            raise _required(field)
        cleaned = _PHONE_SEPARATORS.sub("", text.lstrip("'’")) if isinstance(value, str) else text
        plus = cleaned.startswith("+")
        cleaned = cleaned.removeprefix("+")
        if not _ASCII_DIGITS.fullmatch(cleaned):
            if _PHONE_LIST.search(text.lower()):
                raise InvalidValue(
                    f"{field}.multiple",
                    f"{vi} có nhiều hơn một số; chỉ ghi một số di động nhận tiền.",
                    f"{en} holds more than one number; enter only the one mobile "
                    "that receives the money.",
                )
            raise InvalidValue(
                f"{field}.format",
                f"{vi} chỉ được gồm chữ số; ghi 10 chữ số, ví dụ 09xx xxx xxx.",
                f"{en} must contain digits only; write 10 digits, e.g. 09xx xxx xxx.",
            )
        digits = cleaned
    if plus and not digits.startswith("84"):
        raise InvalidValue(
            f"{field}.foreign",
            f"{vi} không phải số Việt Nam (+84); chỉ nhận số di động Việt Nam.",
            f"{en} is not a Vietnamese (+84) number; only Vietnamese mobiles are accepted.",
        )
    country = 0
    if plus or (digits.startswith("84") and len(digits) in (11, 12)):
        country = 2
    elif digits.startswith("0084"):
        country = 4
    if country:
        national = digits[country:]
        if national.startswith("0") and len(national) in (10, 11):
            # "+84 (0) 912 345 678": the trunk 0 written after the country code.
            national = national[1:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        # Excel turned 0912345678 into the number 912345678.
        national = digits
    if len(national) == 10 and (
        national[:2] in _OLD_MOBILE_LEADS or national[:3] in _OLD_MOBILE_LEADS
    ):
        raise InvalidValue(
            f"{field}.old_11_digit",
            f"{vi} là số 11 chữ số cũ (01x), đã chuyển sang 10 chữ số từ năm 2018; "
            "ghi số mới 10 chữ số (ví dụ 016x → 03x).",
            f"{en} is an old 11-digit number (01x); these were converted to 10 digits in "
            "2018; enter the new 10-digit number (e.g. 016x → 03x).",
        )
    if len(national) == 10 and national[0] == "2":
        raise InvalidValue(
            f"{field}.landline",
            f"{vi} là số máy bàn (02x); cần số di động để nhận tiền vào ví.",
            f"{en} is a landline (02x); a mobile number is needed to receive the money "
            "in a wallet.",
        )
    if len(national) != 9:
        # Count digits as the officer wrote them, or as the 0… form when +84 was written.
        written = len(digits) if national == digits else len(national) + 1
        raise InvalidValue(
            f"{field}.length",
            f"{vi} có {written} chữ số; cần 10 chữ số bắt đầu bằng 0 (03x, 05x, 07x, 08x, 09x).",
            f"{en} has {written} digits; it needs 10 digits starting with 0 "
            "(03x, 05x, 07x, 08x, 09x).",
        )
    if not is_vietnamese_mobile(national):
        raise InvalidValue(
            f"{field}.not_mobile",
            f"{vi} có đầu số 0{national[:2]}, không phải đầu số di động đang dùng; "
            "kiểm tra lại số.",
            f"{en} starts with 0{national[:2]}, which is not a mobile prefix in use; "
            "check the number.",
        )
    return "+84" + national


# ---------------------------------------------------------------------------------------------
# Commune, categories, children, wallet, status, household


def parse_commune(value: object, *, province_code: str | None = None) -> Commune:
    """Return the 2025-07-01 commune for a code (leading zeros restored), or raise."""
    digits = _excel_number_digits(value, "commune_code")
    if digits is None:
        text = _cell_text(value)
        if text is None:
            raise _required("commune_code")
        if not _ASCII_DIGITS.fullmatch(text):
            raise InvalidValue(
                "commune_code.format",
                "Mã xã chỉ được gồm chữ số; ghi mã 5 chữ số, ví dụ 19885.",
                "Commune code must contain digits only; write the 5-digit code, e.g. 19885.",
            )
        digits = text
    if len(digits) > 5:
        raise InvalidValue(
            "commune_code.format",
            f"Mã xã có {len(digits)} chữ số; cần 5 chữ số theo danh mục từ 01/07/2025.",
            f"Commune code has {len(digits)} digits; it needs 5, as in the list in force "
            "from 01/07/2025.",
        )
    # Codes are always 5 digits, so a shorter one lost its zeros in Excel (4 → 00004).
    code = digits.zfill(5)
    commune = communes().get(code)
    if commune is None:
        raise InvalidValue(
            "commune_code.unknown",
            f"Mã xã {code} không có trong danh mục từ 01/07/2025; có thể là mã cũ trước "
            "sắp xếp, hãy dùng mã xã theo danh mục áp dụng từ 01/07/2025.",
            f"Commune code {code} is not in the list in force from 01/07/2025; it may be a "
            "pre-2025 code: use the code from the list in force from 01/07/2025.",
        )
    if province_code is not None and commune.province_code != province_code:
        here = provinces().get(province_code, province_code)
        raise InvalidValue(
            "commune_code.other_province",
            f"Mã xã {code} là {commune.name} thuộc {commune.province_name}, không thuộc "
            f"{here}; kiểm tra lại mã xã.",
            f"Commune code {code} is {commune.name} in {commune.province_name}, not in "
            f"{here}; check the commune code.",
        )
    return commune


_CATEGORY_SPLIT = re.compile(r"[;,]")
_CATEGORY_JOIN = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=1024)
def _category_code(token: str) -> str:
    """Return the canonical spelling of one category token (upper case, underscores)."""
    return _CATEGORY_JOIN.sub("_", fold(token).upper())


def parse_categories(value: object) -> tuple[str, ...]:
    """Return the sorted, unique category codes of a cell ("NCT_80; KT_NANG"), or raise."""
    text = _cell_text(value)
    if text is None:
        raise _required("category")
    codes: set[str] = set()
    unknown: list[str] = []
    for token in _CATEGORY_SPLIT.split(text):
        token = token.strip()
        if not token:
            continue
        code = _category_code(token)
        if code in CATEGORIES:
            codes.add(code)
        elif token[:20] not in unknown:
            unknown.append(token[:20])
    if unknown:
        shown = ", ".join(unknown[:3])
        raise InvalidValue(
            "category.unknown",
            f"Mã đối tượng không có trong danh mục: {shown}; dùng mã theo danh mục "
            "(ví dụ NCT_80, KT_NANG), cách nhau bằng dấu ;.",
            f"Unknown category code: {shown}; use codes from the list (e.g. NCT_80, KT_NANG), "
            "separated by ;.",
        )
    if not codes:
        raise _required("category")
    return tuple(sorted(codes))


_INT_TEXT = re.compile(r"[0-9]+(?:\.0+)?")


def parse_children(value: object) -> int | None:
    """Return a whole number of children (None when empty), or raise InvalidValue."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    else:
        text = _cell_text(value)
        if text is None:
            return None
        if not isinstance(value, str) or not _INT_TEXT.fullmatch(text):
            raise InvalidValue(
                "children.format",
                "Số con phải là số nguyên, ví dụ 2.",
                "Number of children must be a whole number, e.g. 2.",
            )
        number = int(text.split(".")[0])
    if not 0 <= number <= 10**6:
        raise InvalidValue(
            "children.format",
            "Số con phải là số nguyên, ví dụ 2.",
            "Number of children must be a whole number, e.g. 2.",
        )
    return number


@functools.lru_cache(maxsize=256)
def _provider_key(text: str) -> str:
    """Return the comparison key of a wallet name: folded, letters and digits only."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def parse_wallet_provider(value: object, providers: Collection[str]) -> str | None:
    """Return the provider (as spelled in providers) a cell names, None when empty, or raise."""
    return _match_provider(value, {_provider_key(p): p for p in providers})


def _match_provider(value: object, by_key: Mapping[str, str]) -> str | None:
    """Return the provider whose key matches the cell, None when empty, or raise."""
    text = _cell_text(value)
    if text is None:
        return None
    provider = by_key.get(_provider_key(text))
    if provider is not None:
        return provider
    allowed = ", ".join(sorted(by_key.values())) or "—"
    raise InvalidValue(
        "wallet_provider.unknown",
        f"Ví nhận tiền không được hỗ trợ; chọn một trong: {allowed}, hoặc để trống.",
        f"Wallet provider is not supported; choose one of: {allowed}, or leave it empty.",
    )


_STATUS_WORDS: Mapping[str, str] = {
    "dang huong": "active",
    "active": "active",
    "tam dung": "suspended",
    "tam dung huong": "suspended",
    "suspended": "suspended",
    "da mat": "deceased",
    "chet": "deceased",
    "da chet": "deceased",
    "tu vong": "deceased",
    "da tu vong": "deceased",
    "deceased": "deceased",
    "thoi huong": "exited",
    "cat": "exited",
    "cat huong": "exited",
    "exited": "exited",
}


def parse_status(value: object) -> str:
    """Return active/suspended/deceased/exited from a Vietnamese or English word."""
    text = _cell_text(value)
    if text is None:
        return "active"
    status = _STATUS_WORDS.get(fold(text))
    if status is None:
        raise InvalidValue(
            "status.unknown",
            "Trạng thái không hợp lệ; ghi Đang hưởng, Tạm dừng, Đã mất hoặc Thôi hưởng "
            "(để trống là Đang hưởng).",
            "Status is not recognised; write active, suspended, deceased or exited "
            "(empty means active).",
        )
    return status


def parse_household_code(value: object) -> str | None:
    """Return a trimmed household code of at most 32 characters, None when empty."""
    text = _cell_text(value)
    if text is None:
        return None
    if len(text) > 32:
        raise InvalidValue(
            "household_code.too_long",
            f"Mã hộ dài {len(text)} ký tự; tối đa 32 ký tự.",
            f"Household code is {len(text)} characters long; at most 32 are allowed.",
        )
    return text


def _month_text(month: date) -> str:
    """Format a month as mm/yyyy for messages."""
    return f"{month.month:02d}/{month.year}"


# ---------------------------------------------------------------------------------------------
# The row


class RowValidator:
    """Validate roster rows for one import: one province, one set of wallet providers."""

    def __init__(
        self,
        *,
        providers: Collection[str],
        province_code: str | None = None,
        today: date | None = None,
    ) -> None:
        """Prepare a validator; province_code limits communes, today bounds the dates."""
        if province_code is not None and province_code not in provinces():
            raise ValueError(f"unknown province code {province_code!r}")
        self.providers = tuple(providers)
        self._providers_by_key = {_provider_key(p): p for p in self.providers}
        self.province_code = province_code
        self.today = today or date.today()
        months = self.today.year * 12 + self.today.month - 1 + 12
        self.latest_start = date(months // 12, months % 12 + 1, 1)

    def validate(self, values: Mapping[str, object]) -> RosterRow | list[Problem]:
        """Return the clean row, or every problem of the row (one per wrong cell)."""
        # Plain try blocks rather than a helper: this runs for every one of ~60,000 rows.
        problems: list[Problem] = []
        add = problems.append
        get = values.get
        full_name: str | None = None
        born: date | None = None
        sex: str | None = None
        citizen_id: str | None = None
        phone: str | None = None
        commune: Commune | None = None
        categories: tuple[str, ...] | None = None
        start: date | None = None
        end: date | None = None
        wallet: str | None = None
        household: str | None = None
        status: str | None = None
        try:
            full_name = parse_name(get("full_name"))
        except InvalidValue as error:
            add(error.problem("full_name"))
        try:
            born = parse_date_of_birth(get("date_of_birth"), today=self.today)
        except InvalidValue as error:
            add(error.problem("date_of_birth"))
        try:
            sex = parse_sex(get("sex"))
        except InvalidValue as error:
            add(error.problem("sex"))
        try:
            citizen_id = parse_citizen_id(get("citizen_id"))
            # The ID's own digits are valid; compare them only with a DOB and sex that are.
            check_citizen_id(citizen_id, born=born, sex=sex)
        except InvalidValue as error:
            add(error.problem("citizen_id"))
        try:
            phone = parse_phone(get("phone"))
        except InvalidValue as error:
            add(error.problem("phone"))
        try:
            commune = parse_commune(get("commune_code"), province_code=self.province_code)
        except InvalidValue as error:
            add(error.problem("commune_code"))
        try:
            categories = parse_categories(get("category"))
        except InvalidValue as error:
            add(error.problem("category"))
        children = self._children(get("children"), categories, problems)
        try:
            start = self._start_month(get("start_month"), born)
        except InvalidValue as error:
            add(error.problem("start_month"))
        try:
            end = self._end_month(get("end_month"), start)
        except InvalidValue as error:
            add(error.problem("end_month"))
        try:
            wallet = _match_provider(get("wallet_provider"), self._providers_by_key)
        except InvalidValue as error:
            add(error.problem("wallet_provider"))
        rep_name, rep_phone = self._representative(
            get("representative_name"), get("representative_phone"), problems
        )
        try:
            household = parse_household_code(get("household_code"))
        except InvalidValue as error:
            add(error.problem("household_code"))
        try:
            status = parse_status(get("status"))
        except InvalidValue as error:
            add(error.problem("status"))
        if problems:
            return problems
        # Required parsers raise rather than return None, so only optional cells can be None.
        assert (
            full_name is not None
            and born is not None
            and sex is not None
            and citizen_id is not None
            and phone is not None
            and commune is not None
            and categories is not None
            and start is not None
            and status is not None
        )
        return RosterRow(
            full_name=full_name,
            date_of_birth=born,
            sex=sex,
            citizen_id=citizen_id,
            phone=phone,
            commune_code=commune.code,
            categories=categories,
            children=children,
            start_month=start,
            wallet_provider=wallet,
            representative_name=rep_name,
            representative_phone=rep_phone,
            household_code=household,
            status=status,
            end_month=end,
        )

    def _children(
        self, value: object, categories: tuple[str, ...] | None, problems: list[Problem]
    ) -> int | None:
        """Return the child count, checked against DON_THAN when the categories are known."""
        try:
            children = parse_children(value)
        except InvalidValue as error:
            problems.append(error.problem("children"))
            return None
        if categories is None:
            # Unknown categories: whether DON_THAN applies is unknowable, so say nothing more.
            return children
        if DON_THAN in categories:
            if children is None or children == 0:
                problems.append(
                    Problem(
                        "children",
                        "children.required",
                        "Đối tượng DON_THAN cần Số con đang nuôi (ít nhất 1).",
                        "Category DON_THAN needs the number of children raised (at least 1).",
                    )
                )
                return None
            if children > MAX_CHILDREN:
                problems.append(
                    Problem(
                        "children",
                        "children.range",
                        f"Số con là {children}, quá {MAX_CHILDREN}; kiểm tra lại số con.",
                        f"Number of children is {children}, more than {MAX_CHILDREN}; check it.",
                    )
                )
                return None
            return children
        if children:
            problems.append(
                Problem(
                    "children",
                    "children.not_applicable",
                    "Số con chỉ dùng cho đối tượng DON_THAN; xóa ô này hoặc thêm mã DON_THAN.",
                    "Number of children applies only to category DON_THAN; clear the cell "
                    "or add DON_THAN.",
                )
            )
        return None

    def _start_month(self, value: object, born: date | None) -> date:
        """Return the start month, not before the birth month nor over 12 months ahead."""
        start = parse_month(value, field="start_month")
        if born is not None and start < born.replace(day=1):
            raise InvalidValue(
                "start_month.before_birth",
                f"Tháng bắt đầu {_month_text(start)} trước tháng sinh; kiểm tra lại.",
                f"Start month {_month_text(start)} is before the month of birth; check it.",
            )
        if start > self.latest_start:
            raise InvalidValue(
                "start_month.too_late",
                f"Tháng bắt đầu {_month_text(start)} quá 12 tháng kể từ nay; muộn nhất là "
                f"{_month_text(self.latest_start)}.",
                f"Start month {_month_text(start)} is more than 12 months ahead; the latest "
                f"allowed is {_month_text(self.latest_start)}.",
            )
        return start

    def _end_month(self, value: object, start: date | None) -> date | None:
        """Return the optional end month, not before the start month."""
        if _cell_text(value) is None:
            return None
        end = parse_month(value, field="end_month")
        if start is not None and end < start:
            raise InvalidValue(
                "end_month.before_start",
                f"Tháng kết thúc {_month_text(end)} trước tháng bắt đầu "
                f"{_month_text(start)}; kiểm tra lại.",
                f"End month {_month_text(end)} is before the start month "
                f"{_month_text(start)}; check it.",
            )
        return end

    def _representative(
        self, name_value: object, phone_value: object, problems: list[Problem]
    ) -> tuple[str | None, str | None]:
        """Return the representative's name and phone, which must come together."""
        has_name = _cell_text(name_value) is not None
        has_phone = _cell_text(phone_value) is not None
        name = phone = None
        if has_name:
            try:
                name = parse_name(name_value, field="representative_name")
            except InvalidValue as error:
                problems.append(error.problem("representative_name"))
        if has_phone:
            try:
                phone = parse_phone(phone_value, field="representative_phone")
            except InvalidValue as error:
                problems.append(error.problem("representative_phone"))
        if has_name and not has_phone:
            problems.append(
                Problem(
                    "representative_phone",
                    "representative_phone.required",
                    "Có Người nhận thay nhưng thiếu SĐT người nhận thay; điền số di động "
                    "của người nhận thay.",
                    "A representative is named but their phone is missing; enter the "
                    "representative's mobile number.",
                )
            )
        if has_phone and not has_name:
            problems.append(
                Problem(
                    "representative_name",
                    "representative_name.required",
                    "Có SĐT người nhận thay nhưng thiếu tên Người nhận thay; điền họ tên "
                    "người nhận thay.",
                    "A representative phone is given but the name is missing; enter the "
                    "representative's full name.",
                )
            )
        return name, phone
