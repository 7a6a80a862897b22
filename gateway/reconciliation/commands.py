"""``gateway reconcile``: compare a provider statement with our payments and record the findings.

Exit codes, so schedulers and scripts can act on the outcome:

- 0: every row matched and nothing is missing;
- 3: discrepancies were found and recorded (missing, extra, amount or status mismatch,
  duplicate, or rows that could not be read); nothing was changed;
- 2: the statement was refused whole (unreadable, not UTF-8 CSV, required columns missing),
  or the command line was wrong; nothing was recorded;
- 1: another error, e.g. an unknown cycle or provider.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli_util import actor_option, emit, json_option
from gateway.db import get_db
from gateway.vn.money import vnd

EXIT_DISCREPANCIES = 3
EXIT_REFUSED = 2


@click.command("reconcile")
@click.argument("statement_path", metavar="STATEMENT.csv",
                type=click.Path(dir_okay=False))
@click.option("--provider", required=True, help="The wallet provider that sent the statement.")
@click.option("--cycle", "cycle_ref", help="Only this cycle's payments (reference or id).")
@click.option("--show", default=20, show_default=True, type=click.IntRange(0),
              help="How many findings to print (worst first); --json prints all.")
@actor_option
@json_option
@with_appcontext
def reconcile_command(statement_path: str, provider: str, cycle_ref: str | None, show: int,
                      actor: str, as_json: bool) -> None:
    """Reconcile a provider's statement (sao kê) with our payments; move no money.

    Without --cycle every payment of the provider counts; if the statement has timestamps,
    only payments that changed state inside its first-to-last time are expected on it.

    Exit 0 when everything matched, 3 when discrepancies were recorded, 2 when the statement
    was refused whole (nothing recorded).
    """
    from gateway.payroll.models import Payment
    from gateway.reconciliation import StatementRefused, open_statement, reconcile

    provider = provider.strip().lower()
    with get_db().sessionmaker() as session:
        known = set(current_app.config.get("WALLET_PROVIDERS") or ()) | set(
            session.scalars(sa.select(Payment.provider).distinct()))
    if provider not in known:
        raise click.ClickException(
            f"unknown provider {provider!r} (known: {', '.join(sorted(known)) or 'none'})\n"
            f"Không có nhà cung cấp ví {provider!r}.")
    try:
        statement = open_statement(statement_path)
    except StatementRefused as refused:
        if as_json:
            emit({"refused": True, "code": refused.code, "missing": refused.missing,
                  "vi": refused.vi, "en": refused.en}, True)
        else:
            click.echo(f"{refused.vi}\n{refused.en}", err=True)
        sys.exit(EXIT_REFUSED)
    with get_db().session() as session:
        report = reconcile(session, statement, provider=provider, actor=actor,
                           cycle_ref=cycle_ref)
    emit(report.to_dict(), as_json, lambda d: _text(report.to_dict(limit=show)))
    if report.discrepancies:
        sys.exit(EXIT_DISCREPANCIES)


def _text(d: dict[str, Any]) -> str:
    scope = f"cycle {d['cycle']}" if d["cycle"] else "all cycles"
    lines = [f"reconciliation run {d['run_id']}: {d['provider']}, {scope}, {d['file_name']} "
             f"(sha256 {d['file_sha256'][:12]}…), {d['statement_rows']} rows"]
    if d["window"]:
        lines.append(f"  statement window (UTC) {d['window'][0]} to {d['window'][1]}")
    if d["ignored_columns"]:
        lines.append(f"  columns ignored: {', '.join(d['ignored_columns'])}")
    lines += [f"  {name:<16} {count:>8}" for name, count in d["counts"].items()]
    if d["findings"]:
        lines.append(f"first findings (of {d['discrepancies']}, worst first):")
        lines += [f"  {_finding_line(f)}" for f in d["findings"]]
    lines.append("all matched" if not d["discrepancies"] else
                 f"{d['discrepancies']} discrepancies recorded; no payment or ledger entry was "
                 "changed")
    return "\n".join(lines)


def _finding_line(f: dict[str, Any]) -> str:
    where = f"row {f['statement_row']}" if f["statement_row"] else "not on statement"
    if f["category"] == "invalid_row":
        return f"invalid_row      {where}: {f['detail']}"
    ours = (f"ours {f['our_state']} {vnd(f['our_amount'])}" if f["our_state"] else "ours: none")
    theirs = (f"theirs {f['their_status']} {vnd(f['their_amount'])}" if f["their_status"]
              else "theirs: none")
    return (f"{f['category']:<16} {f['note'] or '':<17} {where:<16} {f['reference'] or '-'}  "
            f"{ours}; {theirs}")
