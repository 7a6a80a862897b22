"""Walk the audit chain and name its first broken link.

The walk streams rows in seq order (memory stays flat however long the chain is) and checks,
for each row: that no seq is missing, that it links to the previous row's hash, and that its
own hash matches its content. Then the head row must match the chain's end, and every anchor
(a seq and hash copied off-host earlier) must still be in the chain. A chain rewritten
consistently from some row onwards passes the first checks; only an off-host anchor reveals it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.audit.chain import GENESIS, entry_hash, read_head
from gateway.audit.models import AuditEvent

_ANCHOR = re.compile(r"^\s*(\d+)\s*:\s*([0-9a-fA-F]{64})\s*$")
STREAM = 1000


@dataclass(frozen=True, slots=True)
class Anchor:
    """A (seq, hash) of the chain recorded outside the database."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Read an anchor written as ``SEQ:HASH`` (as ``gateway audit head`` prints it).

        Raises:
            ValueError: ``text`` is not a positive seq, a colon and 64 hex characters.
        """
        match = _ANCHOR.match(text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(
                f"{text!r} is not an anchor; give SEQ:HASH as printed by `gateway audit head`, "
                "e.g. 42:3f1c...(64 hex characters)")
        return cls(int(match.group(1)), match.group(2).lower())

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of a verification: intact, or the first broken seq and why."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    last_seq: int = 0
    last_hash: str = GENESIS

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return asdict(self)


def verify(session: Session, anchors: list[Anchor] | tuple[Anchor, ...] = ()) -> VerifyResult:
    """Check the whole chain, its head and ``anchors``; report the first broken link."""
    # The head is read before the walk: every row up to it is committed by then, so the walk
    # sees them all, and rows appended meanwhile can only come after it.
    head = read_head(session)
    return _Walk(session, sorted(anchors, key=lambda a: a.seq), head).run()


class _Walk:
    """One pass over the chain in seq order, stopping at the first broken link."""

    def __init__(
        self, session: Session, pending: list[Anchor], head: tuple[int, str] | None
    ) -> None:
        self.session = session
        self.pending = pending
        self.head = head
        self.checked = 0
        self.last_seq = 0
        self.last_hash = GENESIS

    def broken(self, seq: int, reason: str) -> VerifyResult:
        return VerifyResult(False, self.checked, seq, reason, self.last_seq, self.last_hash)

    def run(self) -> VerifyResult:
        c = AuditEvent.__table__.c
        rows = self.session.execute(
            sa.select(
                c.id, c.seq, c.at, c.actor, c.action, c.subject_type, c.subject_id,
                c.before_digest, c.after_digest, c.detail, c.prev_hash, c.hash,
            ).order_by(c.seq).execution_options(yield_per=STREAM)
        )
        try:
            for row in rows:
                failure = self.check(row)
                if failure is not None:
                    return failure
                self.checked += 1
                self.last_seq, self.last_hash = int(row.seq), row.hash
        finally:
            rows.close()
        return self.finish()

    def check(self, row: sa.Row[Any]) -> VerifyResult | None:
        seq, prev_seq = int(row.seq), self.last_seq
        expected = prev_seq + 1
        if seq != expected:
            if seq < expected:
                return self.broken(seq, f"seq {seq} (id {row.id}) is out of order")
            gap = f"seq {expected} is" if seq == expected + 1 else f"seqs {expected}-{seq - 1} are"
            return self.broken(expected, (
                f"{gap} missing: the chain goes from seq {prev_seq} to seq {seq} (id {row.id}); "
                "audit rows were removed"))
        if row.prev_hash != self.last_hash:
            after = f"seq {prev_seq}" if prev_seq else "the start of the chain"
            return self.broken(seq, (
                f"seq {seq} (id {row.id}) does not follow {after}: its prev_hash is not that "
                "row's hash; rows were reordered, removed or rewritten"))
        computed = entry_hash(
            row.prev_hash, seq=seq, at=row.at, actor=row.actor, action=row.action,
            subject_type=row.subject_type, subject_id=row.subject_id,
            before_digest=row.before_digest, after_digest=row.after_digest,
            detail_json=row.detail,
        )
        if computed != row.hash:
            return self.broken(seq, (
                f"seq {seq} (id {row.id}) was altered: its content no longer matches its hash"))
        if self.head is not None and self.head[0] == seq and self.head[1] != row.hash:
            return self.broken(seq, (
                f"the head (seq {seq}) does not match seq {seq}'s hash (id {row.id}); "
                "audit_head was altered"))
        while self.pending and self.pending[0].seq == seq:
            anchor = self.pending.pop(0)
            if anchor.hash != row.hash:
                return self.broken(seq, (
                    f"seq {seq} (id {row.id}) differs from the anchor {anchor}: the chain was "
                    f"rewritten at or before seq {seq}"))
        return None

    def finish(self) -> VerifyResult:
        last = self.last_seq
        if self.head is not None and self.head[0] > last:
            return self.broken(last + 1, (
                f"the head says seq {self.head[0]} but the chain ends at seq {last}; audit "
                "rows were removed from its end"))
        if self.pending:
            anchor = self.pending[0]
            return self.broken(last + 1, (
                f"the anchor {anchor} names seq {anchor.seq} but the chain ends at seq {last}; "
                "audit rows were removed from its end"))
        if self.head is None:
            if last == 0:
                return VerifyResult(True, 0)
            return self.broken(last, (
                f"the chain head row is missing but the chain runs to seq {last}; audit_head "
                "was deleted"))
        if self.head[0] < last:
            # Rows past the head read before the walk are either appends committed during the
            # walk (then the head has moved on since) or rows inserted behind the chain's back.
            later = read_head(self.session)
            if later is None or later[0] < last:
                return self.broken(self.head[0] + 1, (
                    f"seqs {self.head[0] + 1}-{last} come after the head (seq {self.head[0]}); "
                    "they were inserted without moving the head"))
            if later[0] == last and later[1] != self.last_hash:
                return self.broken(last, (
                    f"the head (seq {last}) does not match seq {last}'s hash; audit_head was "
                    "altered"))
        return VerifyResult(True, self.checked, last_seq=last, last_hash=self.last_hash)
