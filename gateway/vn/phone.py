"""Vietnamese mobile numbers: repaired from Excel's habits, checked, stored as E.164 (+84…)."""

from __future__ import annotations

import re

import phonenumbers

from gateway.vn.cells import (
    ASCII_DIGITS,
    LABELS,
    InvalidValue,
    cell_text,
    excel_number_digits,
    required,
)

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
    digits = excel_number_digits(value, field)
    plus = False
    if digits is None:
        text = cell_text(value)
        if text is None:
            raise required(field)
        cleaned = _PHONE_SEPARATORS.sub("", text.lstrip("'’")) if isinstance(value, str) else text
        plus = cleaned.startswith("+")
        cleaned = cleaned.removeprefix("+")
        if not ASCII_DIGITS.fullmatch(cleaned):
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
