"""Re-encrypt personal data under the primary key, in small batches, while the service runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.db import Base
from gateway.pii.codec import PiiCodec
from gateway.pii.crypto import BOUND_TO, aad


@dataclass(frozen=True, slots=True)
class EncryptedTable:
    """A table with ``<field>_enc`` ciphertext columns bound to its ``bound_to`` column."""

    table: sa.Table
    fields: tuple[str, ...]
    bound_to: str = "ref"


def encrypted_tables(metadata: sa.MetaData | None = None) -> list[EncryptedTable]:
    """List every table that holds personal data or secrets, with its encrypted fields.

    Found from the models: every column marked ``SEALED`` (``<field>_enc``) of every table in
    ``metadata`` (default: the ORM's; ``gateway.models`` imports every model). A queued
    one-time code's sealed body is not marked: it lives minutes and is scrubbed once sent,
    so re-encrypting it would outlast its use.
    """
    found = []
    for table in (metadata or Base.metadata).sorted_tables:
        fields = tuple(c.name.removesuffix("_enc") for c in table.columns
                       if c.info.get("pii") and c.name.endswith("_enc"))
        if fields:
            found.append(EncryptedTable(table, fields, table.info.get(BOUND_TO, "ref")))
    return found


def _stale_filter(spec: EncryptedTable, prefix: str) -> sa.ColumnElement[bool]:
    cols = [spec.table.c[f"{f}_enc"] for f in spec.fields]
    return sa.or_(*[sa.and_(c.is_not(None), sa.not_(c.startswith(prefix))) for c in cols])


def key_usage(session: Session, codec: PiiCodec) -> dict[str, dict[str, int]]:
    """Count stored ciphertexts per table and key id ("other" = a key not in the keyring)."""
    usage: dict[str, dict[str, int]] = {}
    for spec in encrypted_tables():
        cols = [spec.table.c[f"{f}_enc"] for f in spec.fields]
        exprs = [
            sa.func.sum(sa.case((c.startswith(f"{kid}:"), 1), else_=0))
            for kid in codec.keyring.key_ids
            for c in cols
        ]
        total = [sa.func.count(c) for c in cols]
        row = session.execute(sa.select(*exprs, *total)).one()
        n_keys, n_cols = len(codec.keyring.key_ids), len(cols)
        counts = {
            kid: sum(int(row[i * n_cols + j] or 0) for j in range(n_cols))
            for i, kid in enumerate(codec.keyring.key_ids)
        }
        counts["other"] = sum(int(row[n_keys * n_cols + j]) for j in range(n_cols)) - sum(
            counts.values()
        )
        usage[spec.table.name] = counts
    return usage


def rotate_all(
    session_factory: Callable[[], Session],
    codec: PiiCodec,
    *,
    batch: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-encrypt every value not under the primary key; return how many rows changed.

    Each batch commits on its own, so the service keeps reading and writing throughout;
    rows written meanwhile already use the primary key. Running it again is harmless.
    """
    keyring = codec.keyring
    prefix = f"{keyring.primary_id}:"
    changed = 0
    for spec in encrypted_tables():
        t = spec.table
        cols = [t.c[f"{f}_enc"] for f in spec.fields]
        while True:
            with session_factory() as session, session.begin():
                rows = session.execute(
                    sa.select(t.c.id, t.c[spec.bound_to].label("bound"), *cols)
                    .where(_stale_filter(spec, prefix))
                    .order_by(t.c.id)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                updates = []
                for row in rows:
                    values: dict[str, object] = {"_id": row.id}
                    for field, token in zip(spec.fields, row[2:], strict=True):
                        if token is not None:
                            cell = aad(t.name, field, row.bound)
                            values[f"{field}_enc"] = keyring.rotate(token, cell)
                    updates.append(values)
                for values in updates:
                    session.execute(
                        t.update()
                        .where(t.c.id == values["_id"])
                        .values({k: v for k, v in values.items() if k != "_id"})
                    )
                changed += len(rows)
                if progress:
                    progress(len(rows))
    return changed
