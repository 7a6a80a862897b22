"""Reading one cell or form field: the refusal type, field labels, and Excel's habits.

Every parser in :mod:`gateway.vn` takes a raw value as read from CSV (``str``), openpyxl
(``str``, ``int``, ``float``, ``datetime``, ``date`` or ``None``) or a form, and returns the
clean value or raises ``InvalidValue`` with a stable code and a reason in Vietnamese and
English. Reasons never repeat a citizen ID, phone number or name: error files are shared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

# Field names in reasons: Vietnamese as on a roster's header, English as its alias.
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


_INVISIBLE = str.maketrans("", "", "\ufeff\u200b\u200c\u200d\u2060")


def required(field: str) -> InvalidValue:
    """Build the reason for an empty required cell."""
    vi, en = LABELS[field]
    return InvalidValue(
        f"{field}.required",
        f"Thiếu {vi}; hãy điền ô này.",
        f"{en} is missing; fill in this cell.",
    )


def cell_text(value: object) -> str | None:
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


_FLOAT_TEXT = re.compile(r"(\d+)\.0+")
_SCI_TEXT = re.compile(r"(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})")
ASCII_DIGITS = re.compile(r"[0-9]+")
# Below this many written digits a scientific-notation cell was rounded by Excel's display.
_SCI_TRUSTED_DIGITS = 9


def excel_number_digits(value: object, field: str) -> str | None:
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
