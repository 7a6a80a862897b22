"""Roster import: validate every row, write the valid ones in one transaction, report the rest.

The file is streamed: rows are validated and written in chunks, so memory stays flat in the
file's size except for one small digest per row (to catch a citizen ID listed twice). All
writes share one transaction: a file that turns out unreadable halfway writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.audit.chain import qualified_actor, record
from gateway.clock import utcnow
from gateway.pii.codec import PiiCodec
from gateway.registry.models import Beneficiary, ImportRun, WalletLink
from gateway.rosters.headers import header_label
from gateway.rosters.pipeline import ValidationSettings, validated_chunks
from gateway.rosters.source import RosterRefused, RosterSource, RosterUnreadable
from gateway.rosters.validation import Problem, RosterRow
from gateway.rosters.writer import RosterWriter, WalletChange
from gateway.settings import Settings
from gateway.wallets.changes import request_from_roster

SHARED_PHONE = "shared_phone"

__all__ = [
    "ImportReport", "ImportSettings", "RosterRefused", "RosterUnreadable", "RowIssue",
    "file_digest", "import_roster",
]


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

    @classmethod
    def of(cls, typed: Settings, *, actor: str) -> ImportSettings:
        """Return the import settings of an installation (its providers and province)."""
        return cls(providers=list(typed.wallet_providers), province_code=typed.province_code,
                   actor=actor)

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
    parallel: bool | None = None,
) -> ImportReport:
    """Validate and import a roster; commit only if not ``dry_run``.

    ``parallel`` forces (True) or forbids (False) reading in a helper process; by default
    large files are read in one.

    Raises:
        RosterRefused: required columns are missing; nothing is written.
        RosterUnreadable: the file cannot be read; nothing is written.
    """
    report = ImportReport(file_name=source.name, dry_run=dry_run)
    today = settings.today or date.today()
    try:
        match, chunks = validated_chunks(source, ValidationSettings(
            tuple(settings.providers), settings.province_code, today), parallel=parallel)
    except BaseException:
        source.close()
        raise
    report.unknown_columns = list(match.unknown)
    sink = _IssueSink(report, errors_out)
    writer = RosterWriter(session, codec, default_provider=settings.default_provider, today=today)
    seen_ids: dict[str, int] = {}  # citizen-ID digest → first row number, for duplicates
    phone_rows: dict[str, list[int]] = {}  # wallet phone digest → row numbers, for flags

    try:
        for consumed, results in chunks:
            good: list[tuple[int, RosterRow, str]] = []
            for number, result in results:
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
                progress(consumed)
        report.created, report.updated, report.unchanged = (
            writer.created, writer.updated, writer.unchanged)
        _file_wallet_changes(session, codec, writer.wallet_changes, settings.actor,
                             source.name, report, sink)
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
            counts = {k: getattr(report, k) for k in
                      ("accepted", "rejected", "created", "updated", "unchanged", "flagged")}
            record(session, actor=qualified_actor(settings.actor), action="roster.import",
                   subject_type="import_run", subject_id=run.id,
                   after={"file_sha256": file_sha256, **counts}, detail=counts)
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        source.close()
    return report


def _file_wallet_changes(session: Session, codec: PiiCodec, changes: list[WalletChange],
                         actor: str, file_name: str, report: ImportReport,
                         sink: _IssueSink) -> None:
    """Turn rows that name another wallet phone into change requests for a second officer."""
    if not changes:
        return
    for change in changes:
        ref = request_from_roster(session, codec, wallet_link_id=change.wallet_link_id,
                                  provider=change.provider, phone=change.phone,
                                  actor=qualified_actor(actor), file_name=file_name)
        if ref is None:
            continue
        report.flagged += 1
        sink.add(RowIssue(
            change.row, header_label("phone"), "wallet.change_needs_second_officer",
            f"Số ví mới chờ cán bộ thứ hai duyệt (yêu cầu {ref}); chi trả cho người này "
            "tạm giữ đến khi được duyệt và số mới được xác minh.",
            f"The new wallet phone waits for a second officer's approval (request {ref}); "
            "this person's payments are held until it is approved and the phone verified.",
            severity="warning",
        ))


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
