"""Read roster files (CSV or XLSX) as a stream of rows, without loading the whole file."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from gateway.errors import DomainError


class RosterUnreadable(DomainError):
    """The whole file is refused; ``vi`` and ``en`` say why and what to do."""

    code = "roster_unreadable"
    http_status = 422

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en, vi)


class RosterRefused(RosterUnreadable):
    """The whole file is refused before anything is written (e.g. missing columns)."""

    code = "roster_refused"

    def __init__(self, vi: str, en: str, missing: Sequence[str] = ()) -> None:
        super().__init__(vi, en)
        self.missing = list(missing)


@dataclass
class RosterSource:
    """Rows of one roster: ``rows`` yields (spreadsheet row number, cells)."""

    name: str
    rows: Iterable[tuple[int, Sequence[object]]]
    # Rough total of data rows for a progress bar (None if unknown).
    total_hint: int | None = None
    _closers: list[IO[bytes] | object] = field(default_factory=list)
    # The file behind the rows, when there is one (a helper process may reopen it).
    path: str | None = None

    def close(self) -> None:
        """Release the open file."""
        for closer in self._closers:
            close = getattr(closer, "close", None)
            if close:
                close()


def open_roster(path: str) -> RosterSource:
    """Open a ``.csv`` or ``.xlsx`` roster for streaming.

    Raises:
        RosterUnreadable: the file is missing, of another type, or damaged.
    """
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise RosterUnreadable(f"Không tìm thấy tệp {name}.", f"File {name} not found.")
    ext = os.path.splitext(name)[1].lower()
    if ext == ".csv":
        return _open_csv(path, name)
    if ext in (".xlsx", ".xlsm"):
        return _open_xlsx(path, name)
    if ext == ".xls":
        raise RosterUnreadable(
            "Tệp .xls (Excel 97-2003) không được hỗ trợ; hãy lưu lại dưới dạng .xlsx "
            "hoặc CSV UTF-8.",
            "Old .xls files are not supported; save the sheet as .xlsx or CSV UTF-8.",
        )
    raise RosterUnreadable(
        f"Tệp {name} không phải .csv hoặc .xlsx.", f"File {name} is not a .csv or .xlsx file."
    )


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _open_csv(path: str, name: str) -> RosterSource:
    raw = open(path, "rb")  # noqa: SIM115 - closed by RosterSource.close
    head = raw.read(65536)
    raw.seek(0)
    encoding = _detect_encoding(head)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    try:
        sample = head.decode(encoding.replace("-sig", ""), errors="ignore")
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    total = max(head.count(b"\n"), 1) * max(os.path.getsize(path) // max(len(head), 1), 1)

    def rows() -> Iterator[tuple[int, Sequence[object]]]:
        try:
            yield from enumerate(csv.reader(text, dialect), start=1)
        except UnicodeDecodeError:
            raise RosterUnreadable(
                "Tệp CSV không ở mã UTF-8; trong Excel hãy chọn Lưu thành > CSV UTF-8.",
                "The CSV file is not UTF-8; in Excel use Save As > CSV UTF-8.",
            ) from None
        except csv.Error as exc:
            raise RosterUnreadable(
                f"Tệp CSV bị lỗi định dạng ({exc}).", f"The CSV file is malformed ({exc})."
            ) from None

    return RosterSource(name, rows(), total_hint=total, _closers=[text], path=path)


def _open_xlsx(path: str, name: str) -> RosterSource:
    from gateway.rosters.xlsx import XlsxError, declared_rows, iter_rows

    unreadable = RosterUnreadable(
        f"Không đọc được tệp Excel {name}; tệp có thể bị hỏng hoặc không phải .xlsx.",
        f"Cannot read the Excel file {name}; it may be damaged or not really .xlsx.",
    )
    try:
        with zipfile.ZipFile(path) as book:
            if "xl/workbook.xml" not in book.namelist():
                raise unreadable
    except (zipfile.BadZipFile, OSError):
        raise unreadable from None

    def rows() -> Iterator[tuple[int, Sequence[object]]]:
        try:
            yield from iter_rows(path)
        except XlsxError as exc:
            raise RosterUnreadable(
                f"Tệp Excel {name} bị hỏng ({exc}).", f"The Excel file {name} is damaged ({exc})."
            ) from None

    return RosterSource(name, rows(), total_hint=declared_rows(path), path=path)


def memory_source(
    name: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> RosterSource:
    """Wrap in-memory rows (e.g. generated demo data) as a roster source."""

    def numbered() -> Iterator[tuple[int, Sequence[object]]]:
        yield 1, list(header)
        yield from enumerate(rows, start=2)

    return RosterSource(name, numbered())
