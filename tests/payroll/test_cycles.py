"""Cycles: amounts, skips, maker-checker, funding, release through the outbox, cancellation."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from gateway.audit.models import AuditEvent
from gateway.db import get_db
from gateway.errors import InvalidTransition
from gateway.ledger import accounts
from gateway.ledger.models import Posting
from gateway.ledger.postings import balance
from gateway.outbox import OutboxEvent
from gateway.payroll import cycles
from gateway.payroll.errors import InsufficientFunds, MakerChecker
from gateway.payroll.funding import allocate
from gateway.payroll.models import Cycle, CycleSkip, Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from tests.payroll.conftest import add_people

DEC = date(2026, 12, 1)


def create(app, period=DEC, communes=None, actor="cli:maker", **kw):
    with get_db(app).session() as s:
        result = cycles.create_cycle(s, get_pii(app), program_code="TGXH_THANG", period=period,
                                     actor=actor, communes=communes, province_code="46", **kw)
        return result.cycle.ref, result.changed


def step(app, name, ref, actor):
    with get_db(app).session() as s:
        return getattr(cycles, f"{name}_cycle")(s, ref, actor).changed


def fund(app, amount, period=DEC, reference="QD-1"):
    with get_db(app).session() as s:
        return allocate(s, program_code="TGXH_THANG", period=period, amount=amount,
                        reference=reference, actor="cli:finance")


def payments(app, ref):
    with get_db(app).sessionmaker() as s:
        cycle = cycles.get_cycle(s, ref)
        return {p.beneficiary_id: p for p in s.scalars(
            sa.select(Payment).where(Payment.cycle_id == cycle.id))}


def skips(app, ref):
    with get_db(app).sessionmaker() as s:
        cycle = cycles.get_cycle(s, ref)
        return {r.beneficiary_id: r.reason for r in s.scalars(
            sa.select(CycleSkip).where(CycleSkip.cycle_id == cycle.id))}


def ids(app, refs):
    from gateway.registry.models import Beneficiary

    with get_db(app).sessionmaker() as s:
        rows = dict(s.execute(sa.select(Beneficiary.ref, Beneficiary.id)).all())
    return {name: rows[ref] for name, ref in refs.items()}


def test_cycle_pays_each_eligible_person_the_rule_amount_and_explains_skips(app, people):
    ref, created = create(app)
    assert created
    who = ids(app, people)
    paid = payments(app, ref)
    amounts = {name: paid[bid].amount for name, bid in who.items() if bid in paid}
    assert amounts == {
        "an": 500_000, "binh": 1_500_000, "cuong": 1_000_000, "dung": 1_250_000,
        "hai": 750_000,  # born 06/2020: turned 4 in 06/2024, so 1.5 now
    }
    assert "KT_NANG_TE_NCT" in paid[who["cuong"]].basis
    assert skips(app, ref) == {who["em"]: "suspended", who["gam"]: "deceased"}
    assert all(p.state == PaymentState.PENDING.value for p in paid.values())


def test_deceased_person_is_paid_through_the_month_of_death_only(app, people):
    who = ids(app, people)
    oct_ref, _ = create(app, period=date(2026, 10, 1))
    nov_ref, _ = create(app, period=date(2026, 11, 1))
    assert who["gam"] in payments(app, oct_ref)
    assert skips(app, nov_ref)[who["gam"]] == "deceased"


def test_person_is_not_paid_before_the_start_month(app, people):
    who = ids(app, people)
    ref, _ = create(app, period=date(2024, 6, 1))
    assert skips(app, ref)[who["binh"]] == "not_enrolled_in_period"  # starts 07/2024
    assert payments(app, ref)[who["an"]].amount == 360_000


def test_creating_the_same_cycle_twice_returns_the_first(app, people):
    first, created = create(app)
    again, created_again = create(app)
    assert (again, created, created_again) == (first, True, False)
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Cycle)) == 1


def test_overlapping_cycles_never_pay_a_person_twice_in_a_month(app, people):
    commune_ref, _ = create(app, communes=["19753"])
    province_ref, _ = create(app)
    who = ids(app, people)
    in_commune = set(payments(app, commune_ref))
    assert who["an"] in in_commune
    assert not in_commune & set(payments(app, province_ref))
    assert skips(app, province_ref)[who["an"]] == "already_in_another_cycle"


def test_a_payment_per_beneficiary_per_cycle_is_a_database_constraint(app, people):
    ref, _ = create(app)
    with get_db(app).sessionmaker() as s:
        existing = s.scalars(sa.select(Payment).limit(1)).one()
        clone = {c.name: getattr(existing, c.name) for c in Payment.__table__.c if c.name != "id"}
        clone.update(ref="x" * 32, slot=None)
        with pytest.raises(sa.exc.IntegrityError):
            s.execute(sa.insert(Payment), [clone])
            s.flush()


def test_maker_cannot_approve_own_cycle(app, people):
    ref, _ = create(app, actor="cli:maker")
    step(app, "submit", ref, "cli:maker")
    with pytest.raises(MakerChecker):
        step(app, "approve", ref, "cli:maker")
    with pytest.raises(InvalidTransition):
        step(app, "release", ref, "cli:checker")
    assert step(app, "approve", ref, "cli:checker") is True
    assert step(app, "approve", ref, "cli:checker") is False  # harmless repeat


def test_release_without_funds_is_refused_and_changes_nothing(app, people):
    ref, _ = create(app)
    step(app, "submit", ref, "cli:maker")
    step(app, "approve", ref, "cli:checker")
    fund(app, 1_000_000)
    with pytest.raises(InsufficientFunds) as refused:
        step(app, "release", ref, "cli:checker")
    assert "5,000,000" in refused.value.en
    with get_db(app).sessionmaker() as s:
        assert cycles.get_cycle(s, ref).state == "approved"
        assert s.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)) == 0
        assert s.scalar(sa.select(sa.func.count()).select_from(Posting)
                        .where(Posting.payment_id.is_not(None))) == 0


def released(app, people, amount=10_000_000):
    ref, _ = create(app)
    step(app, "submit", ref, "cli:maker")
    step(app, "approve", ref, "cli:checker")
    fund(app, amount)
    step(app, "release", ref, "cli:checker")
    return ref


def test_release_moves_money_to_clearing_and_stages_every_payment_in_the_outbox(app, people):
    ref = released(app, people)
    paid = payments(app, ref)
    assert {p.state for p in paid.values()} == {"ready"}
    with get_db(app).sessionmaker() as s:
        assert balance(s, accounts.clearing("sandbox")) == 5_000_000
        assert balance(s, accounts.program_period("TGXH_THANG", DEC)) == 5_000_000
        staged = [pid for e in s.scalars(sa.select(OutboxEvent).where(
            OutboxEvent.topic == "payments.released")) for pid in e.payload["payment_ids"]]
    assert sorted(staged) == sorted(p.id for p in paid.values())


def test_second_release_of_same_cycle_pays_nobody_twice(app, people):
    ref = released(app, people)
    assert step(app, "release", ref, "cli:checker") is False
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Posting)
                        .where(Posting.payment_id.is_not(None))) == 2 * 5


def test_concurrent_releases_of_one_cycle_produce_one_set_of_payments(app, people):
    ref, _ = create(app)
    step(app, "submit", ref, "cli:maker")
    step(app, "approve", ref, "cli:checker")
    fund(app, 10_000_000)
    results: list[object] = []

    def release() -> None:
        try:
            results.append(step(app, "release", ref, "cli:checker"))
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            results.append(exc)

    threads = [threading.Thread(target=release) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(repr, results)) == sorted(["True"] + ["False"] * 5)
    with get_db(app).sessionmaker() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Posting)
                        .where(Posting.payment_id.is_not(None))) == 10
        assert s.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)) == 1


def test_payment_outcomes_post_settlement_or_return_the_money(app, people):
    ref = released(app, people)
    paid = sorted(payments(app, ref).values(), key=lambda p: p.id)
    with get_db(app).session() as s:
        assert transition(s, paid[0].id, PaymentState.SENDING)
        assert transition(s, paid[0].id, PaymentState.SUCCEEDED, provider_ref="T1")
        assert not transition(s, paid[0].id, PaymentState.SUCCEEDED)  # duplicate: no effect
        assert not transition(s, paid[0].id, PaymentState.FAILED)  # never backwards
        assert transition(s, paid[1].id, PaymentState.SENDING)
        assert transition(s, paid[1].id, PaymentState.FAILED, reason="declined")
    with get_db(app).sessionmaker() as s:
        assert balance(s, accounts.paid("sandbox")) == paid[0].amount
        assert balance(s, accounts.clearing("sandbox")) == 5_000_000 - paid[0].amount - paid[
            1].amount
        assert balance(s, accounts.program_period("TGXH_THANG", DEC)) == 5_000_000 + paid[
            1].amount


def test_cancel_frees_the_month_for_a_new_cycle_and_is_refused_after_release(app, people):
    ref, _ = create(app)
    assert step(app, "cancel", ref, "cli:maker") is True
    assert {p.state for p in payments(app, ref).values()} == {"cancelled"}
    again, created = create(app)
    assert created and again != ref
    assert len(payments(app, again)) == 5
    step(app, "submit", again, "cli:maker")
    step(app, "approve", again, "cli:checker")
    fund(app, 10_000_000)
    step(app, "release", again, "cli:checker")
    with pytest.raises(InvalidTransition):
        step(app, "cancel", again, "cli:maker")


def test_every_step_is_in_the_audit_chain(app, people):
    released(app, people)
    with get_db(app).sessionmaker() as s:
        actions = list(s.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert [a for a in actions if a.startswith(("cycle.", "budget."))] == [
        "cycle.create", "cycle.submit", "cycle.approve", "budget.allocate", "cycle.release"]


def test_one_off_program_pays_its_amount_to_a_list(app):
    refs = add_people(app, ["an", "binh"])
    with get_db(app).session() as s:
        result = cycles.create_cycle(
            s, get_pii(app), program_code="MAI_TANG", period=DEC, actor="cli:maker",
            province_code="46", beneficiary_refs=[refs["an"]])
        cycle_ref = result.cycle.ref
    paid = payments(app, cycle_ref)
    assert [p.amount for p in paid.values()] == [20 * 500_000]


def test_ledger_check_finds_tampering_at_the_row(app, people):
    from gateway.ledger.check import check_ledger

    released(app, people)
    with get_db(app).session() as s:
        posting_id, amount = s.execute(
            sa.select(Posting.id, Posting.amount).where(Posting.payment_id.is_not(None))
            .order_by(Posting.id).limit(1)).one()
        s.execute(sa.update(Posting).where(Posting.id == posting_id).values(amount=amount + 1))
        s.execute(sa.insert(Posting).values(txn_id=999999, account="paid:sandbox", amount=0))
    with get_db(app).sessionmaker() as s:
        kinds = {v.kind for v in check_ledger(s)}
    assert {"unbalanced_transaction", "payment_postings", "orphan_posting"} <= kinds
    with get_db(app).session() as s:  # repair, so the after-test check passes
        s.execute(sa.update(Posting).where(Posting.id == posting_id).values(amount=amount))
        s.execute(sa.delete(Posting).where(Posting.txn_id == 999999))
