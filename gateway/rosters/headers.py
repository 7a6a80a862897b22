"""Recognise roster header rows written the many ways officers write them.

Matching ignores case, accents ("đ" counts as "d"), punctuation, whitespace and a trailing
parenthetical, so "Giới tính (Nam/Nữ)", "GIOI TINH" and "gioi_tinh" are the same header.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from gateway.vn.text import header_key

# Canonical fields in roster order, with the Vietnamese header of DOMAIN.md first.
_HEADERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("full_name", ("Họ và tên", "Họ tên", "Họ và tên đối tượng", "Họ tên đối tượng", "name")),
    (
        "date_of_birth",
        (
            "Ngày sinh",
            "Ngày tháng năm sinh",
            "Ngày, tháng, năm sinh",
            "Ngày/tháng/năm sinh",
            "date of birth",
            "birth date",
            "dob",
        ),
    ),
    ("sex", ("Giới tính", "gender")),
    (
        "citizen_id",
        (
            "Số CCCD",
            "CCCD",
            "Số CCCD/Định danh",
            "Số định danh",
            "Số định danh cá nhân",
            "Số căn cước",
            "Số căn cước công dân",
            "Số CMND/CCCD",
            "Số CCCD/CMND",
            "id number",
            "national id",
        ),
    ),
    (
        "phone",
        (
            "Số điện thoại",
            "Điện thoại",
            "Số ĐT",
            "SĐT",
            "ĐT",
            "ĐT di động",
            "Số điện thoại di động",
            "phone number",
            "mobile",
        ),
    ),
    (
        "commune_code",
        ("Mã xã", "Mã xã/phường", "Mã phường/xã", "Mã xã, phường", "Mã đơn vị hành chính cấp xã"),
    ),
    ("category", ("Mã đối tượng", "Đối tượng", "Loại đối tượng", "Nhóm đối tượng", "categories")),
    ("children", ("Số con", "Số con đang nuôi")),
    ("start_month", ("Tháng bắt đầu", "Tháng bắt đầu hưởng", "Tháng hưởng")),
    ("wallet_provider", ("Ví nhận tiền", "Ví điện tử", "Ví", "wallet")),
    (
        "representative_name",
        (
            "Người nhận thay",
            "Họ tên người nhận thay",
            "Họ và tên người nhận thay",
            "representative",
        ),
    ),
    (
        "representative_phone",
        (
            "SĐT người nhận thay",
            "Số điện thoại người nhận thay",
            "Điện thoại người nhận thay",
            "Số ĐT người nhận thay",
        ),
    ),
    ("household_code", ("Mã hộ", "Mã hộ gia đình", "Mã số hộ")),
    ("status", ("Trạng thái", "Tình trạng")),
    ("end_month", ("Tháng kết thúc", "Tháng thôi hưởng", "Tháng dừng hưởng")),
)

FIELDS: tuple[str, ...] = tuple(name for name, _ in _HEADERS)
REQUIRED: frozenset[str] = frozenset(
    {
        "full_name",
        "date_of_birth",
        "sex",
        "citizen_id",
        "phone",
        "commune_code",
        "category",
        "start_month",
    }
)
VIETNAMESE_HEADERS: Mapping[str, str] = {name: aliases[0] for name, aliases in _HEADERS}

# Serial-number columns carry nothing to import, so they are skipped without a note.
_IGNORED = ("STT", "TT", "Số TT", "Số thứ tự", "No.", "#")

def _build_index() -> dict[str, str]:
    """Map every known header key to its field (None-like "" for ignored columns)."""
    index: dict[str, str] = {}
    for name, aliases in _HEADERS:
        for text in (name, name.replace("_", " "), *aliases):
            index[header_key(text)] = name
    for text in _IGNORED:
        index[header_key(text)] = ""
    return index


_INDEX = _build_index()


@dataclass(slots=True)
class HeaderMatch:
    """Which column holds which field, and what is missing, unknown or given twice."""

    columns: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the rows under this header can be imported."""
        return not self.missing and not self.duplicates


def header_label(name: str) -> str:
    """Return a field's header for messages, e.g. "Số CCCD (citizen_id)"."""
    return f"{VIETNAMESE_HEADERS.get(name, name)} ({name})"


def match_headers(cells: Sequence[object]) -> HeaderMatch:
    """Match a header row's cells to fields; the first column of a field given twice wins.

    ``duplicates`` holds ``header_label`` of each field found in more than one column,
    ``unknown`` the header texts (trimmed) that match no field, ``missing`` the required
    fields in ``FIELDS`` order.
    """
    match = HeaderMatch()
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        text = " ".join(str(cell).split())
        if not text:
            continue
        name = _INDEX.get(header_key(text))
        if name is None:
            match.unknown.append(text)
        elif not name:
            continue
        elif name in match.columns:
            label = header_label(name)
            if label not in match.duplicates:
                match.duplicates.append(label)
        else:
            match.columns[name] = index
    match.missing = [name for name in FIELDS if name in REQUIRED and name not in match.columns]
    return match


def find_header_row(
    rows: Iterable[Sequence[object]], max_scan: int = 20
) -> tuple[int, HeaderMatch] | None:
    """Return the 0-based index and match of the header row among the first max_scan rows.

    Official spreadsheets put title lines above the header, so the first row matching the
    most required fields (at least 3) wins; None when no row matches 3.
    """
    best: tuple[int, HeaderMatch] | None = None
    best_score = 2
    for index, cells in enumerate(rows):
        if index >= max_scan:
            break
        match = match_headers(cells)
        score = len(REQUIRED) - len(match.missing)
        if score > best_score:
            best, best_score = (index, match), score
            if not match.missing:
                break
    return best
