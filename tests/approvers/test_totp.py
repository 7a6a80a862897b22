"""Approver TOTP in the domain: enrolment, and approving and releasing with a current code."""

from __future__ import annotations

import re
import threading
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import sqlalchemy as sa

from gateway.approvers.models import ApproverTotp
from gateway.approvers.totp import (
    MAX_FAILURES,
    AlreadyEnrolled,
    SecondFactor,
    TotpInvalid,
    TotpLocked,
    TotpNotEnrolled,
    TotpPolicy,
    TotpReplayed,
    TotpRequired,
    confirm,
    enrol,
    remove,
)
from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.errors import NotFound
from gateway.models import Base
from gateway.payroll import cycles
from gateway.payroll.errors import InsufficientFunds, MakerChecker
from gateway.payroll.funding import allocate
from gateway.pii.codec import get_pii
from gateway.pii.rotation import encrypted_tables
from tests.approvers.conftest import (
    T0,
    code_at,
    secret_from,
    state_of,
    submitted_cycle,
    wrong,
)

MINH = "cli:minh"
JAN = date(2027, 1, 1)


def enrolled(app, actor=MINH, *, at=T0):
    """Enrol and confirm ``actor`` at ``at``; return the raw secret."""
    with get_db(app).session() as s:
        new = enrol(s, get_pii(app), actor, by="cli:admin")
    secret = secret_from(new.uri)
    with get_db(app).session() as s:
        confirm(s, get_pii(app), actor, code_at(secret, at), now=at)
    return secret


def factor(app, code, *, at, policy=TotpPolicy.ENROLLED):
    return SecondFactor(code=code, policy=policy, codec=get_pii(app), now=at)


def approve(app, ref, code=None, *, at=T0 + 30, actor=MINH, policy=TotpPolicy.ENROLLED):
    with get_db(app).session() as s:
        return cycles.approve_cycle(s, ref, actor,
                                    second_factor=factor(app, code, at=at, policy=policy))


def release(app, ref, code=None, *, at=T0 + 60, actor=MINH, policy=TotpPolicy.ENROLLED):
    with get_db(app).session() as s:
        return cycles.release_cycle(s, ref, actor,
                                    second_factor=factor(app, code, at=at, policy=policy))


def row(app, actor=MINH) -> ApproverTotp | None:
    with get_db(app).sessionmaker() as s:
        return s.scalar(sa.select(ApproverTotp).where(ApproverTotp.actor == actor))


# --- enrolment ---------------------------------------------------------------------------

def test_enrolment_gives_a_uri_for_chitra_with_six_digits_every_thirty_seconds(app):
    with get_db(app).session() as s:
        new = enrol(s, get_pii(app), "apikey:lan", by="apikey:lan")
    parts = urlsplit(new.uri)
    query = parse_qs(parts.query)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == "/ChiTra:apikey:lan"
    assert query == {"secret": [new.secret], "issuer": ["ChiTra"], "algorithm": ["SHA1"],
                     "digits": ["6"], "period": ["30"]}
    assert len(secret_from(new.uri)) == 20  # 160 bits
    assert (new.issuer, new.digits, new.period) == ("ChiTra", 6, 30)
    assert row(app, "apikey:lan").confirmed_at is None


def test_the_qr_code_holds_exactly_the_provisioning_uri(app):
    import segno

    with get_db(app).session() as s:
        new = enrol(s, get_pii(app), "apikey:lan", by="apikey:lan")
    svg = new.qr_svg()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    # Same symbol as the URI's own QR code, module for module (segno is deterministic).
    assert svg == segno.make(new.uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    assert svg != segno.make(new.uri + "x", error="m").svg_inline(scale=4, dark="#000",
                                                                  light="#fff")
    text = new.qr_text()
    assert "█" in text and len(text.splitlines()) > 20


def test_an_enrolment_is_active_only_after_a_first_valid_code(app, people):
    with get_db(app).session() as s:
        new = enrol(s, get_pii(app), MINH, by="cli:admin")
    secret = secret_from(new.uri)
    with pytest.raises(TotpInvalid), get_db(app).session() as s:
        confirm(s, get_pii(app), MINH, wrong(code_at(secret, T0)), now=T0)
    assert row(app).confirmed_at is None
    # Pending: the approver is not yet held to a code.
    ref = submitted_cycle(app)
    assert approve(app, ref, None).changed
    with get_db(app).session() as s:
        confirm(s, get_pii(app), MINH, code_at(secret, T0), now=T0)
    active = row(app)
    assert active.confirmed_at is not None and active.failures == 0
    assert active.last_used_step == int(T0) // 30
    with pytest.raises(AlreadyEnrolled), get_db(app).session() as s:
        confirm(s, get_pii(app), MINH, code_at(secret, T0 + 30), now=T0 + 30)


def test_the_confirming_code_cannot_then_approve(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    with pytest.raises(TotpReplayed):
        approve(app, ref, code_at(secret, T0), at=T0)
    assert state_of(app, ref) == "submitted"


def test_an_active_authenticator_cannot_be_replaced_only_removed(app):
    enrolled(app)
    with pytest.raises(AlreadyEnrolled), get_db(app).session() as s:
        enrol(s, get_pii(app), MINH, by=MINH)
    with get_db(app).session() as s:
        remove(s, MINH, by="cli:admin")
    assert row(app) is None
    with pytest.raises(NotFound), get_db(app).session() as s:
        remove(s, MINH, by="cli:admin")
    with get_db(app).session() as s:
        enrol(s, get_pii(app), MINH, by="cli:admin")  # a new phone
    with get_db(app).sessionmaker() as s:
        actions = list(s.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.subject_type == "approver").order_by(AuditEvent.seq)))
    assert actions == ["approver.totp_enrol", "approver.totp_confirm", "approver.totp_remove",
                       "approver.totp_enrol"]


def test_a_pending_enrolment_enrolled_again_gets_a_new_secret(app):
    with get_db(app).session() as s:
        first = enrol(s, get_pii(app), MINH, by="cli:admin")
    with get_db(app).session() as s:
        second = enrol(s, get_pii(app), MINH, by="cli:admin")
    assert first.secret != second.secret
    with pytest.raises(TotpInvalid), get_db(app).session() as s:
        confirm(s, get_pii(app), MINH, code_at(secret_from(first.uri), T0), now=T0)
    with get_db(app).session() as s:
        confirm(s, get_pii(app), MINH, code_at(secret_from(second.uri), T0), now=T0)


# --- approving and releasing -----------------------------------------------------------------

def test_approval_without_a_code_is_refused_and_changes_nothing(app, people):
    enrolled(app)
    ref = submitted_cycle(app)
    with pytest.raises(TotpRequired) as refused:
        approve(app, ref, None)
    assert refused.value.http_status == 403 and "6-digit" in refused.value.en
    assert state_of(app, ref) == "submitted"


def test_approval_with_a_wrong_code_is_refused_and_changes_nothing(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    for code in (wrong(code_at(secret, T0 + 30)), "abcdef", "12345", ""):
        with pytest.raises((TotpInvalid, TotpRequired)):
            approve(app, ref, code)
    assert state_of(app, ref) == "submitted"
    assert row(app).failures == 3  # the empty code is a missing code, not a guess


def test_a_current_code_approves_and_a_later_one_releases(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    approved = approve(app, ref, code_at(secret, T0 + 30), at=T0 + 30)
    assert approved.changed and state_of(app, ref) == "approved"
    released = release(app, ref, code_at(secret, T0 + 60), at=T0 + 60)
    assert released.changed and state_of(app, ref) == "released"
    with get_db(app).sessionmaker() as s:
        details = {e.action: e.detail for e in s.scalars(sa.select(AuditEvent).where(
            AuditEvent.action.in_(["cycle.approve", "cycle.release"])))}
    assert details["cycle.approve"]["second_factor"] == "totp"
    assert details["cycle.release"]["second_factor"] == "totp"


def test_a_code_within_one_step_of_drift_is_accepted(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    assert approve(app, ref, code_at(secret, T0 + 60), at=T0 + 90).changed  # one step old


def test_the_same_code_cannot_release_after_approving(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    code = code_at(secret, T0 + 30)
    approve(app, ref, code, at=T0 + 30)
    with pytest.raises(TotpReplayed) as refused:
        release(app, ref, code, at=T0 + 35)
    assert refused.value.code == "totp_replayed"
    assert state_of(app, ref) == "approved"
    # An older step is a replay too, even inside the drift window.
    with pytest.raises(TotpReplayed):
        release(app, ref, code_at(secret, T0), at=T0 + 35)
    assert release(app, ref, code_at(secret, T0 + 60), at=T0 + 60).changed


def test_a_code_spent_on_a_step_that_fails_is_not_spent(app, people):
    secret = enrolled(app)
    with get_db(app).session() as s:
        ref = cycles.create_cycle(s, get_pii(app), program_code="TGXH_THANG",
                                  period=JAN, actor="cli:lan",
                                  province_code="46").cycle.ref
        cycles.submit_cycle(s, ref, "cli:lan")
    code = code_at(secret, T0 + 30)
    approve(app, ref, code, at=T0 + 30)
    release_code = code_at(secret, T0 + 60)
    with pytest.raises(InsufficientFunds):  # January is not funded
        release(app, ref, release_code, at=T0 + 60)
    assert row(app).last_used_step == int(T0 + 30) // 30
    with get_db(app).session() as s:
        allocate(s, program_code="TGXH_THANG", period=JAN,
                        amount=10_000_000, reference="QD-1", actor="cli:finance")
    assert release(app, ref, release_code, at=T0 + 60).changed


def test_approving_again_changes_nothing_and_needs_no_code(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    approve(app, ref, code_at(secret, T0 + 30), at=T0 + 30)
    again = approve(app, ref, None, at=T0 + 31, policy=TotpPolicy.REQUIRED)
    assert again.changed is False and state_of(app, ref) == "approved"
    release(app, ref, code_at(secret, T0 + 60), at=T0 + 60)
    assert release(app, ref, None, at=T0 + 61).changed is False


def test_maker_checker_is_answered_before_the_code_is_spent(app, people):
    secret = enrolled(app, "cli:lan")
    ref = submitted_cycle(app, maker="cli:lan")
    code = code_at(secret, T0 + 30)
    with pytest.raises(MakerChecker):
        approve(app, ref, code, actor="cli:lan")
    assert row(app, "cli:lan").last_used_step == int(T0) // 30


def test_two_approvals_with_one_code_at_once_only_one_passes(app, people):
    secret = enrolled(app)
    refs = [submitted_cycle(app, "19753"), submitted_cycle(app, "19777")]
    code = code_at(secret, T0 + 30)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def go(ref: str) -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes[ref] = approve(app, ref, code).changed
            except Exception as exc:  # noqa: BLE001 - the outcome is what we assert
                outcomes[ref] = exc

    threads = [threading.Thread(target=go, args=(ref,)) for ref in refs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(type(o).__name__ for o in outcomes.values()) == ["TotpReplayed", "bool"]
    assert sorted(state_of(app, ref) for ref in refs) == ["approved", "submitted"]


# --- the policy -------------------------------------------------------------------------------

def test_required_refuses_an_approver_who_never_enrolled(app, people):
    ref = submitted_cycle(app)
    with pytest.raises(TotpNotEnrolled) as refused:
        approve(app, ref, "123456", policy=TotpPolicy.REQUIRED)
    assert refused.value.code == "totp_not_enrolled" and "enrol" in refused.value.en
    assert state_of(app, ref) == "submitted"
    # A pending (unconfirmed) enrolment is not enough either.
    with get_db(app).session() as s:
        enrol(s, get_pii(app), MINH, by="cli:admin")
    with pytest.raises(TotpNotEnrolled):
        approve(app, ref, None, policy=TotpPolicy.REQUIRED)


def test_required_accepts_an_enrolled_approver_with_a_current_code(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    assert approve(app, ref, code_at(secret, T0 + 30), policy=TotpPolicy.REQUIRED).changed


def test_enrolled_lets_an_approver_without_an_authenticator_through(app, people):
    ref = submitted_cycle(app)
    assert approve(app, ref, None, policy=TotpPolicy.ENROLLED).changed
    assert release(app, ref, None, policy=TotpPolicy.ENROLLED).changed
    with get_db(app).sessionmaker() as s:
        detail = s.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "cycle.approve")).detail
    assert detail == {"second_factor": "none"}


def test_off_asks_nobody_for_a_code(app, people):
    enrolled(app)
    ref = submitted_cycle(app)
    assert approve(app, ref, None, policy=TotpPolicy.OFF).changed


def test_callers_that_pass_no_second_factor_still_hold_enrolled_approvers_to_a_code(app, people):
    enrolled(app)
    ref = submitted_cycle(app)
    with pytest.raises(TotpRequired), get_db(app).session() as s:
        cycles.approve_cycle(s, ref, MINH)
    with get_db(app).session() as s:
        assert cycles.approve_cycle(s, ref, "cli:other").changed  # never enrolled


# --- throttling ---------------------------------------------------------------------------------

def test_too_many_wrong_codes_lock_the_approver_for_a_while(app, people):
    secret = enrolled(app)
    ref = submitted_cycle(app)
    for i in range(MAX_FAILURES):
        with pytest.raises(TotpInvalid):
            approve(app, ref, wrong(code_at(secret, T0 + 30)), at=T0 + 30 + i)
    with pytest.raises(TotpLocked) as locked:
        approve(app, ref, code_at(secret, T0 + 60), at=T0 + 60)  # even the right code
    assert "15 minutes" in locked.value.en
    assert row(app).failures == MAX_FAILURES and state_of(app, ref) == "submitted"
    later = T0 + 16 * 60
    assert approve(app, ref, code_at(secret, later), at=later).changed
    assert row(app).failures == 0


# --- secrets stay secret --------------------------------------------------------------------------

def test_the_secret_is_encrypted_at_rest_and_nowhere_in_clear(app, people, caplog):
    caplog.set_level("DEBUG")
    with get_db(app).session() as s:
        new = enrol(s, get_pii(app), MINH, by="cli:admin")
    secret = secret_from(new.uri)
    code = code_at(secret, T0)
    with get_db(app).session() as s:
        confirm(s, get_pii(app), MINH, code, now=T0)
    ref = submitted_cycle(app)
    approve_code = code_at(secret, T0 + 30)
    with pytest.raises(TotpReplayed):
        approve(app, ref, code, at=T0 + 30)
    approve(app, ref, approve_code, at=T0 + 30)
    stored = row(app)
    assert stored.secret_enc.startswith("t1:") and new.secret not in stored.secret_enc
    # A dump of every table holds neither the secret (in any spelling) nor a code.
    dump = []
    with get_db(app).engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            dump.extend(repr(tuple(r)) for r in conn.execute(table.select()))
    text = "\n".join(dump)
    for needle in (new.secret, new.secret.lower(), secret.hex(), new.uri):
        assert needle not in text
    with get_db(app).sessionmaker() as s:
        audit = "\n".join(str(d) for d in s.scalars(sa.select(AuditEvent.detail_json)))
    for needle in (code, approve_code):
        alone = re.compile(rf"(?<!\d){needle}(?!\d)")
        assert not alone.search(audit) and not alone.search(caplog.text)
    assert new.secret not in caplog.text


def test_key_rotation_covers_the_secrets(app):
    assert any(spec.table.name == "approver_totp" and spec.fields == ("secret",)
               for spec in encrypted_tables())


def test_a_secret_copied_to_another_approver_does_not_decrypt(app, people):
    from gateway.pii.crypto import DecryptionError

    enrolled(app, "cli:mallory")
    enrolled(app, MINH)
    with get_db(app).session() as s:
        s.execute(sa.update(ApproverTotp).where(ApproverTotp.actor == MINH).values(
            secret_enc=sa.select(ApproverTotp.secret_enc).where(
                ApproverTotp.actor == "cli:mallory").scalar_subquery()))
    ref = submitted_cycle(app)
    with pytest.raises(DecryptionError):
        approve(app, ref, "123456")
    assert state_of(app, ref) == "submitted"
