"""Validate one roster row cell by cell, with reasons an officer can act on (vi and en).

Every parser takes a raw cell as read from CSV (``str``) or openpyxl (``str``, ``int``,
``float``, ``datetime``, ``date`` or ``None``) and returns the clean value or raises
``InvalidValue``; the country's identifiers (phones, citizen IDs, dates) are parsed by
:mod:`gateway.vn`, the roster's own fields here. ``RowValidator`` runs them all and
returns a ``RosterRow`` or every ``Problem`` of the row. Messages never repeat a citizen ID,
phone number or name, because error files are shared; they may name lengths, a province
prefix or the birth year.

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
from datetime import date

from gateway.rosters.reference import CATEGORIES, DON_THAN
from gateway.vn.cells import (
    ASCII_DIGITS,
    LABELS,
    InvalidValue,
    cell_text,
    excel_number_digits,
    required,
)
from gateway.vn.citizen_id import check_citizen_id, parse_citizen_id
from gateway.vn.dates import parse_date_of_birth, parse_month
from gateway.vn.phone import parse_phone
from gateway.vn.places import Commune, communes, provinces
from gateway.vn.text import fold

MAX_CHILDREN = 20
STATUSES = ("active", "suspended", "deceased", "exited")


@dataclass(frozen=True, slots=True)
class Problem:
    """One wrong cell of a roster row: the field, a stable code and the reason in vi and en."""

    field: str
    code: str
    vi: str
    en: str

    @classmethod
    def of(cls, refusal: InvalidValue, field: str) -> Problem:
        """Return a parser's refusal as the problem of a row's field."""
        return cls(field, refusal.code, refusal.vi, refusal.en)


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
# Names


# Anything but a letter, space, apostrophe, hyphen or dot.
_NAME_BAD = re.compile(r"[^\w '’.\-]|[\d_]")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_HAS_DIGIT = re.compile(r"\d")


def parse_name(value: object, *, field: str = "full_name") -> str:
    """Return a person's name in NFC with single spaces, or raise InvalidValue."""
    vi, en = LABELS[field]
    text = cell_text(value)
    if text is None:
        raise required(field)
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
    text = cell_text(value)
    if text is None:
        raise required("sex")
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
# Commune, categories, children, wallet, status, household


def parse_commune(value: object, *, province_code: str | None = None) -> Commune:
    """Return the 2025-07-01 commune for a code (leading zeros restored), or raise."""
    digits = excel_number_digits(value, "commune_code")
    if digits is None:
        text = cell_text(value)
        if text is None:
            raise required("commune_code")
        if not ASCII_DIGITS.fullmatch(text):
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
    text = cell_text(value)
    if text is None:
        raise required("category")
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
        raise required("category")
    return tuple(sorted(codes))


_INT_TEXT = re.compile(r"[0-9]+(?:\.0+)?")


def parse_children(value: object) -> int | None:
    """Return a whole number of children (None when empty), or raise InvalidValue."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    else:
        text = cell_text(value)
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
    text = cell_text(value)
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
    text = cell_text(value)
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
    text = cell_text(value)
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
            add(Problem.of(error, "full_name"))
        try:
            born = parse_date_of_birth(get("date_of_birth"), today=self.today)
        except InvalidValue as error:
            add(Problem.of(error, "date_of_birth"))
        try:
            sex = parse_sex(get("sex"))
        except InvalidValue as error:
            add(Problem.of(error, "sex"))
        try:
            citizen_id = parse_citizen_id(get("citizen_id"))
            # The ID's own digits are valid; compare them only with a DOB and sex that are.
            check_citizen_id(citizen_id, born=born, sex=sex)
        except InvalidValue as error:
            add(Problem.of(error, "citizen_id"))
        try:
            phone = parse_phone(get("phone"))
        except InvalidValue as error:
            add(Problem.of(error, "phone"))
        try:
            commune = parse_commune(get("commune_code"), province_code=self.province_code)
        except InvalidValue as error:
            add(Problem.of(error, "commune_code"))
        try:
            categories = parse_categories(get("category"))
        except InvalidValue as error:
            add(Problem.of(error, "category"))
        children = self._children(get("children"), categories, problems)
        try:
            start = self._start_month(get("start_month"), born)
        except InvalidValue as error:
            add(Problem.of(error, "start_month"))
        try:
            end = self._end_month(get("end_month"), start)
        except InvalidValue as error:
            add(Problem.of(error, "end_month"))
        try:
            wallet = _match_provider(get("wallet_provider"), self._providers_by_key)
        except InvalidValue as error:
            add(Problem.of(error, "wallet_provider"))
        rep_name, rep_phone = self._representative(
            get("representative_name"), get("representative_phone"), problems
        )
        try:
            household = parse_household_code(get("household_code"))
        except InvalidValue as error:
            add(Problem.of(error, "household_code"))
        try:
            status = parse_status(get("status"))
        except InvalidValue as error:
            add(Problem.of(error, "status"))
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
            problems.append(Problem.of(error, "children"))
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
        if cell_text(value) is None:
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
        has_name = cell_text(name_value) is not None
        has_phone = cell_text(phone_value) is not None
        name = phone = None
        if has_name:
            try:
                name = parse_name(name_value, field="representative_name")
            except InvalidValue as error:
                problems.append(Problem.of(error, "representative_name"))
        if has_phone:
            try:
                phone = parse_phone(phone_value, field="representative_phone")
            except InvalidValue as error:
                problems.append(Problem.of(error, "representative_phone"))
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
