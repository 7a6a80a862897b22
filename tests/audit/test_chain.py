"""Appending to the audit chain: in the caller's transaction, never forked, never personal."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from gateway.audit import GENESIS, AuditChainError, Change, digest, record, record_many, verify
from gateway.audit.chain import entry_hash, read_head
from gateway.audit.models import AuditEvent


def events(db) -> list[AuditEvent]:
    with db.sessionmaker() as session:
        return list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)))


def verified(db):
    with db.sessionmaker() as session:
        return verify(session)


def test_appended_events_link_from_genesis_and_verify(db, append):
    append(3)
    rows = events(db)
    assert [e.seq for e in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS
    assert [e.prev_hash for e in rows[1:]] == [e.hash for e in rows[:-1]]
    with db.sessionmaker() as session:
        assert read_head(session) == (3, rows[-1].hash)
    result = verified(db)
    assert result.ok and result.checked == 3 and result.first_broken_seq is None
    assert (result.last_seq, result.last_hash) == (3, rows[-1].hash)


def test_an_empty_chain_verifies(db):
    result = verified(db)
    assert result.ok and result.checked == 0 and result.last_hash == GENESIS


def test_event_stores_digests_and_facts_but_no_personal_data(db):
    before = {"name_enc": None, "phone": "0912345678", "name": "Nguyễn Văn An"}
    after = {**before, "phone": "0987654321"}
    with db.session() as session:
        event = record(session, actor="apikey:alice", action="beneficiary.update",
                       subject_type="beneficiary", subject_id=42, before=before, after=after,
                       detail={"fields": ["phone"]})
        assert event.id is not None and event.seq == 1
    stored = events(db)[0]
    assert stored.before_digest == digest(before) and stored.after_digest == digest(after)
    assert stored.detail == {"fields": ["phone"]} and stored.subject_id == "42"
    row_text = " ".join(str(getattr(stored, c.key)) for c in AuditEvent.__table__.c)
    assert "0912345678" not in row_text and "Nguyễn" not in row_text
    assert stored.hash == entry_hash(
        GENESIS, seq=1, at=stored.at, actor="apikey:alice", action="beneficiary.update",
        subject_type="beneficiary", subject_id="42", before_digest=digest(before),
        after_digest=digest(after), detail_json='{"fields":["phone"]}')


def test_a_rolled_back_transaction_leaves_no_audit_row(db, append):
    append(1)

    class StateChangeFailed(Exception):
        pass

    with pytest.raises(StateChangeFailed), db.session() as session:
        record(session, actor="cli:root", action="cycle.approve", subject_type="cycle",
               subject_id=7)
        raise StateChangeFailed
    assert [e.seq for e in events(db)] == [1]
    append(1)  # the next append reuses seq 2: no hole where the rolled-back one was
    assert [e.seq for e in events(db)] == [1, 2]
    assert verified(db).ok


def test_events_recorded_in_one_transaction_chain_in_order(db):
    with db.session() as session:
        first = record(session, actor="cli:root", action="a.one", subject_type="t", subject_id=1)
        second = record(session, actor="cli:root", action="a.two", subject_type="t", subject_id=2)
        assert (first.seq, second.seq) == (1, 2) and second.prev_hash == first.hash
    assert verified(db).ok


def test_concurrent_appends_from_many_threads_make_one_unbroken_chain(db):
    threads, per_thread = 6, 8
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with db.session() as session:
                    record(session, actor=f"system:worker{n}", action="payment.succeeded",
                           subject_type="payment", subject_id=f"{n}-{i}")
                    time.sleep(0.002)  # widen the window between reading the head and commit
                    record(session, actor=f"system:worker{n}", action="payment.confirmed",
                           subject_type="payment", subject_id=f"{n}-{i}")
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    rows = events(db)
    total = threads * per_thread * 2
    assert [e.seq for e in rows] == list(range(1, total + 1))
    assert len({e.prev_hash for e in rows}) == total  # no two events claim the same parent
    result = verified(db)
    assert result.ok and result.checked == total


def test_record_many_appends_one_event_per_change_and_verifies(db, append):
    append(1)
    changes = (Change(i, {"state": "pending"}, {"state": "sending"}) for i in range(2500))
    with db.session() as session:
        assert record_many(session, actor="system:worker", action="payment.send",
                           subject_type="payment", changes=changes) == 2500
    append(1)
    rows = events(db)
    assert [e.seq for e in rows] == list(range(1, 2503))
    assert rows[1].subject_id == "0" and rows[2500].subject_id == "2499"
    result = verified(db)
    assert result.ok and result.checked == 2502


def test_record_many_with_nothing_to_record_leaves_the_chain_alone(db, append):
    append(1)
    with db.session() as session:
        assert record_many(session, actor="system:worker", action="payment.send",
                           subject_type="payment", changes=[]) == 0
        assert read_head(session)[0] == 1


def test_a_bulk_system_change_may_be_one_event_with_a_count(db):
    with db.session() as session:
        record(session, actor="system:scheduler", action="cycle.release", subject_type="cycle",
               subject_id=3, before={"state": "approved"}, after={"state": "released"},
               detail={"payments": 58848})
    assert events(db)[0].detail == {"payments": 58848}


@pytest.mark.parametrize("field, value", [
    ("actor", ""), ("actor", "apikey:" + "x" * 60), ("action", "a" * 65),
    ("subject_type", "t" * 33), ("subject_id", "9" * 65),
])
def test_fields_that_do_not_fit_are_refused_before_anything_is_written(db, field, value):
    args = {"actor": "cli:root", "action": "cycle.approve", "subject_type": "cycle",
            "subject_id": "1", field: value}
    with pytest.raises(ValueError, match=field), db.session() as session:
        record(session, **args)
    assert events(db) == []


def test_a_detail_that_is_a_copy_of_a_row_is_refused(db):
    with pytest.raises(ValueError, match="few facts"), db.session() as session:
        record(session, actor="cli:root", action="x.y", subject_type="t", subject_id=1,
               detail={"rows": list(range(1000))})


def test_appending_after_the_head_row_was_deleted_is_refused(db, append, tamper):
    append(2)
    tamper("DELETE FROM audit_head")
    with pytest.raises(AuditChainError, match="head row is missing"), db.session() as session:
        record(session, actor="cli:root", action="x.y", subject_type="t", subject_id=1)
    assert len(events(db)) == 2
