"""``gateway audit head`` and ``gateway audit verify``: read the chain head, check the chain."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from gateway.audit.chain import GENESIS, read_head
from gateway.audit.verify import Anchor, VerifyResult, verify
from gateway.cli_util import emit, json_option
from gateway.db import get_db


def _anchor(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> list[Anchor]:
    try:
        return [Anchor.parse(v) for v in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group("audit")
def audit_group() -> None:
    """Show and check the tamper-evident audit chain (nhật ký kiểm toán)."""


@audit_group.command("head")
@json_option
@with_appcontext
def audit_head(as_json: bool) -> None:
    """Print the chain head as SEQ:HASH; copy it off this host to anchor the chain."""
    with get_db().session() as session:
        head = read_head(session)
    seq, hash_ = head if head is not None else (0, GENESIS)
    emit(
        {"seq": seq, "hash": hash_, "anchor": f"{seq}:{hash_}"},
        as_json,
        lambda d: f"{d['anchor']}\n(seq {d['seq']}; keep this line off-host, then check it "
        "with `gateway audit verify --anchor SEQ:HASH`)",
    )


@audit_group.command("verify")
@click.option("--anchor", "anchors", multiple=True, callback=_anchor, metavar="SEQ:HASH",
              help="A head printed earlier by `gateway audit head`; the chain must still hold "
              "it. Repeatable.")
@json_option
@with_appcontext
def audit_verify(anchors: list[Anchor], as_json: bool) -> None:
    """Check every audit event, the head and any anchors; exit 1 at the first broken link."""
    with get_db().session() as session:
        result = verify(session, anchors)
    if as_json:
        emit(result.as_dict(), True)
        if not result.ok:
            sys.exit(1)
        return
    if not result.ok:
        raise click.ClickException(f"audit chain broken at seq {result.first_broken_seq}: "
                                   f"{result.reason}")
    click.echo(_intact(result, anchors))


def _intact(result: VerifyResult, anchors: list[Anchor]) -> str:
    checked = f"{result.checked} event{'' if result.checked == 1 else 's'}"
    text = f"audit chain intact: {checked}, head {result.last_seq}:{result.last_hash}"
    if anchors:
        text += f"; {len(anchors)} anchor{'' if len(anchors) == 1 else 's'} found in the chain"
    return text
