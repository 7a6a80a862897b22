"""Dates and months as Vietnamese files and forms write them (dd/mm/yyyy, mm/yyyy, Excel cells)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from gateway.vn.cells import LABELS, InvalidValue, cell_text, required

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
    text = cell_text(value)
    if text is None:
        raise required(field)
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
        text = cell_text(value)
        if text is None:
            raise required(field)
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
