"""Read single statement cells: our reference, an amount in whole đồng, a status, a time."""

from __future__ import annotations

import enum
import functools
import re
from datetime import UTC, datetime, timedelta

from gateway.vn.text import header_key


class TheirStatus(str, enum.Enum):
    """A transfer's status as the provider's statement gives it, mapped to our three words."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PENDING = "pending"


_STATUS_WORDS: dict[TheirStatus, tuple[str, ...]] = {
    TheirStatus.SUCCEEDED: ("completed", "complete", "success", "successful", "succeeded",
                            "paid", "thành công", "hoàn thành"),
    TheirStatus.FAILED: ("failed", "failure", "fail", "rejected", "declined", "reversed",
                         "cancelled", "canceled", "thất bại", "từ chối", "đã hoàn tiền"),
    TheirStatus.PENDING: ("pending", "in progress", "processing", "accepted",
                          "đang xử lý", "chờ xử lý"),
}
STATUS_MAP: dict[str, TheirStatus] = {
    header_key(word): status for status, words in _STATUS_WORDS.items() for word in words}

MAX_AMOUNT = 10**15
# Vietnamese providers print local time; a timestamp with its own offset is taken as given.
VIETNAM_OFFSET = timedelta(hours=7)

_HEX32 = re.compile(r"[0-9a-f]{32}")
_REF_NOISE = re.compile(r"[\s{}\-]|^urn:uuid:")
_CURRENCY = re.compile(r"^(?:vnd|vnđ|đ|₫)\s*|\s*(?:vnd|vnđ|đ|₫)$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_PLAIN = re.compile(r"\d+")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_COMMA_GROUPS = re.compile(r"\d{1,3}(?:,\d{3})+")
_POINT_DECIMAL = re.compile(r"(\d+|\d{1,3}(?:,\d{3})+)\.(\d+)")
_COMMA_DECIMAL = re.compile(r"(\d+|\d{1,3}(?:\.\d{3})+),(\d+)")
_DAY_FIRST = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


class RowProblem(ValueError):
    """One cell cannot be read; ``code``, ``vi`` and ``en`` say which and why."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.vi = vi
        self.en = en


def normalise_reference(text: str) -> str | None:
    """Return a printed payment reference as our 32 lowercase hex digits, or None if not one."""
    if len(text) == 32 and _HEX32.fullmatch(text):
        return text  # as we print it: the common case, skip the clean-up
    if len(text) == 36:
        bare = text.replace("-", "").lower()  # the UUID form, as providers print it
        if _HEX32.fullmatch(bare):
            return bare
    bare = _REF_NOISE.sub("", text.strip().lower())
    return bare if _HEX32.fullmatch(bare) else None


def parse_amount(text: str) -> int:
    """Parse a whole-đồng amount: ``1.250.000``, ``1,250,000``, ``1250000`` or ``1250000.00``.

    Raises:
        RowProblem: empty, not a number, a fraction of a đồng, or not positive.
    """
    if text.isascii() and text.isdigit():
        bare = text  # plain digits: the common case, skip the clean-up
    else:
        bare = _SPACES.sub("", _CURRENCY.sub("", text.strip()))
    if not bare:
        raise RowProblem("amount_missing", "Thiếu số tiền.", "The amount is empty.")
    if bare.startswith("-"):
        raise RowProblem("amount_not_positive", f"Số tiền {text!r} âm.",
                         f"The amount {text!r} is negative.")
    whole: str | None = None
    if _PLAIN.fullmatch(bare):
        whole = bare
    elif _DOT_GROUPS.fullmatch(bare):
        whole = bare.replace(".", "")
    elif _COMMA_GROUPS.fullmatch(bare):
        whole = bare.replace(",", "")
    else:
        match = _POINT_DECIMAL.fullmatch(bare) or _COMMA_DECIMAL.fullmatch(bare)
        if match:
            if match.group(2).strip("0"):
                raise RowProblem(
                    "amount_fraction", f"Số tiền {text!r} có phần lẻ dưới một đồng.",
                    f"The amount {text!r} has a fraction of a đồng; amounts are whole đồng.")
            whole = match.group(1).replace(",", "").replace(".", "")
    if whole is None:
        raise RowProblem("amount_invalid", f"Số tiền {text!r} không phải là số.",
                         f"The amount {text!r} is not a number.")
    value = int(whole)
    if value <= 0 or value >= MAX_AMOUNT:
        raise RowProblem("amount_not_positive", f"Số tiền {text!r} không hợp lệ.",
                         f"The amount {text!r} must be between 1 and {MAX_AMOUNT - 1:,} đồng.")
    return value


def parse_status(text: str) -> TheirStatus:
    """Map a provider's status word to succeeded, failed or pending.

    Raises:
        RowProblem: a word we do not know (guessing could hide money that went out).
    """
    status = STATUS_MAP.get(text) or (STATUS_MAP.get(header_key(text)) if text.strip() else None)
    if status is None:
        raise RowProblem(
            "status_unknown", f"Trạng thái {text!r} không rõ (dùng completed, failed, pending).",
            f"Unknown status {text!r} (expected completed, failed or pending, or a synonym).")
    return status


@functools.lru_cache(maxsize=8192)
def parse_timestamp(text: str) -> datetime | None:
    """Parse a timestamp to naive UTC; a time without an offset is Vietnam time (UTC+7).

    Raises:
        RowProblem: not a date and time we can read.
    """
    text = text.strip()
    if not text:
        return None
    value: datetime | None = None
    # dd/mm/yyyy by hand: strptime costs more than the rest of a row together.
    match = _DAY_FIRST.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            value = datetime(int(year), int(month), int(day), int(hour or 0),
                             int(minute or 0), int(second or 0))
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None:
        raise RowProblem("timestamp_invalid", f"Thời gian {text!r} không đọc được.",
                         f"The timestamp {text!r} is not a date and time "
                         "(use 2026-12-05T10:30:00+07:00 or 05/12/2026 10:30:00).")
    if value.tzinfo is None:
        return value - VIETNAM_OFFSET
    return value.astimezone(UTC).replace(tzinfo=None)
