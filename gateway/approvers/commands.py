"""``gateway approver``: enrol, confirm, list and remove approvers' authenticator apps."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli_util import default_actor, emit, json_option
from gateway.db import get_db
from gateway.pii.codec import get_pii

identity_option = click.option(
    "--actor", required=True,
    help="The approver identity as recorded on cycles: apikey:NAME for an API key, "
         "cli:LOGIN for the command line.")
by_option = click.option("--by", default=default_actor, show_default="cli:$USER",
                         help="Who does this (recorded in the audit trail).")


@click.group("approver")
def approver_group() -> None:
    """Approvers' authenticator apps (TOTP) for approving and releasing cycles."""


@approver_group.command("enrol")
@identity_option
@by_option
@json_option
@with_appcontext
def approver_enrol(actor: str, by: str, as_json: bool) -> None:
    """Give an approver a new authenticator secret: print its QR code and URI (shown once).

    The enrolment is pending until `gateway approver confirm` gets a first valid code.
    """
    from gateway.approvers.totp import enrol

    with get_db().session() as session:
        new = enrol(session, get_pii(), actor, by=by)
    data = {"actor": new.actor, "state": "pending", "otpauth_uri": new.uri,
            "secret": new.secret, "issuer": new.issuer, "digits": new.digits,
            "period": new.period}

    def text(d: dict[str, object]) -> str:
        return "\n".join([
            f"Scan this QR code with the authenticator app of {d['actor']}:", "",
            new.qr_text(),
            f"or add it by hand: {d['otpauth_uri']}",
            f"secret (shown once, keep it nowhere): {d['secret']}", "",
            f"Then activate it: gateway approver confirm --actor {d['actor']} --code CODE"])

    emit(data, as_json, text)


@approver_group.command("confirm")
@identity_option
@click.option("--code", required=True, metavar="CODE",
              help="The 6-digit code the authenticator app shows now.")
@json_option
@with_appcontext
def approver_confirm(actor: str, code: str, as_json: bool) -> None:
    """Activate a pending enrolment with a first valid code from the app."""
    from gateway.approvers.totp import confirm, describe

    with get_db().session() as session:
        data = describe(confirm(session, get_pii(), actor, code))
    emit(data, as_json, lambda d: f"authenticator of {d['actor']} is active: approving and "
                                  "releasing now need its code (--totp)")


@approver_group.command("status")
@click.option("--actor", default=None, help="Only this approver identity.")
@json_option
@with_appcontext
def approver_status(actor: str | None, as_json: bool) -> None:
    """List enrolled approvers (never their secrets) and the policy in force."""
    from gateway.approvers.totp import describe, enrolments

    with get_db().sessionmaker() as session:
        rows = [describe(r) for r in enrolments(session) if actor is None or r.actor == actor]
    data = {"policy": current_app.config["APPROVER_TOTP"], "approvers": rows}

    def text(d: dict) -> str:  # type: ignore[type-arg]
        lines = [f"policy: {d['policy']} (CHITRA_APPROVER_TOTP)"]
        for r in d["approvers"]:
            lines.append(f"{r['actor']:<40} {r['state']:<8} enrolled {r['enrolled_at']} "
                         f"by {r['enrolled_by']}; last used {r['last_used_at'] or 'never'}")
        if not d["approvers"]:
            lines.append("no approver has enrolled an authenticator")
        return "\n".join(lines)

    emit(data, as_json, text)


@approver_group.command("remove")
@identity_option
@by_option
@json_option
@with_appcontext
def approver_remove(actor: str, by: str, as_json: bool) -> None:
    """Remove an approver's authenticator (a lost phone); they may then enrol again."""
    from gateway.approvers.totp import remove

    with get_db().session() as session:
        row = remove(session, actor, by=by)
    data = {"actor": row.actor, "state": "removed"}
    emit(data, as_json, lambda d: f"removed the authenticator of {d['actor']}")
