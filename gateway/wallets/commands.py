"""``gateway wallet-link``: officers' two-person wallet changes and verification codes."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli_util import actor_option, emit, json_option
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.wallets import changes
from gateway.wallets.models import ChangeStatus


def _line(d: dict[str, object]) -> str:
    decided = f", {d['status']} by {d['decided_by']}" if d["decided_by"] else ""
    return (f"{d['ref']}  beneficiary {d['beneficiary']}  {d['old_provider']} -> "
            f"{d['provider']} {d['phone']}  {d['status']}  asked by {d['requested_by']}"
            f"{decided}")


@click.group("wallet-link")
def wallet_link_group() -> None:
    """Change where a beneficiary's money goes (two officers) and send wallet codes."""


@wallet_link_group.command("request-change")
@click.argument("beneficiary_ref")
@click.option("--provider", required=True, help="Wallet provider of the new wallet.")
@click.option("--phone", required=True, help="The new wallet phone (0912345678 or +84...).")
@click.option("--reason", required=True, help="Why (e.g. the old SIM was lost).")
@actor_option
@json_option
@with_appcontext
def request_change(beneficiary_ref: str, provider: str, phone: str, reason: str, actor: str,
                   as_json: bool) -> None:
    """Ask to move BENEFICIARY_REF's wallet; another officer must approve."""
    with get_db().session() as s:
        change = changes.request_change(
            s, get_pii(), beneficiary_ref=beneficiary_ref, provider=provider, phone=phone,
            reason=reason, actor=actor, providers=current_app.config["WALLET_PROVIDERS"])
        [data] = changes.describe(s, get_pii(), [change], clear_reason=False)
    emit(data, as_json, lambda d: f"requested {d['ref']}: {_line(d)}\n"
         "its payments are held until another officer approves and the new phone is verified")


@wallet_link_group.command("approve-change")
@click.argument("request_ref")
@actor_option
@json_option
@with_appcontext
def approve_change(request_ref: str, actor: str, as_json: bool) -> None:
    """Apply REQUEST_REF (not by who asked) and SMS a code to the new phone."""
    from gateway.wallets.service import wallet_verification

    with get_db().session() as s:
        decision = changes.approve_change(s, get_pii(), request_ref, actor=actor,
                                          verification=wallet_verification())
        [data] = changes.describe(s, get_pii(), [decision.request], clear_reason=False)
    if decision.refused is not None:  # committed: the refusal is audited
        raise decision.refused
    data["code"] = decision.code.status.value if decision.code else None
    data["repointed_payments"] = decision.repointed
    emit(data, as_json, lambda d: f"approved: {_line(d)}\n"
         f"verification code to the new phone: {d['code']}; "
         f"unpaid payments moved to it: {d['repointed_payments']}")


@wallet_link_group.command("reject-change")
@click.argument("request_ref")
@actor_option
@json_option
@with_appcontext
def reject_change(request_ref: str, actor: str, as_json: bool) -> None:
    """Close REQUEST_REF without changing the wallet (its maker may withdraw it)."""
    with get_db().session() as s:
        decision = changes.reject_change(s, request_ref, actor=actor)
        [data] = changes.describe(s, get_pii(), [decision.request], clear_reason=False)
    emit(data, as_json, lambda d: f"rejected: {_line(d)}")


@wallet_link_group.command("list-changes")
@click.option("--status", type=click.Choice([s.value for s in ChangeStatus]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_option
@with_appcontext
def list_changes(status: str | None, limit: int, as_json: bool) -> None:
    """List wallet change requests, newest first (phones masked)."""
    with get_db().sessionmaker() as s:
        rows = changes.list_changes(s, status=status, limit=limit)
        data = changes.describe(s, get_pii(), rows, clear_reason=True)
    emit(data, as_json,
         lambda ds: "\n".join(_line(d) + f"  ({d['reason']})" for d in ds) or "no requests")


@wallet_link_group.command("send-code")
@click.argument("beneficiary_ref")
@actor_option
@json_option
@with_appcontext
def send_code(beneficiary_ref: str, actor: str, as_json: bool) -> None:
    """SMS a verification code to BENEFICIARY_REF's wallet phone."""
    import sqlalchemy as sa

    from gateway.registry.models import Beneficiary, WalletLink
    from gateway.wallets.service import wallet_verification

    with get_db().session() as s:
        link = s.scalar(sa.select(WalletLink).join(Beneficiary)
                        .where(Beneficiary.ref == beneficiary_ref))
        if link is None:
            raise click.ClickException(f"no wallet link for beneficiary {beneficiary_ref[:40]!r}")
        result = wallet_verification().start_verification(s, link, actor=actor)
    data = {"status": result.status.value, "retry_after": result.retry_after}
    emit(data, as_json, lambda d: f"code: {d['status']}" + (
        f" (try again in {d['retry_after']} s)" if d["retry_after"] else ""))
