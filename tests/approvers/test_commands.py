"""``gateway approver`` and ``gateway cycle approve|release --totp`` as an operator uses them."""

from __future__ import annotations

import json

import sqlalchemy as sa

from gateway.audit.models import AuditEvent
from gateway.config import update
from gateway.db import get_db
from tests.approvers.conftest import code_at, secret_from, state_of, submitted_cycle, wrong

MINH = "cli:minh"


def run_json(runner, *args):
    result = runner.invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def enrol_and_confirm(runner, clock, actor=MINH) -> bytes:
    enrolled = run_json(runner, "approver", "enrol", "--actor", actor, "--by", "cli:admin")
    secret = secret_from(enrolled["otpauth_uri"])
    confirmed = run_json(runner, "approver", "confirm", "--actor", actor,
                         "--code", code_at(secret, clock.now))
    assert confirmed["state"] == "active"
    return secret


def test_enrol_prints_a_qr_code_the_uri_and_the_secret_once(runner, clock):
    result = runner.invoke("approver", "enrol", "--actor", "apikey:lan")
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/ChiTra:apikey%3Alan?secret=" in result.output
    assert "&issuer=ChiTra&algorithm=SHA1&digits=6&period=30" in result.output
    assert "▀" in result.output or "▄" in result.output  # the terminal QR code
    assert "secret (shown once" in result.output
    assert "gateway approver confirm --actor apikey:lan" in result.output
    status = run_json(runner, "approver", "status")
    assert status["policy"] == "enrolled"  # the testing default
    assert [a["state"] for a in status["approvers"]] == ["pending"]
    assert "secret" not in json.dumps(status)


def test_confirm_activates_with_a_first_code_and_refuses_a_wrong_one(runner, clock):
    enrolled = run_json(runner, "approver", "enrol", "--actor", MINH)
    secret = secret_from(enrolled["otpauth_uri"])
    bad = runner.invoke("approver", "confirm", "--actor", MINH,
                        "--code", wrong(code_at(secret, clock.now)))
    assert bad.exit_code == 1 and "wrong or expired" in bad.output
    assert "Traceback" not in bad.output
    good = runner.invoke("approver", "confirm", "--actor", MINH,
                         "--code", code_at(secret, clock.now))
    assert good.exit_code == 0 and "is active" in good.output
    shown = runner.invoke("approver", "status")
    assert "cli:minh" in shown.output and "active" in shown.output


def test_the_command_line_approves_and_releases_only_with_a_current_code(runner, clock, app,
                                                                         people):
    secret = enrol_and_confirm(runner, clock)
    ref = submitted_cycle(app)
    clock.tick()
    missing = runner.invoke("cycle", "approve", ref, "--actor", MINH)
    assert missing.exit_code == 1 and "6-digit code" in missing.output
    bad = runner.invoke("cycle", "approve", ref, "--actor", MINH,
                        "--totp", wrong(code_at(secret, clock.now)))
    assert bad.exit_code == 1 and "wrong or expired" in bad.output
    assert state_of(app, ref) == "submitted"
    code = code_at(secret, clock.now)
    approved = run_json(runner, "cycle", "approve", ref, "--actor", MINH, "--totp", code)
    assert approved["state"] == "approved" and approved["approved_by"] == MINH
    replayed = runner.invoke("cycle", "release", ref, "--actor", MINH, "--totp", code)
    assert replayed.exit_code == 1 and "already used" in replayed.output
    assert state_of(app, ref) == "approved"
    again = runner.invoke("cycle", "approve", ref, "--actor", MINH)  # no code: nothing to do
    assert again.exit_code == 0 and "nothing to do" in again.output
    clock.tick()
    released = run_json(runner, "cycle", "release", ref, "--actor", MINH,
                        "--totp", code_at(secret, clock.now))
    assert released["state"] == "released"


def test_required_policy_refuses_an_approver_without_an_authenticator(runner, clock, app,
                                                                      people):
    update(app, APPROVER_TOTP="required")
    ref = submitted_cycle(app)
    refused = runner.invoke("cycle", "approve", ref, "--actor", MINH, "--totp", "123456")
    assert refused.exit_code == 1 and "must enrol an authenticator" in refused.output
    assert state_of(app, ref) == "submitted"
    secret = enrol_and_confirm(runner, clock)
    clock.tick()
    assert run_json(runner, "cycle", "approve", ref, "--actor", MINH,
                    "--totp", code_at(secret, clock.now))["state"] == "approved"


def test_enrolled_policy_lets_an_approver_without_an_authenticator_through(runner, app,
                                                                           people):
    ref = submitted_cycle(app)
    assert run_json(runner, "cycle", "approve", ref, "--actor", MINH)["state"] == "approved"


def test_remove_is_audited_and_lets_the_approver_enrol_again(runner, clock, app):
    enrol_and_confirm(runner, clock)
    again = runner.invoke("approver", "enrol", "--actor", MINH)
    assert again.exit_code == 1 and "already has an active authenticator" in again.output
    removed = runner.invoke("approver", "remove", "--actor", MINH, "--by", "cli:admin")
    assert removed.exit_code == 0 and "removed" in removed.output
    missing = runner.invoke("approver", "remove", "--actor", MINH)
    assert missing.exit_code == 1 and "no authenticator enrolment" in missing.output
    assert runner.invoke("approver", "enrol", "--actor", MINH).exit_code == 0
    with get_db(app).sessionmaker() as s:
        events = s.execute(sa.select(AuditEvent.actor, AuditEvent.action).where(
            AuditEvent.subject_type == "approver").order_by(AuditEvent.seq)).all()
    assert [tuple(e) for e in events] == [
        ("cli:admin", "approver.totp_enrol"), (MINH, "approver.totp_confirm"),
        ("cli:admin", "approver.totp_remove"), (events[3][0], "approver.totp_enrol")]


def test_a_malformed_identity_is_refused_clearly(runner):
    result = runner.invoke("approver", "enrol", "--actor", "x" * 65)
    assert result.exit_code == 1 and "1-64 printable characters" in result.output
