"""A small streaming reader for the first worksheet of an XLSX file.

openpyxl's read-only mode builds Python objects for every cell and reads a 58,848-row roster
in tens of seconds; a province officer should not wait that long. This reader feeds the
sheet's XML to expat in blocks straight from the zip member and yields one tuple of plain
values per row, so memory stays flat in the number of rows (the shared-string table, which
Excel keeps separately, is the only part held whole). Values follow openpyxl's conventions:
text as ``str``, whole numbers as ``int``, other numbers as ``float``, date-formatted numbers
as ``datetime``, booleans as ``bool``, empty cells as ``None``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO
from xml.parsers import expat

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Built-in number formats that display dates or times (ECMA-376 §18.8.30).
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_EPOCH = datetime(1899, 12, 30)
_BLOCK = 1 << 16


class XlsxError(ValueError):
    """The file is not a readable XLSX workbook."""


def _parse(stream: IO[bytes], start=None, end=None, chars=None) -> None:  # type: ignore[no-untyped-def]
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    try:
        parser.ParseFile(stream)
    except expat.ExpatError as exc:
        raise XlsxError(f"malformed XML: {exc}") from None


def _first_sheet_path(book: zipfile.ZipFile) -> str:
    rels: dict[str, str] = {}
    first: list[str] = []

    def rel_start(name: str, attrs: dict[str, str]) -> None:
        if name == f"{_NS_PKG_REL}}}Relationship":
            rels[attrs["Id"]] = attrs["Target"]

    def book_start(name: str, attrs: dict[str, str]) -> None:
        if name == f"{_NS_MAIN}}}sheet" and not first:
            first.append(attrs[f"{_NS_REL}}}id"])

    with book.open("xl/_rels/workbook.xml.rels") as fh:
        _parse(fh, start=rel_start)
    with book.open("xl/workbook.xml") as fh:
        _parse(fh, start=book_start)
    if not first or first[0] not in rels:
        raise XlsxError("the workbook has no worksheet")
    target = rels[first[0]]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings: list[str] = []
    parts: list[str] = []
    in_text = [False]
    si, t = f"{_NS_MAIN}}}si", f"{_NS_MAIN}}}t"
    rph = f"{_NS_MAIN}}}rPh"  # phonetic runs are not part of the value
    in_phonetic = [False]

    def start(name: str, _attrs: dict[str, str]) -> None:
        if name == t and not in_phonetic[0]:
            in_text[0] = True
        elif name == rph:
            in_phonetic[0] = True

    def end(name: str) -> None:
        if name == t:
            in_text[0] = False
        elif name == rph:
            in_phonetic[0] = False
        elif name == si:
            strings.append("".join(parts))
            parts.clear()

    def chars(data: str) -> None:
        if in_text[0]:
            parts.append(data)

    with book.open("xl/sharedStrings.xml") as fh:
        _parse(fh, start, end, chars)
    return strings


def _date_styles(book: zipfile.ZipFile) -> frozenset[int]:
    """Return the indexes of cell styles whose number format shows a date."""
    if "xl/styles.xml" not in book.namelist():
        return frozenset()
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    in_cell_xfs = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            in_cell_xfs[0] = True
        elif local == "xf" and in_cell_xfs[0]:
            xf_formats.append(int(attrs.get("numFmtId", "0")))

    def end(name: str) -> None:
        if name.endswith("}cellXfs"):
            in_cell_xfs[0] = False

    with book.open("xl/styles.xml") as fh:
        _parse(fh, start, end)

    def is_date(fmt: int) -> bool:
        if fmt in custom:
            return bool(_DATE_CODE.search(_QUOTED.sub("", custom[fmt])))
        return fmt in _BUILTIN_DATE_FORMATS

    return frozenset(i for i, fmt in enumerate(xf_formats) if is_date(fmt))


def _column_index(ref: str) -> int:
    """Return the 0-based column of a cell reference such as ``AB12``."""
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value


def declared_rows(path: str) -> int | None:
    """Return the row count the sheet declares in its ``<dimension>`` (for progress bars)."""
    try:
        with zipfile.ZipFile(path) as book, book.open(_first_sheet_path(book)) as member:
            head = member.read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, KeyError, XlsxError):
        return None
    match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    return int(match.group(1)) if match else None


def iter_rows(path: str) -> Iterator[tuple[int, tuple[object, ...]]]:
    """Yield (1-based row number, cell values) for the first worksheet of ``path``.

    Raises:
        XlsxError: the file is not an XLSX workbook or its XML is damaged.
    """
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise XlsxError(f"not an XLSX file ({exc})") from None
    with book:
        try:
            sheet_path = _first_sheet_path(book)
            strings = _shared_strings(book)
            date_styles = _date_styles(book)
            member = book.open(sheet_path)
        except KeyError as exc:
            raise XlsxError(f"missing part {exc}") from None
        with member:
            yield from _stream_sheet(member, strings, date_styles)


def _stream_sheet(
    member: IO[bytes], strings: list[str], date_styles: frozenset[int]
) -> Iterator[tuple[int, tuple[object, ...]]]:
    # Handlers run once per XML element: they use closure variables, not dicts or objects,
    # because attribute and item lookups dominate the cost at ~2 million elements.
    ready: list[tuple[int, tuple[object, ...]]] = []
    row: list[object] = []
    buf: list[str] = []
    row_no, col, kind, style, in_text = 0, -1, "n", -1, False
    # Parsing without namespace processing is much faster; the sheet's tags are matched
    # with whatever prefix the root element uses (none in files from Excel or LibreOffice).
    c_tag, v_tag, t_tag, row_tag = "c", "v", "t", "row"
    first = True

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row_no, col, kind, style, in_text, first, c_tag, v_tag, t_tag, row_tag
        if first:
            first = False
            prefix = name.partition(":")[0] + ":" if ":" in name else ""
            c_tag, v_tag, t_tag, row_tag = (prefix + x for x in ("c", "v", "t", "row"))
        if name == c_tag:
            ref = attrs.get("r")
            col = _column_index(ref) if ref else col + 1
            kind = attrs.get("t", "n")
            s = attrs.get("s")
            style = int(s) if s else -1
            buf.clear()
        elif name == v_tag or (name == t_tag and kind == "inlineStr"):
            in_text = True
        elif name == row_tag:
            number = attrs.get("r")
            row_no = int(number) if number else row_no + 1
            col = -1
            row.clear()

    def end(name: str) -> None:
        nonlocal in_text
        if name == v_tag or name == t_tag:
            in_text = False
        elif name == c_tag:
            value = _cell_value(kind, "".join(buf), style, strings, date_styles)
            if col >= len(row):
                row.extend([None] * (col - len(row) + 1))
            row[col] = value
        elif name == row_tag:
            ready.append((row_no, tuple(row)))

    def chars(data: str) -> None:
        if in_text:
            buf.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        while block := member.read(_BLOCK):
            parser.Parse(block, False)
            if ready:
                yield from ready
                ready.clear()
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XlsxError(f"malformed worksheet XML: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise XlsxError(f"damaged zip data ({exc})") from None
    yield from ready


def _cell_value(kind: str, text: str, style: int, strings: list[str],
                date_styles: frozenset[int]) -> object:
    if kind == "n":
        return None if text == "" else _number_or_date(text, style, date_styles)
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            raise XlsxError("a cell points to a missing shared string") from None
    if kind in ("inlineStr", "str"):
        return text
    if text == "":
        return None
    if kind == "b":
        return text == "1"
    if kind == "e":
        return text  # e.g. "#N/A": validation explains it like any wrong value
    if kind == "d":
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return text
    return _number_or_date(text, style, date_styles)


def _number_or_date(text: str, style: int, date_styles: frozenset[int]) -> object:
    """Read a numeric cell: a date when its style is a date format, else the number."""
    try:
        number = _number(text)
    except ValueError:
        return text
    if style in date_styles and 0 <= number < 2958466:
        return _EPOCH + timedelta(days=float(number))
    return number
