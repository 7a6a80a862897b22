"""Read a wallet provider's statement (sao kê) CSV into compact rows, one bad row at a time.

Columns are found by their header, ignoring case, accents, punctuation and a trailing
parenthetical, so "Mã tham chiếu", "reference" and "Client Reference (UUID)" all name our
reference. A statement that cannot be read, or lacks the columns needed to match it, is refused
whole (``StatementRefused``); a row with a bad value becomes a ``RowIssue`` and the other rows
are still reconciled. Phone numbers (msisdn) are recognised so they are not reported as unknown
columns, but their values are never read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from gateway.reconciliation.errors import StatementRefused
from gateway.reconciliation.values import (
    RowProblem,
    TheirStatus,
    normalise_reference,
    parse_amount,
    parse_status,
    parse_timestamp,
)
from gateway.vn.text import header_key

# Canonical field → header aliases. "reference" alone is ours (the idempotency key we sent);
# the provider's own transaction id has names of its own.
_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reference", ("reference", "ref", "client_reference", "client_ref", "our_reference",
                   "payment_ref", "payment_reference", "requestingOrganisationTransactionReference",
                   "x_correlation_id", "X-CorrelationID", "correlation_id", "idempotency_key",
                   "mã tham chiếu", "số tham chiếu")),
    ("provider_ref", ("provider_ref", "provider_reference", "transaction_reference",
                      "transactionReference", "transaction_id", "transactionId", "txn_id",
                      "trans_id", "mã giao dịch", "số giao dịch")),
    ("amount", ("amount", "số tiền", "transaction_amount", "amount_vnd", "giá trị")),
    ("status", ("status", "trạng thái", "transaction_status", "transactionStatus", "result",
                "kết quả")),
    ("timestamp", ("timestamp", "time", "date", "datetime", "created_at", "completed_at",
                   "transaction_date", "transaction_time", "thời gian", "ngày giao dịch",
                   "thời gian giao dịch", "ngày")),
    ("msisdn", ("msisdn", "phone", "phone_number", "số điện thoại", "số ví", "wallet",
                "receiver", "payee")),
)
_INDEX: dict[str, str] = {
    header_key(alias): name for name, aliases in _COLUMNS for alias in (name, *aliases)}
_LABELS = {
    "reference": "reference / mã tham chiếu",
    "provider_ref": "transaction_reference / mã giao dịch",
    "amount": "amount / số tiền",
    "status": "status / trạng thái",
}
HEADER_SEARCH_ROWS = 10  # a few title lines may sit above the header
REFERENCE_CHARS = 64
PROVIDER_REF_CHARS = 100  # as Payment.provider_ref


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One transfer on the statement, with values already checked and normalised."""

    row: int  # record number in the file, the header being one of them
    reference: str | None  # our reference as 32 hex, or None if absent or not one of ours
    printed_reference: str | None  # the reference cell as printed, for reports
    provider_ref: str | None
    amount: int
    status: TheirStatus
    at: datetime | None  # UTC, naive as stored


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A statement row that was not reconciled, with the reason in both languages."""

    row: int
    code: str
    vi: str
    en: str


@dataclass
class Statement:
    """A parsed statement: its identity, the rows that could be read and the ones that could not."""

    name: str
    sha256: str
    rows: list[StatementRow] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field → header as printed
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        """Return the first and last timestamp on the statement (UTC), if it has any."""
        stamps = [r.at for r in self.rows if r.at is not None]
        return (min(stamps), max(stamps)) if stamps else None


def open_statement(path: str) -> Statement:
    """Read the statement file at ``path``.

    Raises:
        StatementRefused: the file is missing or cannot be used as a statement.
    """
    name = os.path.basename(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        raise StatementRefused(f"Không mở được tệp sao kê {name}.",
                               f"Cannot open the statement file {name}.") from None
    with handle:
        return read_statement(handle, name)


def read_statement(stream: IO[bytes], name: str) -> Statement:
    """Read a CSV statement from a binary stream (a file, an upload) to its end.

    Raises:
        StatementRefused: not UTF-8 CSV, empty, or without the columns needed to match rows.
    """
    hashing = _HashingReader(stream)
    buffered = io.BufferedReader(hashing, 65536)
    head = buffered.peek(65536)
    if head.startswith(b"PK\x03\x04"):
        raise StatementRefused(
            f"Tệp {name} là tệp Excel; hãy xuất sao kê dưới dạng CSV UTF-8.",
            f"{name} is an Excel file; export the statement as CSV UTF-8.")
    encoding = _encoding(head)
    if encoding != "utf-16" and b"\x00" in head:
        raise _not_utf8(name)
    text = io.TextIOWrapper(buffered, encoding=encoding, newline="", errors="strict")
    delimiter = _delimiter(head.decode(encoding.replace("-sig", ""), errors="ignore"))
    statement = Statement(name=name, sha256="")
    # strict: a stray quote would shift values into the wrong columns, so refuse instead.
    records = _records(csv.reader(text, delimiter=delimiter, strict=True), name)
    columns = _find_header(records, statement, name)
    for number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        try:
            statement.rows.append(_row(number, cells, columns))
        except RowProblem as problem:
            statement.issues.append(RowIssue(number, problem.code, problem.vi, problem.en))
    statement.sha256 = hashing.hexdigest()
    return statement


class _HashingReader(io.RawIOBase):
    """Pass bytes through while hashing them, so a statement is read once, even from an upload."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self._hash.update(data)
        return size

    def hexdigest(self) -> str:
        # Drain what the parser left unread (e.g. trailing blank lines) so the hash covers all.
        while chunk := self._raw.read(65536):
            self._hash.update(chunk)
        return self._hash.hexdigest()


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    return "utf-8"


def _delimiter(sample: str) -> str:
    # The header line decides: csv.Sniffer guesses badly on short, numeric statements.
    first = next((line for line in sample.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=first.count)


def _records(reader: Iterator[list[str]], name: str) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from enumerate(reader, start=1)
    except UnicodeDecodeError:
        raise _not_utf8(name) from None
    except csv.Error as exc:
        raise StatementRefused(f"Tệp {name} bị lỗi định dạng CSV ({exc}).",
                               f"{name} is not a well-formed CSV file ({exc}).") from None


def _not_utf8(name: str) -> StatementRefused:
    return StatementRefused(
        f"Tệp {name} không phải văn bản UTF-8; hãy xuất sao kê dưới dạng CSV UTF-8.",
        f"{name} is not UTF-8 text; export the statement as CSV UTF-8.")


def _find_header(records: Iterator[tuple[int, list[str]]], statement: Statement,
                 name: str) -> dict[str, int]:
    """Find the header among the first rows; fill the statement's column facts; return them."""
    first: list[str] | None = None
    seen = 0
    for _number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        seen += 1
        first = first if first is not None else cells
        columns, duplicates = _match(cells)
        if duplicates:
            labels = ", ".join(duplicates)
            raise StatementRefused(
                f"Tệp {name} có nhiều cột cùng nghĩa ({labels}); hãy giữ lại một cột.",
                f"{name} has more than one column for the same field ({labels}); keep one.")
        if not _missing(columns):
            statement.columns = {f: cells[i].strip() for f, i in columns.items()}
            statement.ignored_columns = [
                c.strip() for i, c in enumerate(cells) if c.strip() and i not in columns.values()]
            return columns
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise StatementRefused(f"Tệp sao kê {name} trống.", f"The statement {name} is empty.")
    missing = _missing(_match(first)[0])
    labels = "; ".join(_LABELS[m] for m in missing)
    raise StatementRefused(
        f"Tệp {name} thiếu cột: {labels}. Cần số tiền, trạng thái và mã tham chiếu "
        "(hoặc mã giao dịch của nhà cung cấp).",
        f"{name} lacks the column(s): {labels}. A statement needs amount, status and our "
        "reference (or the provider's transaction reference).",
        missing=missing)


def _match(cells: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    duplicates: list[str] = []
    for index, cell in enumerate(cells):
        name = _INDEX.get(header_key(cell)) if cell.strip() else None
        if name is None:
            continue
        if name in columns:
            duplicates.append(name)
        columns[name] = index
    return columns, duplicates


def _missing(columns: dict[str, int]) -> list[str]:
    missing = [f for f in ("amount", "status") if f not in columns]
    if "reference" not in columns and "provider_ref" not in columns:
        missing.insert(0, "reference")
    return missing


def _row(number: int, cells: list[str], columns: dict[str, int]) -> StatementRow:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    printed = cell("reference")
    provider_ref = cell("provider_ref")[:PROVIDER_REF_CHARS] or None
    if not printed and not provider_ref:
        raise RowProblem("reference_missing", "Dòng không có mã tham chiếu lẫn mã giao dịch.",
                         "The row has neither our reference nor the provider's transaction "
                         "reference.")
    return StatementRow(
        row=number,
        reference=normalise_reference(printed) if printed else None,
        printed_reference=printed[:REFERENCE_CHARS] or None,
        provider_ref=provider_ref,
        amount=parse_amount(cell("amount")),
        status=parse_status(cell("status")),
        at=parse_timestamp(cell("timestamp")) if "timestamp" in columns else None,
    )

