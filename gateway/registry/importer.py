"""Roster import: validate every row, write the valid ones in one transaction, report the rest.

The file is streamed: rows are validated and written in chunks, so memory stays flat in the
file's size except for one small digest per row (to catch a citizen ID listed twice). All
writes share one transaction: a file that turns out unreadable halfway writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.pii.codec import PiiCodec
from gateway.registry.headers import HeaderMatch, find_header_row, header_label
from gateway.registry.models import Beneficiary, ImportRun, WalletLink, utcnow
from gateway.registry.source import RosterSource, RosterUnreadable
from gateway.registry.validation import Problem, RosterRow, RowValidator
from gateway.registry.writer import RosterWriter

CHUNK = 1000
SHARED_PHONE = "shared_phone"


class RosterRefused(RosterUnreadable):
    """The whole file is refused before anything is written (e.g. missing columns)."""

    def __init__(self, vi: str, en: str, missing: Sequence[str] = ()) -> None:
        super().__init__(vi, en)
        self.missing = list(missing)


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem in one cell of the file, or a warning about an accepted row."""

    row: int
    column: str
    code: str
    vi: str
    en: str
    severity: str = "error"  # "error" rejects the row; "warning" flags it


@dataclass
class ImportSettings:
    """What the installation allows: providers, its province, and the default provider."""

    providers: Sequence[str]
    province_code: str | None = None
    actor: str = "cli"
    today: date | None = None

    @property
    def default_provider(self) -> str:
        """Return the provider used when a row names none."""
        return self.providers[0]


@dataclass
class ImportReport:
    """Outcome of one import."""

    file_name: str
    dry_run: bool
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    issues_total: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    run_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the report as JSON-ready data."""
        return {
            "file": self.file_name,
            "dry_run": self.dry_run,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "flagged": self.flagged,
            "issues_total": self.issues_total,
            "issues": [
                {"row": i.row, "column": i.column, "code": i.code, "severity": i.severity,
                 "vi": i.vi, "en": i.en}
                for i in self.issues
            ],
            "unknown_columns": self.unknown_columns,
            "run_id": self.run_id,
        }


ISSUE_FIELDS = ["row", "column", "severity", "code", "reason_vi", "reason_en"]
KEEP_ISSUES = 1000  # in the report; the errors file gets all of them


class _IssueSink:
    """Collect issues: all to the errors file, the first ``KEEP_ISSUES`` to the report."""

    def __init__(self, report: ImportReport, out: TextIO | None) -> None:
        self.report = report
        self.writer = csv.writer(out) if out is not None else None
        if self.writer:
            self.writer.writerow(ISSUE_FIELDS)

    def add(self, issue: RowIssue) -> None:
        self.report.issues_total += 1
        if len(self.report.issues) < KEEP_ISSUES:
            self.report.issues.append(issue)
        if self.writer:
            self.writer.writerow(
                [issue.row, issue.column, issue.severity, issue.code, issue.vi, issue.en]
            )


def import_roster(
    session: Session,
    codec: PiiCodec,
    source: RosterSource,
    settings: ImportSettings,
    *,
    dry_run: bool = False,
    errors_out: TextIO | None = None,
    progress: Callable[[int], None] | None = None,
    file_sha256: str = "",
) -> ImportReport:
    """Validate and import a roster; commit only if not ``dry_run``.

    Raises:
        RosterRefused: required columns are missing; nothing is written.
        RosterUnreadable: the file cannot be read; nothing is written.
    """
    report = ImportReport(file_name=source.name, dry_run=dry_run)
    rows = iter(source.rows)
    header_row, match, data_rows = _locate_header(rows)
    report.unknown_columns = list(match.unknown)
    sink = _IssueSink(report, errors_out)
    validator = RowValidator(
        providers=settings.providers, province_code=settings.province_code, today=settings.today
    )
    writer = RosterWriter(
        session, codec, default_provider=settings.default_provider,
        today=settings.today or date.today(),
    )
    seen_ids: dict[str, int] = {}  # citizen-ID digest → first row number, for duplicates
    phone_rows: dict[str, list[int]] = {}  # wallet phone digest → row numbers, for flags
    columns = match.columns

    try:
        for chunk in _chunks(data_rows, CHUNK):
            good: list[tuple[int, RosterRow, str]] = []
            for number, cells in chunk:
                if _blank(cells):
                    continue
                values = {f: (cells[i] if i < len(cells) else None) for f, i in columns.items()}
                result = validator.validate(values)
                if isinstance(result, list):
                    report.rejected += 1
                    for p in result:
                        sink.add(_issue(number, p))
                    continue
                digest = codec.citizen_id_index(result.citizen_id)
                first = seen_ids.get(digest)
                if first is not None:
                    report.rejected += 1
                    sink.add(RowIssue(
                        number, header_label("citizen_id"), "citizen_id.duplicate_in_file",
                        f"Số CCCD trùng với dòng {first}; mỗi người chỉ một dòng.",
                        f"Same citizen ID as row {first}; one row per person.",
                    ))
                    continue
                seen_ids[digest] = number
                good.append((number, result, digest))
            if good:
                for number, phone_digest in writer.write(good):
                    phone_rows.setdefault(phone_digest, []).append(number)
                report.accepted += len(good)
            if progress:
                progress(len(chunk))
        report.created, report.updated, report.unchanged = (
            writer.created, writer.updated, writer.unchanged)
        shared_rows = sorted(
            n for digest in _flag_shared_phones(session) for n in phone_rows.get(digest, ()))
        for number in shared_rows:
            report.flagged += 1
            sink.add(RowIssue(
                number, header_label("phone"), "phone.shared_between_households",
                "Số điện thoại ví này cũng nhận tiền cho hộ khác; cần cán bộ kiểm tra "
                "trước khi chi trả.",
                "This wallet phone also receives for another household; an officer must "
                "review it before any payment.",
                severity="warning",
            ))
        if dry_run:
            session.rollback()
        else:
            run = ImportRun(
                file_name=source.name[:255], file_sha256=file_sha256, actor=settings.actor,
                accepted=report.accepted, rejected=report.rejected, created=report.created,
                updated=report.updated, flagged=report.flagged, finished_at=utcnow(),
            )
            session.add(run)
            session.flush()
            report.run_id = run.id
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        source.close()
    return report


def _locate_header(
    rows: Iterator[tuple[int, Sequence[object]]],
) -> tuple[int, HeaderMatch, Iterator[tuple[int, Sequence[object]]]]:
    head = list(itertools.islice(rows, 20))
    if not head:
        raise RosterRefused("Tệp trống.", "The file is empty.")
    found = find_header_row([cells for _, cells in head])
    if found is None:
        raise RosterRefused(
            "Không tìm thấy dòng tiêu đề (Họ và tên, Ngày sinh, Số CCCD, ...) trong 20 dòng đầu.",
            "No header row (Họ và tên / full_name, Ngày sinh / date_of_birth, ...) in the first "
            "20 rows.",
        )
    index, match = found
    if match.missing or match.duplicates:
        missing = [header_label(f) for f in match.missing]
        dupes = list(match.duplicates)
        vi, en = [], []
        if missing:
            vi.append("Thiếu cột bắt buộc: " + ", ".join(missing) + ".")
            en.append("Missing required columns: " + ", ".join(missing) + ".")
        if dupes:
            vi.append("Cột bị lặp: " + ", ".join(dupes) + ".")
            en.append("Columns given twice: " + ", ".join(dupes) + ".")
        raise RosterRefused(
            " ".join(vi) + " Không có dòng nào được nhập.",
            " ".join(en) + " Nothing was imported.",
            missing=missing,
        )
    return head[index][0], match, itertools.chain(head[index + 1:], rows)


def _chunks(
    rows: Iterator[tuple[int, Sequence[object]]], size: int
) -> Iterator[list[tuple[int, Sequence[object]]]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _issue(row: int, problem: Problem) -> RowIssue:
    return RowIssue(row, header_label(problem.field), problem.code, problem.vi, problem.en)


def _flag_shared_phones(session: Session) -> list[str]:
    """Flag wallet links whose phone receives for more than one household; return the phones.

    A household is its household code when the roster gives one, else the person alone.
    """
    household = sa.func.coalesce(
        Beneficiary.household_code, sa.literal("#") + sa.cast(Beneficiary.id, sa.String)
    )
    shared = (
        sa.select(WalletLink.phone_bidx)
        .join(Beneficiary, Beneficiary.id == WalletLink.beneficiary_id)
        .group_by(WalletLink.phone_bidx)
        .having(sa.func.count(sa.distinct(household)) > 1)
    )
    phones = list(session.scalars(shared))
    if phones:
        for i in range(0, len(phones), 500):
            session.execute(
                sa.update(WalletLink)
                .where(WalletLink.phone_bidx.in_(phones[i:i + 500]))
                .where(WalletLink.flag.is_(None))
                .values(flag=SHARED_PHONE, verified=False)
            )
    return phones


def file_digest(path: str) -> str:
    """Return the SHA-256 of a file, to record which file an import read."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
