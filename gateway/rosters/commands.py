"""``gateway roster`` (import, export) and ``gateway demo`` commands."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO

import click
from flask.cli import with_appcontext

from gateway.cli_util import emit, json_option
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.pii.mask import PII_ROLES
from gateway.rosters.importer import (
    ImportReport,
    ImportSettings,
    RosterRefused,
    file_digest,
    import_roster,
)
from gateway.rosters.source import RosterSource, RosterUnreadable, memory_source, open_roster
from gateway.settings import settings

PROGRESS_FROM_ROWS = 2000  # show a progress bar on files at least this long


def _summary(report: ImportReport) -> str:
    lines = []
    for issue in report.issues[:20]:
        mark = "!" if issue.severity == "warning" else "x"
        lines.append(f"  {mark} row {issue.row}, {issue.column}: {issue.vi} / {issue.en}")
    if report.issues_total > 20:
        lines.append(f"  ... {report.issues_total - 20} more (use --errors OUT.csv)")
    if report.unknown_columns:
        lines.append("  ignored columns: " + ", ".join(report.unknown_columns))
    verb = "would be" if report.dry_run else ""
    lines.append(
        f"accepted {report.accepted}, rejected {report.rejected}"
        + (f", flagged {report.flagged}" if report.flagged else "")
        + f" ({report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        + (f"; dry run: nothing {verb} written)" if report.dry_run else ")")
    )
    return "\n".join(lines)


def _import(source: RosterSource, *, dry_run: bool, errors_path: str | None,
            show_progress: bool, digest: str = "", actor: str = "cli") -> ImportReport:
    """Import a source with the app's settings, writing problems to ``errors_path``."""
    with contextlib.ExitStack() as stack:
        errors_out: TextIO | None = None
        if errors_path:
            errors_out = stack.enter_context(
                open(errors_path, "w", encoding="utf-8-sig", newline=""))
        progress = None
        if show_progress and (source.total_hint or 0) >= PROGRESS_FROM_ROWS:
            bar = stack.enter_context(click.progressbar(
                length=source.total_hint, label="importing", file=sys.stderr))
            progress = bar.update
        session = stack.enter_context(get_db().sessionmaker())
        return import_roster(
            session, get_pii(), source, ImportSettings.of(settings(), actor=actor),
            dry_run=dry_run, errors_out=errors_out, progress=progress, file_sha256=digest)


@click.group("roster")
def roster_group() -> None:
    """Import and export beneficiary rosters (danh sách đối tượng)."""


@roster_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False),
              help="Write every rejected row and warning to this CSV file.")
@click.option("--actor", default=lambda: os.environ.get("USER", "cli"), show_default="$USER",
              help="Who is importing (recorded with the import).")
@json_option
@with_appcontext
def roster_import(file: str, dry_run: bool, errors_path: str | None, actor: str,
                  as_json: bool) -> None:
    """Import a roster FILE (.csv or .xlsx): valid rows are saved, the others reported."""
    try:
        source = open_roster(file)
        report = _import(source, dry_run=dry_run, errors_path=errors_path,
                            show_progress=not as_json, digest=file_digest(file), actor=actor)
    except RosterRefused as exc:
        if as_json:
            emit({"refused": True, "vi": exc.vi, "en": exc.en, "missing_columns": exc.missing},
                 True)
            sys.exit(2)
        raise click.ClickException(f"{exc.vi}\n{exc.en}") from None
    except RosterUnreadable as exc:
        if as_json:
            emit({"refused": True, "vi": exc.vi, "en": exc.en}, True)
            sys.exit(2)
        raise click.ClickException(f"{exc.vi}\n{exc.en}") from None
    emit(report.as_dict(), as_json, lambda _d: _summary(report))


@roster_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--full", is_flag=True, help="Personal data in the clear (needs --role).")
@click.option("--role", type=click.Choice(["officer", "approver", "auditor", "partner"]),
              help="The role the export is for; only officer and auditor may get --full.")
@click.option("--commune", help="Only this commune code.")
@with_appcontext
def roster_export(out: str, full: bool, role: str | None, commune: str | None) -> None:
    """Export the registry to an XLSX file, masked unless --full is allowed for --role."""
    from gateway.rosters.export import export_rows, write_export

    if full and role not in PII_ROLES:
        raise click.ClickException(
            "--full needs --role officer or --role auditor; other roles get masked data.")
    if not out.lower().endswith(".xlsx"):
        raise click.ClickException("the export file name must end in .xlsx")
    with get_db().sessionmaker() as session:
        count = write_export(out, export_rows(session, get_pii(), full=full, commune=commune))
    click.echo(f"exported {count} beneficiaries to {out} ({'full' if full else 'masked'})")


@click.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("seed")
@click.option("--beneficiaries", "count", default=5000, show_default=True,
              type=click.IntRange(1, 5_000_000))
@click.option("--seed", default=2021, show_default=True,
              help="Random seed (same seed, same people).")
@click.option("--province", default="46", show_default=True, help="Province code (46 = Huế).")
@click.option("--verified", "verified_share", default=0.9, show_default=True,
              type=click.FloatRange(0, 1),
              help="Share of wallets marked verified, as if their owners had confirmed them "
              "(demo only; real wallets are verified by one-time code).")
@json_option
@with_appcontext
def demo_seed(count: int, seed: int, province: str, verified_share: float,
              as_json: bool) -> None:
    """Generate a synthetic province roster and import it like an officer would."""
    from gateway.rosters.demo import HEADER, RosterGenerator

    try:
        rows = RosterGenerator(seed=seed, province_code=province).rows(count)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    source = memory_source(f"demo-{province}-{seed}-{count}", HEADER, rows)
    source.total_hint = count
    report = _import(source, dry_run=False, errors_path=None, show_progress=not as_json,
                        actor="demo")
    _verify_demo_wallets(verified_share)
    emit(report.as_dict(), as_json, lambda _d: _summary(report))


def _verify_demo_wallets(share: float) -> None:
    """Mark a deterministic share of unflagged demo wallets verified (demo data only)."""
    import sqlalchemy as sa

    from gateway.clock import utcnow
    from gateway.registry.models import WalletLink

    cutoff = int(round(share * 100))
    with get_db().session() as session:
        session.execute(sa.update(WalletLink).where(
            WalletLink.flag.is_(None), WalletLink.verified.is_(False),
            WalletLink.id % 100 < cutoff).values(verified=True, verified_at=utcnow()))
