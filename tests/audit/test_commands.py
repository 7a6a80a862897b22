"""``gateway audit head`` and ``gateway audit verify``, and the events today's commands write."""

from __future__ import annotations

import json

import sqlalchemy as sa

from gateway.audit import GENESIS
from gateway.audit.models import AuditEvent
from gateway.registry.models import ImportRun
from tests.support.scenario import GOOD, write_csv


def audit_rows(db) -> list[AuditEvent]:
    with db.sessionmaker() as session:
        return list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)))


def test_head_of_an_empty_chain_is_genesis(runner):
    result = runner.invoke("audit", "head", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"seq": 0, "hash": GENESIS, "anchor": f"0:{GENESIS}"}


def test_head_prints_an_anchor_line_to_copy_off_host(runner, db, append):
    append(2)
    last = audit_rows(db)[-1]
    result = runner.invoke("audit", "head")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == f"2:{last.hash}"


def test_verify_of_an_intact_chain_exits_0(runner, append):
    append(3)
    anchor = json.loads(runner.invoke("audit", "head", "--json").output)["anchor"]
    append(1)
    result = runner.invoke("audit", "verify", "--anchor", anchor)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("audit chain intact: 4 events, head 4:")
    assert "1 anchor found in the chain" in result.output
    data = json.loads(runner.invoke("audit", "verify", "--json").output)
    assert data["ok"] is True and data["checked"] == 4 and data["first_broken_seq"] is None


def test_verify_of_a_broken_chain_exits_1_with_one_clear_line(runner, append, tamper):
    append(4)
    tamper("DELETE FROM audit_event WHERE seq = 2")
    result = runner.invoke("audit", "verify")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert result.output.startswith("Error: audit chain broken at seq 2: seq 2 is missing")
    result = runner.invoke("audit", "verify", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and data["first_broken_seq"] == 2 and data["checked"] == 1


def test_verify_against_an_anchor_the_chain_no_longer_holds_exits_1(runner, append):
    append(2)
    result = runner.invoke("audit", "verify", "--anchor", f"2:{'e' * 64}")
    assert result.exit_code == 1 and "differs from the anchor" in result.output
    result = runner.invoke("audit", "verify", "--anchor", f"9:{'e' * 64}")
    assert result.exit_code == 1 and "the chain ends at seq 2" in result.output


def test_verify_with_a_malformed_anchor_is_a_usage_error(runner):
    result = runner.invoke("audit", "verify", "--anchor", "latest")
    assert result.exit_code == 2 and "SEQ:HASH" in result.output


def test_roster_import_writes_one_audit_event_in_its_transaction(runner, db, tmp_path):
    path = write_csv(tmp_path / "roster.csv", GOOD)
    dry = runner.invoke("roster", "import", str(path), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert audit_rows(db) == []  # a dry run changes nothing, so it records nothing
    result = runner.invoke("roster", "import", str(path), "--actor", "lan", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    [event] = audit_rows(db)
    with db.sessionmaker() as session:
        run = session.scalars(sa.select(ImportRun)).one()
    assert (event.action, event.actor) == ("roster.import", "cli:lan")
    assert (event.subject_type, event.subject_id) == ("import_run", str(run.id))
    assert event.detail == {"accepted": report["accepted"], "rejected": 0,
                            "created": report["created"], "updated": 0, "unchanged": 0,
                            "flagged": 0}
    assert event.before_digest is None and event.after_digest is not None
    assert runner.invoke("audit", "verify").exit_code == 0


def test_key_rotation_writes_an_audit_event(runner, db):
    result = runner.invoke("keys", "rotate", "--json")
    assert result.exit_code == 0, result.output
    [event] = audit_rows(db)
    assert event.action == "keys.rotate" and event.actor.startswith("cli:")
    assert (event.subject_type, event.subject_id) == ("pii_keyring", "t1")
    assert event.detail == {"reencrypted_rows": 0, "primary": "t1"}
