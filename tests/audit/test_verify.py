"""Verification names the first broken link, whatever an intruder with SQL access changed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gateway.audit import GENESIS, Anchor, verify
from gateway.audit.chain import entry_hash, read_head
from gateway.audit.models import AuditEvent


def check(db, *anchors: Anchor):
    with db.sessionmaker() as session:
        return verify(session, anchors)


def head(db) -> Anchor:
    with db.sessionmaker() as session:
        return Anchor(*read_head(session))


def rehash_from(db, seq: int) -> None:
    """Rewrite the chain consistently from ``seq`` on, head included, as a thorough intruder."""
    with db.session() as session:
        rows = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev = GENESIS
        for event in rows:
            if event.seq >= seq:
                event.prev_hash = prev
                event.hash = entry_hash(
                    prev, seq=event.seq, at=event.at, actor=event.actor, action=event.action,
                    subject_type=event.subject_type, subject_id=event.subject_id,
                    before_digest=event.before_digest, after_digest=event.after_digest,
                    detail_json=event.detail_json)
            prev = event.hash
        session.execute(sa.text("UPDATE audit_head SET seq = :s, hash = :h"),
                        {"s": rows[-1].seq, "h": prev})


@pytest.mark.parametrize("column, value", [
    ("actor", "cli:mallory"),
    ("action", "cycle.reject"),
    ("subject_id", "99"),
    ("after_digest", "0" * 64),
    ("detail", '{"payments":1}'),
    ("at", "2020-01-01 00:00:00"),
])
def test_an_altered_row_is_found_at_its_seq(db, append, tamper, column, value):
    append(5)
    tamper(f"UPDATE audit_event SET {column} = :v WHERE seq = 3", v=value)
    result = check(db)
    assert not result.ok
    assert result.first_broken_seq == 3 and result.checked == 2
    assert "seq 3" in result.reason and "altered" in result.reason


def test_an_altered_row_whose_hash_was_recomputed_breaks_the_next_link(db, append, tamper):
    append(5)
    tamper("UPDATE audit_event SET actor = 'cli:mallory' WHERE seq = 3")
    with db.session() as session:
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == 3)).one()
        event.hash = entry_hash(
            event.prev_hash, seq=3, at=event.at, actor=event.actor, action=event.action,
            subject_type=event.subject_type, subject_id=event.subject_id,
            before_digest=event.before_digest, after_digest=event.after_digest,
            detail_json=event.detail_json)
    result = check(db)
    assert result.first_broken_seq == 4
    assert "seq 4" in result.reason and "does not follow seq 3" in result.reason


@pytest.mark.parametrize("seq", [1, 3])
def test_a_deleted_row_is_found_at_its_seq(db, append, tamper, seq):
    append(5)
    tamper("DELETE FROM audit_event WHERE seq = :s", s=seq)
    result = check(db)
    assert not result.ok and result.first_broken_seq == seq
    assert f"seq {seq} is missing" in result.reason


def test_a_deleted_row_with_later_rows_renumbered_is_found(db, append, tamper):
    append(5)
    tamper("DELETE FROM audit_event WHERE seq = 3")
    for seq in (4, 5):
        tamper("UPDATE audit_event SET seq = :n WHERE seq = :s", n=seq - 1, s=seq)
    result = check(db)
    assert result.first_broken_seq == 3 and "does not follow seq 2" in result.reason


def test_reordered_rows_are_found_at_the_first_moved_seq(db, append, tamper):
    append(5)
    # Swap seqs 2 and 3 (through -1, as seq is unique).
    tamper("UPDATE audit_event SET seq = -1 WHERE seq = 2")
    tamper("UPDATE audit_event SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_event SET seq = 3 WHERE seq = -1")
    result = check(db)
    assert result.first_broken_seq == 2
    assert "seq 2" in result.reason and "reordered" in result.reason


def test_rows_removed_from_the_end_are_found_through_the_head(db, append, tamper):
    append(5)
    tamper("DELETE FROM audit_event WHERE seq >= 4")
    result = check(db)
    assert result.first_broken_seq == 4 and result.checked == 3
    assert "head says seq 5 but the chain ends at seq 3" in result.reason


@pytest.mark.parametrize(("events", "sql", "params", "seq", "reason"), [
    pytest.param(6, "DELETE FROM audit_event WHERE seq IN (2, 3, 4)", {}, 2,
                 "seqs 2-4 are missing", id="several_deleted_rows_are_named_as_a_range"),
    pytest.param(5, "UPDATE audit_head SET hash = :h", {"h": "f" * 64}, 5,
                 "audit_head was altered", id="a_tampered_head"),
    pytest.param(2, "DELETE FROM audit_head", {}, 2, "head row is missing",
                 id="a_deleted_head"),
])
def test_a_tampering_is_found_at_its_seq_with_its_reason(
        db, append, tamper, events, sql, params, seq, reason):
    append(events)
    tamper(sql, **params)
    result = check(db)
    assert result.first_broken_seq == seq and reason in result.reason


def test_a_row_slipped_in_past_the_head_is_found(db, append, tamper):
    append(3)
    last = head(db)
    with db.session() as session:
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == 3)).one()
        fields = dict(at=event.at, actor="cli:mallory", action="cycle.approve",
                      subject_type="cycle", subject_id="9", before_digest=None,
                      after_digest=None)
        forged = AuditEvent(seq=4, prev_hash=last.hash, detail_json=None,
                            hash=entry_hash(last.hash, seq=4, detail_json=None, **fields),
                            **fields)
        session.add(forged)
    result = check(db)
    assert result.first_broken_seq == 4 and "without moving the head" in result.reason


def test_an_anchor_still_in_the_chain_passes(db, append):
    append(3)
    anchor = head(db)
    append(2)
    result = check(db, anchor)
    assert result.ok and result.checked == 5


def test_a_chain_rewritten_consistently_is_caught_only_by_the_anchor(db, append, tamper):
    append(5)
    anchor = head(db)
    tamper("UPDATE audit_event SET actor = 'cli:mallory' WHERE seq = 3")
    rehash_from(db, 3)
    assert check(db).ok  # the database alone cannot tell: this is why heads go off-host
    result = check(db, anchor)
    assert not result.ok and result.first_broken_seq == 5
    assert f"differs from the anchor {anchor}" in result.reason


def test_a_truncated_chain_with_a_matching_head_is_caught_by_the_anchor(db, append, tamper):
    append(5)
    anchor = head(db)
    tamper("DELETE FROM audit_event WHERE seq = 5")
    rehash_from(db, 5)  # moves the head back to seq 4
    assert check(db).ok
    result = check(db, anchor)
    assert result.first_broken_seq == 5 and "the chain ends at seq 4" in result.reason


@pytest.mark.parametrize("text", ["", "5", "0:" + "a" * 64, "x:" + "a" * 64, "5:" + "a" * 63,
                                  "5:" + "g" * 64])
def test_malformed_anchors_are_refused(text):
    with pytest.raises(ValueError, match="SEQ:HASH"):
        Anchor.parse(text)


def test_anchor_text_round_trips():
    assert str(Anchor.parse(" 42:" + "AB" * 32 + " ")) == "42:" + "ab" * 32
