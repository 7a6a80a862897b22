"""``gateway apikey``: create, list and revoke the keys that open the admin API."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from gateway.api.keys import ApiKeyRefused, create_key, list_keys, revoke_key
from gateway.api.roles import Role
from gateway.cli_util import emit, json_option
from gateway.db import get_db


@click.group("apikey")
def apikey_group() -> None:
    """Manage admin API keys (one per program or person, each in one role)."""


@apikey_group.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="officer imports and prepares; approver approves; auditor reads; "
                   "partner reaches only its callbacks.")
@click.option("--name", required=True, help="Unique name, e.g. hue-officer-1.")
@json_option
@with_appcontext
def apikey_create(role: str, name: str, as_json: bool) -> None:
    """Create a key and print it once: store it now, it cannot be shown again."""
    try:
        with get_db().session() as session:
            key, token = create_key(session, name, role)
            data = {**key.describe(), "key": token}
    except ApiKeyRefused as exc:
        raise click.ClickException(str(exc)) from None
    emit(data, as_json, lambda d: (
        f"created {d['role']} key {d['name']} (prefix {d['prefix']})\n"
        f"{d['key']}\n"
        "Store this key now: it is not kept and cannot be shown again."))


@apikey_group.command("list")
@json_option
@with_appcontext
def apikey_list(as_json: bool) -> None:
    """List keys with their role, prefix and last use (never the secrets)."""
    with get_db().sessionmaker() as session:
        keys = [k.describe() for k in list_keys(session)]

    def text(items: list[dict[str, object]]) -> str:
        if not items:
            return "no API keys (create one with `gateway apikey create`)"
        return "\n".join(
            f"{k['name']:<24} {k['role']:<9} {k['prefix']}  {k['status']:<7} "
            f"created {k['created_at']}  last used {k['last_used_at'] or 'never'}"
            for k in items)

    emit(keys, as_json, text)


@apikey_group.command("revoke")
@click.argument("name")
@with_appcontext
def apikey_revoke(name: str) -> None:
    """Revoke the key NAME: it stops working at once and cannot be restored."""
    try:
        with get_db().session() as session:
            key = revoke_key(session, name)
            revoked_at = key.describe()["revoked_at"]
    except ApiKeyRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"key {name} revoked (since {revoked_at})")
