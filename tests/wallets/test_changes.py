"""Officers' wallet-phone changes: two different officers, then a code to the new phone."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from gateway.api.roles import Role
from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.errors import InvalidRequest, InvalidTransition
from gateway.pii.codec import get_pii
from gateway.wallets import changes
from gateway.wallets.models import WalletChangeRequest
from gateway.wallets.service import wallet_verification
from gateway.wallets.verification import ConfirmStatus
from tests.api.conftest import bearer, make_key
from tests.disbursement.conftest import release_cycle
from tests.payroll.conftest import add_people
from tests.wallets.conftest import (
    AN,
    NEW_PHONE,
    link_of,
    otp_messages,
    payment_state,
    received_code,
)

PROVIDERS = ["sandbox", "viettelmoney"]


def request(app: Flask, ref: str, actor: str = "cli:maker", phone: str = "0935551234",
            provider: str = "sandbox") -> str:
    with get_db(app).session() as s:
        return changes.request_change(s, get_pii(app), beneficiary_ref=ref, provider=provider,
                                      phone=phone, reason="SIM lost, new number seen",
                                      actor=actor, providers=PROVIDERS).ref


def approve(app: Flask, ref: str, actor: str) -> changes.Decision:
    with get_db(app).session() as s:
        return changes.approve_change(s, get_pii(app), ref, actor=actor,
                                      verification=wallet_verification(app))


def actions(app: Flask) -> list[str]:
    with get_db(app).sessionmaker() as s:
        return list(s.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_the_officer_who_asked_cannot_approve_and_the_refusal_is_audited(app: Flask) -> None:
    ref = add_people(app, ["an"])["an"]
    before = link_of(app, ref)
    req = request(app, ref)
    decision = approve(app, req, "cli:maker")
    assert decision.refused is not None and decision.refused.code == "maker_checker"
    after = link_of(app, ref)
    assert (after.phone_bidx, after.flag) == (before.phone_bidx, "change_pending")
    assert actions(app)[-2:] == ["wallet_link.change_request", "wallet_link.change_refused"]
    assert otp_messages(app) == []


def test_an_approved_change_moves_the_wallet_unverified_and_codes_the_new_phone(
        app: Flask, make_disburser, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    [pid] = release_cycle(app, verified=True, names=["an"])
    ref = add_people(app, ["an"])["an"]
    req = request(app, ref)
    # While the change waits, the (verified) wallet's payment is held for review.
    assert make_disburser().send([pid]).held == 1
    assert payment_state(app, pid)[1] == "wallet flagged (change_pending); an officer must review"

    decision = approve(app, req, "cli:checker")
    assert decision.refused is None and decision.changed and decision.repointed == 1
    assert decision.code is not None and decision.code.ok
    link = link_of(app, ref)
    codec = get_pii(app)
    assert link.phone_bidx == codec.phone_index(NEW_PHONE)
    assert codec.open("wallet_link", "phone", link.ref, link.phone_enc) == NEW_PHONE
    assert (link.verified, link.verified_at, link.flag) == (False, None, None)
    [sms] = otp_messages(app)
    assert sms.phone_bidx == codec.phone_index(NEW_PHONE)
    assert codec.open("sms_message", "phone", sms.ref, sms.phone_enc) == NEW_PHONE
    assert actions(app)[-3:] == ["wallet_link.change_request", "wallet_link.change_approve",
                                 "wallet_link.code_sent"]
    # Held until the new phone answers; then it goes to the new phone.
    assert make_disburser().send([pid]).held == 0
    assert payment_state(app, pid)[0] == "held"
    code = received_code(app)
    with get_db(app).session() as s:
        result = wallet_verification(app).confirm(s, link.ref, code, actor="ussd:beneficiary")
    assert (result.status, result.released) == (ConfirmStatus.VERIFIED, 1)
    assert make_disburser().send([pid]).by_state["succeeded"] == 1
    assert code not in caplog.text and "935551234" not in caplog.text


def test_an_old_code_cannot_verify_the_changed_wallet(app: Flask) -> None:
    ref = add_people(app, ["an"])["an"]
    link = link_of(app, ref)
    with get_db(app).session() as s:
        from gateway.registry.models import WalletLink

        row = s.scalar(sa.select(WalletLink).where(WalletLink.ref == link.ref))
        assert wallet_verification(app).start_verification(s, row, actor="test").ok
    old_code = received_code(app)
    approve(app, request(app, ref), "cli:checker")
    with get_db(app).session() as s:
        result = wallet_verification(app).confirm(s, link.ref, old_code, actor="test")
    assert result.status in (ConfirmStatus.EXPIRED, ConfirmStatus.WRONG)
    assert not link_of(app, ref).verified


def test_requests_are_checked_and_one_waits_at_a_time(app: Flask) -> None:
    ref = add_people(app, ["an"])["an"]
    with pytest.raises(InvalidRequest):
        request(app, ref, phone="12345")
    with pytest.raises(InvalidRequest):
        request(app, ref, provider="nowhere")
    with pytest.raises(InvalidRequest):
        request(app, ref, phone="0912345678")  # the same wallet
    req = request(app, ref)
    with pytest.raises(InvalidTransition):
        request(app, ref, phone="0935559999")
    with get_db(app).session() as s:
        changes.reject_change(s, req, actor="cli:maker")  # the maker may withdraw
    assert link_of(app, ref).flag is None
    with pytest.raises(InvalidTransition):
        approve(app, req, "cli:checker")


def test_an_approval_after_the_wallet_changed_elsewhere_is_refused(app: Flask) -> None:
    ref = add_people(app, ["an"])["an"]
    req = request(app, ref)
    with get_db(app).session() as s:
        from gateway.registry.models import WalletLink

        s.execute(sa.update(WalletLink).values(phone_bidx=get_pii(app).phone_index("+84900000001")))
    decision = approve(app, req, "cli:checker")
    assert decision.refused is not None and decision.request.status == "stale"
    assert actions(app)[-1] == "wallet_link.change_refused"


def test_cli_asks_approves_and_lists_with_phones_masked(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    ref = add_people(app, ["an"])["an"]
    asked = runner.invoke("wallet-link", "request-change", ref, "--provider", "viettelmoney",
                          "--phone", "0935551234", "--reason", "SIM lost", "--actor", "cli:an",
                          "--json")
    assert asked.exit_code == 0, asked.output
    req = json.loads(asked.output)["ref"]
    assert "935551234" not in asked.output and "09******34" in asked.output
    same = runner.invoke("wallet-link", "approve-change", req, "--actor", "cli:an")
    assert same.exit_code != 0 and "different officer" in same.output
    ok = runner.invoke("wallet-link", "approve-change", req, "--actor", "cli:binh")
    assert ok.exit_code == 0, ok.output
    assert "verification code to the new phone: sent" in ok.output
    listed = runner.invoke("wallet-link", "list-changes")
    assert listed.exit_code == 0 and req in listed.output and "approved" in listed.output
    assert "935551234" not in listed.output and AN[3:] not in listed.output
    assert link_of(app, ref).provider == "viettelmoney"


def test_api_maker_checker_between_two_officer_keys(app: Flask, client: FlaskClient) -> None:
    ref = add_people(app, ["an"])["an"]
    alice, bob = bearer(make_key("alice", Role.OFFICER)), bearer(make_key("bob", Role.OFFICER))
    auditor = bearer(make_key("audrey", Role.AUDITOR))
    body = {"beneficiary": ref, "provider": "sandbox", "phone": "0935551234",
            "reason": "SIM lost"}
    created = client.post("/api/v1/wallet-changes", json=body, headers=alice)
    assert created.status_code == 201, created.get_json()
    req = created.get_json()["ref"]
    assert created.get_json()["phone"] == "09******34"
    again = client.post("/api/v1/wallet-changes", json={**body, "phone": "0935559999"},
                        headers=alice)
    assert again.status_code == 409
    bad = client.post("/api/v1/wallet-changes", json={**body, "phone": "abc"}, headers=alice)
    assert bad.status_code in (400, 422)
    refused = client.post(f"/api/v1/wallet-changes/{req}/approve", headers=alice)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "maker_checker"
    assert client.post(f"/api/v1/wallet-changes/{req}/approve",
                       headers=auditor).status_code == 403
    approved = client.post(f"/api/v1/wallet-changes/{req}/approve", headers=bob)
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "approved" and approved.get_json()["code"] == "sent"
    listed = client.get("/api/v1/wallet-changes", headers=auditor)
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert item["ref"] == req and item["decided_by"] == "apikey:bob"
    assert "935551234" not in listed.get_data(as_text=True)
    assert "wallet_link.change_refused" in actions(app)
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(WalletChangeRequest.status)) == "approved"
