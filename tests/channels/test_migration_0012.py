"""Migration 0012 renames the telco message ids and keeps every existing SMS row."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa

from gateway.db import make_engine
from gateway.migrate import upgrade

pytestmark = pytest.mark.db

SENT = datetime(2026, 11, 27, 3, 0)


@pytest.fixture
def fresh_url(tmp_path, worker_id: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Give an empty database on the configured backend (PostgreSQL if set, else SQLite)."""
    base = os.environ.get("CHITRA_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'm12.db'}"
        return
    base_url = sa.engine.make_url(base)
    admin = sa.create_engine(base_url.set(drivername="postgresql+psycopg", database="postgres"),
                             isolation_level="AUTOCOMMIT")
    name = f"{base_url.database}_{worker_id}_m12"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_existing_messages_keep_their_ids_under_the_neutral_names(fresh_url: str) -> None:
    upgrade(fresh_url, "0011")
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO sms_message (id, ref, phone_enc, phone_bidx, body, kind, status, "
            "at_message_id, attempts, created_at, updated_at) VALUES "
            "(1, 'r1', 'enc', 'bidx', 'Tin', 'reply', 'sent', 'ATXid_1', 1, :t, :t), "
            "(2, 'r2', 'enc', 'bidx', 'Tin', 'notice', 'queued', NULL, 0, :t, :t)"), {"t": SENT})
        conn.execute(sa.text(
            "INSERT INTO sms_inbound (id, at_message_id, reply_id, received_at) VALUES "
            "(1, 'ATX-in-1', 1, :t), (2, 'ATX-in-2', NULL, :t)"), {"t": SENT})
    engine.dispose()
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        messages = conn.execute(sa.text(
            "SELECT id, telco, telco_message_id, template_json FROM sms_message ORDER BY id")).all()
        inbound = conn.execute(sa.text(
            "SELECT id, ref, telco, telco_message_id, reply_id, attempts, answered_at "
            "FROM sms_inbound ORDER BY id")).all()
    assert [tuple(m) for m in messages] == [(1, "africastalking", "ATXid_1", None),
                                            (2, None, None, None)]
    assert [(r.id, r.telco, r.telco_message_id, r.reply_id, r.attempts) for r in inbound] == [
        (1, "africastalking", "ATX-in-1", 1, 0), (2, "africastalking", "ATX-in-2", None, 0)]
    # Rows from before were answered (or given up): none is retried, each ref is unique.
    assert all(r.answered_at is not None for r in inbound)
    assert len({r.ref for r in inbound}) == 2
    with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text(
            "INSERT INTO sms_inbound (ref, telco, telco_message_id, attempts, received_at) "
            "VALUES ('x', 'africastalking', 'ATX-in-1', 0, :t)"), {"t": SENT})
    engine.dispose()
