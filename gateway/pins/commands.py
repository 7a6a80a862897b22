"""``gateway pin``: officers see and reset beneficiaries' USSD PINs (audited, never shown)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from gateway.audit.chain import qualified_actor
from gateway.cli_util import default_actor, emit, json_option
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.pins.service import describe, reset_pin
from gateway.registry.lookup import BeneficiaryNotFound, find_beneficiary

_BENEFICIARY = click.option(
    "--beneficiary", "key", required=True, metavar="REF|CITIZEN_ID",
    help="The beneficiary's public reference (32 hex) or 12-digit citizen ID (found by blind "
         "index, never stored or printed).")


@click.group("pin")
def pin_group() -> None:
    """See and reset beneficiaries' USSD PINs."""


def _status_text(data: dict[str, object]) -> str:
    lines = [f"beneficiary {data['beneficiary']}: PIN {data['state']}"]
    if data["state"] == "set":
        lines.append(f"tries left before the lock: {data['tries_left']}")
    for field in ("set_at", "locked_at", "reset_at"):
        if data.get(field):
            lines.append(f"{field.replace('_', ' ')}: {data[field]}")
    if data.get("reset_by"):
        lines.append(f"reset by: {data['reset_by']}")
    return "\n".join(lines)


@pin_group.command("status")
@_BENEFICIARY
@json_option
@with_appcontext
def pin_status(key: str, as_json: bool) -> None:
    """Show whether a beneficiary has a PIN, is locked out, and when it was set or reset."""
    with get_db().sessionmaker() as session:
        try:
            data = describe(session, find_beneficiary(session, get_pii(), key))
        except BeneficiaryNotFound as exc:
            raise click.ClickException(str(exc)) from None
    emit(data, as_json, _status_text)


@pin_group.command("reset")
@_BENEFICIARY
@click.option("--actor", default=default_actor, show_default="cli:$USER",
              help="The officer who checked the beneficiary's identity (recorded).")
@json_option
@with_appcontext
def pin_reset(key: str, actor: str, as_json: bool) -> None:
    """Clear a forgotten or locked PIN: the beneficiary chooses a new one at the next use.

    Check the person's identity (citizen ID card) first; the reset is audited.
    """
    with get_db().session() as session:
        try:
            person = find_beneficiary(session, get_pii(), key)
        except BeneficiaryNotFound as exc:
            raise click.ClickException(str(exc)) from None
        outcome = reset_pin(session, person, actor=qualified_actor(actor))
        data = {**describe(session, person), "changed": outcome.changed,
                "previous": outcome.previous.value}
    emit(data, as_json, lambda d: (
        f"PIN of beneficiary {d['beneficiary']} reset (was {d['previous']}); "
        "a new PIN is chosen at the next USSD use." if d["changed"]
        else f"beneficiary {d['beneficiary']} has no PIN to reset; nothing changed."))
