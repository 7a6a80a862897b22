"""Append to the audit chain: ``hash_n = SHA-256(hash_{n-1} ‖ canonical(entry_n))``.

Appends run in the caller's transaction, so an audit event commits or rolls back together with
the state change it describes. Each append locks the one-row chain head first, so two
transactions appending at once queue up instead of both building on the same previous hash:

- PostgreSQL: ``SELECT ... FOR UPDATE`` on the head row; a second appender waits until the
  first commits, then reads the head it left.
- SQLite: a no-op ``UPDATE`` of the head row before reading it. The UPDATE opens the write
  transaction (SQLite has one writer at a time; others wait up to ``busy_timeout``), so the
  head is read inside the write lock and never from a stale snapshot. This relies on the
  driver beginning the transaction at the first write, as Python's sqlite3 does by default;
  an engine made to BEGIN at the first read would need ``BEGIN IMMEDIATE`` instead.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.audit.canonical import canonical, digest
from gateway.audit.models import HEAD_ID, AuditEvent, AuditHead

GENESIS = "0" * 64  # the prev_hash of seq 1
MAX_DETAIL_CHARS = 2000  # detail is for a few counts and states, never a copy of a row
CHUNK = 1000

_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__
_LIMITS = {"actor": 64, "action": 64, "subject_type": 32, "subject_id": 64}


class AuditChainError(Exception):
    """The chain cannot be appended to safely (its head row is gone while events remain)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One row's change for ``record_many``: its id, its state before and after, and facts."""

    subject_id: str | int
    before: Any = None
    after: Any = None
    detail: Mapping[str, Any] | None = None


def utcnow() -> datetime:
    """Return the current UTC time (naive, as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def qualified_actor(actor: str, kind: str = "cli") -> str:
    """Return ``actor`` as ``kind:name`` (``alice`` → ``cli:alice``) unless it names its kind."""
    return actor if ":" in actor else f"{kind}:{actor}"


def entry_hash(
    prev_hash: str,
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    before_digest: str | None,
    after_digest: str | None,
    detail_json: str | None,
) -> str:
    """Return the hash of one entry chained onto ``prev_hash``."""
    entry = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "before_digest": before_digest,
        "after_digest": after_digest,
        "detail": detail_json,
    }
    # prev_hash is always 64 hex characters, so plain concatenation is unambiguous.
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    before: Any = None,
    after: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction and return it (flushed, not committed).

    ``before`` and ``after`` are the subject's state (any canonical-JSON value; ``None`` means
    "did not exist"); only their SHA-256 digests are stored. Digest the row as stored (its
    encrypted columns and refs), not plaintext personal data: a digest of a phone number alone
    could be found by trying every number.

    Args:
        session: the session whose transaction makes the state change.
        actor: who acted, as ``kind:name`` (``apikey:alice``, ``cli:root``, ``system:worker``).
        action: what was done, as ``noun.verb`` (``cycle.approve``, ``roster.import``).
        subject_type: the kind of row changed (``cycle``, ``import_run``).
        subject_id: the id of the row changed.
        before: the subject's state before the change.
        after: the subject's state after the change.
        detail: a few non-personal facts (counts, amounts, states), at most 2,000 characters.

    Raises:
        ValueError: a field is empty or too long, or ``detail`` is too large.
        TypeError: ``before``, ``after`` or ``detail`` holds a value with no canonical JSON.
        AuditChainError: the chain's head row is missing while events exist.
    """
    seq, prev = _lock_head(session)
    row = _entry(seq + 1, prev, utcnow(), actor, action, subject_type,
                 Change(subject_id, before, after, detail))
    event = AuditEvent(**{("detail_json" if k == "detail" else k): v for k, v in row.items()})
    session.add(event)
    session.flush()
    _move_head(session, row["seq"], row["hash"])
    return event


def record_many(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    changes: Iterable[Change],
) -> int:
    """Append one audit event per change, in the caller's transaction; return how many.

    Built for system work on thousands of rows: the head is locked once, events are hashed in
    memory and inserted in batches of 1,000, and ``changes`` is consumed lazily, so memory
    stays flat. When per-row evidence is not needed, one ``record`` call per batch with a count
    is an acceptable audit of system bulk work, e.g. ``record(session, actor="system:worker",
    action="cycle.release", subject_type="cycle", subject_id=cycle.id, before=..., after=...,
    detail={"payments": 58848})``.

    Raises:
        ValueError, TypeError, AuditChainError: as ``record``.
    """
    it = iter(changes)
    chunk = list(itertools.islice(it, CHUNK))
    if not chunk:
        return 0
    seq, prev = _lock_head(session)
    at = utcnow()  # one bulk operation, one moment
    count = 0
    while chunk:
        rows = []
        for change in chunk:
            seq += 1
            row = _entry(seq, prev, at, actor, action, subject_type, change)
            prev = row["hash"]
            rows.append(row)
        session.execute(sa.insert(_EVENTS), rows)
        count += len(rows)
        chunk = list(itertools.islice(it, CHUNK))
    _move_head(session, seq, prev)
    return count


def read_head(session: Session) -> tuple[int, str] | None:
    """Return the chain head's (seq, hash) without locking it, or None if there is no head."""
    row = session.execute(
        sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID)
    ).one_or_none()
    return (int(row.seq), row.hash) if row is not None else None


def _entry(
    seq: int, prev: str, at: datetime, actor: str, action: str, subject_type: str, change: Change
) -> dict[str, Any]:
    subject_id = str(change.subject_id)
    for name, value in (("actor", actor), ("action", action), ("subject_type", subject_type),
                        ("subject_id", subject_id)):
        if not value or len(value) > _LIMITS[name]:
            raise ValueError(f"audit {name} must be 1 to {_LIMITS[name]} characters: {value!r}")
    detail_json = None
    if change.detail is not None:
        if not isinstance(change.detail, Mapping):
            raise TypeError("audit detail must be a mapping of facts")
        detail_json = canonical(change.detail)
        if len(detail_json) > MAX_DETAIL_CHARS:
            raise ValueError(
                f"audit detail is {len(detail_json)} characters; keep it to a few facts "
                f"(at most {MAX_DETAIL_CHARS})")
    fields = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "before_digest": digest(change.before) if change.before is not None else None,
        "after_digest": digest(change.after) if change.after is not None else None,
    }
    return {**fields, "detail": detail_json, "prev_hash": prev,
            "hash": entry_hash(prev, **fields, detail_json=detail_json)}


def _lock_head(session: Session) -> tuple[int, str]:
    dialect = session.connection().dialect.name
    for _ in range(2):
        if dialect == "sqlite":
            # Writing first takes SQLite's single write lock, so the read below sees the
            # newest head and no other writer can move it until we commit.
            touched = session.execute(
                sa.update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=_HEAD.c.seq)
            ).rowcount
            head = read_head(session) if touched else None
        else:
            row = session.execute(
                sa.select(_HEAD.c.seq, _HEAD.c.hash)
                .where(_HEAD.c.id == HEAD_ID)
                .with_for_update()
            ).one_or_none()
            head = (int(row.seq), row.hash) if row is not None else None
        if head is not None:
            return head
        _create_head(session, dialect)
    raise AuditChainError("the audit chain head could not be created")  # pragma: no cover


def _create_head(session: Session, dialect: str) -> None:
    # A missing head with events present means someone deleted it: starting a new chain at
    # seq 1 would hide that, so refuse and let verify and the off-host anchor speak.
    if session.execute(sa.select(_EVENTS.c.id).limit(1)).first() is not None:
        if read_head(session) is not None:
            # Another first appender committed the head and its events after our lookup
            # (PostgreSQL, read committed): nothing is missing; the caller locks it now.
            return
        raise AuditChainError(
            "the audit chain head row is missing while audit events exist; run "
            "`gateway audit verify` and restore audit_head from the last good anchor")
    values = {"id": HEAD_ID, "seq": 0, "hash": GENESIS}
    if dialect == "postgresql":
        # Two first appenders both insert; the second waits for the first, then does nothing.
        session.execute(postgresql.insert(_HEAD).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(_HEAD).values(values).on_conflict_do_nothing())
    else:
        session.execute(sa.insert(_HEAD).values(values))


def _move_head(session: Session, seq: int, hash_: str) -> None:
    session.execute(
        sa.update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=seq, hash=hash_)
    )
