"""Citizen IDs (số định danh cá nhân, CCCD): 12 digits, a birth-province prefix, century, sex."""

from __future__ import annotations

import re
from datetime import date

from gateway.vn.cells import ASCII_DIGITS, InvalidValue, cell_text, excel_number_digits, required
from gateway.vn.places import citizen_id_prefixes

_ID_SEPARATORS = re.compile(r"[\s.\-]+")


def parse_citizen_id(value: object) -> str:
    """Return a 12-digit citizen ID with a known province prefix, or raise InvalidValue."""
    prefixes = citizen_id_prefixes()
    digits = excel_number_digits(value, "citizen_id")
    from_number = digits is not None
    if digits is None:
        text = cell_text(value)
        if text is None:
            raise required("citizen_id")
        # A leading apostrophe is how officers force Excel to keep a number as text.
        cleaned = _ID_SEPARATORS.sub("", text.lstrip("'’")) if isinstance(value, str) else text
        if not ASCII_DIGITS.fullmatch(cleaned):
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
