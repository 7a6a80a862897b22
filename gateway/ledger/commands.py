"""``gateway ledger`` commands: check the books, show balances."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from gateway.cli_util import emit, json_option
from gateway.db import get_db
from gateway.vn.money import vnd


@click.group("ledger")
def ledger_group() -> None:
    """The double-entry ledger."""


@ledger_group.command("check")
@json_option
@with_appcontext
def ledger_check(as_json: bool) -> None:
    """Check the ledger's invariants; exit 1 if any is broken."""
    from gateway.ledger.check import check_ledger

    with get_db().sessionmaker() as session:
        violations = check_ledger(session)
    data = {"ok": not violations,
            "violations": [{"kind": v.kind, "subject": v.subject, "detail": v.detail}
                           for v in violations]}
    emit(data, as_json, lambda d: "ledger ok" if d["ok"] else "\n".join(
        f"{v['kind']}: {v['subject']}: {v['detail']}" for v in d["violations"]))
    if violations:
        sys.exit(1)


@ledger_group.command("balances")
@json_option
@with_appcontext
def ledger_balances(as_json: bool) -> None:
    """Show every account's balance."""
    from gateway.ledger.models import Posting

    with get_db().sessionmaker() as session:
        rows = {a: int(t) for a, t in session.execute(
            sa.select(Posting.account, sa.func.sum(Posting.amount)).group_by(Posting.account)
            .order_by(Posting.account))}
    emit(rows, as_json, lambda rs: "\n".join(f"{a:<40} {vnd(t):>22}" for a, t in rs.items()))
