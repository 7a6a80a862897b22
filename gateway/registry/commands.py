"""``gateway beneficiary`` commands: look people up in the register."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from gateway.cli_util import emit, json_option
from gateway.db import get_db
from gateway.pii.codec import get_pii


@click.group("beneficiary")
def beneficiary_group() -> None:
    """Look up beneficiaries."""


@beneficiary_group.command("find")
@click.option("--citizen-id", help="12-digit citizen ID.")
@click.option("--phone", help="Mobile number (0912345678 or +84912345678).")
@click.option("--role", type=click.Choice(["officer", "approver", "auditor", "partner"]),
              default="approver", show_default=True, help="Masking follows this role.")
@json_option
@with_appcontext
def beneficiary_find(citizen_id: str | None, phone: str | None, role: str, as_json: bool) -> None:
    """Find beneficiaries by citizen ID or phone (exact match through the blind index)."""
    from gateway.registry.lookup import find_beneficiaries

    if bool(citizen_id) == bool(phone):
        raise click.UsageError("give exactly one of --citizen-id or --phone")
    with get_db().sessionmaker() as session:
        try:
            found = find_beneficiaries(session, get_pii(), citizen_id=citizen_id, phone=phone,
                                       role=role)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None

    def text(items: list[dict[str, object]]) -> str:
        if not items:
            return "no beneficiary found"
        return "\n".join(
            f"{b['ref']}  {b['name']}  {b['citizen_id']}  {b['commune_code']}  {b['status']}  "
            f"{','.join(b['categories'])}  wallet {b['wallet_phone']} "
            f"({'verified' if b['wallet_verified'] else 'unverified'}"
            f"{', flag ' + str(b['wallet_flag']) if b['wallet_flag'] else ''})"
            for b in items
        )

    emit(found, as_json, text)
