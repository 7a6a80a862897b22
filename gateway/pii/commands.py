"""``gateway keys rotate`` and ``gateway keys status``."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from gateway.audit.chain import qualified_actor, record
from gateway.cli_util import emit, json_option
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.pii.crypto import DecryptionError
from gateway.pii.rotation import key_usage, rotate_all


@click.command("status")
@json_option
@with_appcontext
def keys_status(as_json: bool) -> None:
    """Show how many stored values each encryption key protects."""
    codec = get_pii()
    with get_db().session() as session:
        usage = key_usage(session, codec)
    keyring = codec.keyring
    data = {"primary": keyring.primary_id, "keys": list(keyring.key_ids), "usage": usage}

    def text(d: dict) -> str:
        lines = [f"primary key: {d['primary']}"]
        for table, counts in d["usage"].items():
            parts = ", ".join(f"{k}={v}" for k, v in counts.items())
            lines.append(f"  {table}: {parts}")
        return "\n".join(lines)

    emit(data, as_json, text)


@click.command("rotate")
@click.option("--batch", default=1000, show_default=True, help="Rows per committed batch.")
@json_option
@with_appcontext
def keys_rotate(batch: int, as_json: bool) -> None:
    """Re-encrypt every stored value under the primary (first) key of CHITRA_PII_KEYS.

    Put the new key first in CHITRA_PII_KEYS, keep the old ones after it, restart, run this;
    when `gateway keys status` shows nothing left under an old key, remove that key.
    """
    codec = get_pii()
    db = get_db()
    try:
        changed = rotate_all(db.sessionmaker, codec, batch=batch)
    except DecryptionError as exc:
        raise click.ClickException(
            f"a stored value could not be decrypted ({exc}); is an old key missing from "
            "CHITRA_PII_KEYS?"
        ) from None
    with db.session() as session:
        record(session, actor=qualified_actor(os.environ.get("USER") or "unknown"),
               action="keys.rotate", subject_type="pii_keyring",
               subject_id=codec.keyring.primary_id,
               detail={"reencrypted_rows": changed, "primary": codec.keyring.primary_id})
    emit(
        {"reencrypted_rows": changed, "primary": codec.keyring.primary_id},
        as_json,
        f"re-encrypted {changed} rows under key {codec.keyring.primary_id}",
    )
