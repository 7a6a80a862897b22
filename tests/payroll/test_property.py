"""Random sequences of cycle steps and payment outcomes keep money conserved and pay nobody
twice (a Hypothesis state machine over the real database)."""

from __future__ import annotations

import os
from datetime import date

import hypothesis.strategies as st
import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from gateway.db import get_db
from gateway.errors import DomainError
from gateway.ledger.check import check_ledger
from gateway.ledger.models import Posting
from gateway.payroll import cycles
from gateway.payroll.funding import allocate
from gateway.payroll.models import Allocation, Cycle, Payment, PaymentState
from gateway.payroll.payments import transition
from gateway.pii.codec import get_pii
from tests.conftest import empty_tables
from tests.payroll.conftest import add_people

PERIODS = [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
SCOPES = [None, ["19753"], ["19777", "20182"]]
ACTORS = ["cli:maker", "cli:checker", "apikey:approver2"]
OUTCOMES = [PaymentState.SENDING, PaymentState.ACCEPTED, PaymentState.UNKNOWN,
            PaymentState.SUCCEEDED, PaymentState.FAILED, PaymentState.HELD, PaymentState.READY,
            PaymentState.CONFIRMED]
EXAMPLES = int(os.environ.get("PAYROLL_PROPERTY_EXAMPLES", "25"))


def test_random_cycle_histories_conserve_money_and_pay_at_most_once(app):
    class Payroll(RuleBasedStateMachine):
        cycle_refs = Bundle("cycles")

        @initialize()
        def reset(self) -> None:
            empty_tables(app)
            add_people(app, ["an", "binh", "cuong", "dung", "hai", "em"])
            self.references = 0

        def run(self, fn, *args):  # type: ignore[no-untyped-def]
            try:
                with get_db(app).session() as s:
                    return fn(s, *args)
            except DomainError:
                return None

        @rule(target=cycle_refs, period=st.sampled_from(PERIODS),
              scope=st.sampled_from(SCOPES), actor=st.sampled_from(ACTORS))
        def create(self, period, scope, actor):  # type: ignore[no-untyped-def]
            result = self.run(lambda s: cycles.create_cycle(
                s, get_pii(app), program_code="TGXH_THANG", period=period, actor=actor,
                communes=scope, province_code="46"))
            return result.cycle.ref if result else "missing"

        @rule(ref=cycle_refs, step=st.sampled_from(["submit", "approve", "release", "cancel"]),
              actor=st.sampled_from(ACTORS))
        def cycle_step(self, ref, step, actor):  # type: ignore[no-untyped-def]
            result = self.run(getattr(cycles, f"{step}_cycle"), ref, actor)
            event(f"{step} {'done' if result and result.changed else 'refused or repeated'}")

        @rule(ref=cycle_refs)
        def fund_and_release(self, ref):  # type: ignore[no-untyped-def]
            # The whole happy path in one rule, so most runs reach payments with money.
            for step, actor in (("submit", "cli:maker"), ("approve", "cli:checker")):
                self.run(getattr(cycles, f"{step}_cycle"), ref, actor)
            self.references += 1
            self.run(lambda s: allocate(
                s, program_code="TGXH_THANG", period=cycles.get_cycle(s, ref).period,
                amount=5_000_000, reference=f"QD-{self.references}", actor="cli:finance"))
            result = self.run(cycles.release_cycle, ref, "cli:checker")
            event(f"fund and release: {'done' if result and result.changed else 'not done'}")

        @rule(period=st.sampled_from(PERIODS), amount=st.sampled_from([700_000, 3_000_000]))
        def fund(self, period, amount):  # type: ignore[no-untyped-def]
            self.references += 1
            self.run(lambda s: allocate(s, program_code="TGXH_THANG", period=period,
                                        amount=amount, reference=f"QD-{self.references}",
                                        actor="cli:finance"))

        @rule(pick=st.integers(0, 50), state=st.sampled_from(OUTCOMES))
        def outcome(self, pick, state):  # type: ignore[no-untyped-def]
            with get_db(app).session() as s:
                ids = list(s.scalars(sa.select(Payment.id).order_by(Payment.id)))
                if ids:
                    moved = transition(s, ids[pick % len(ids)], state)
                    event(f"payment -> {state.value}: {'moved' if moved else 'refused'}")

        @rule(pick=st.integers(0, 50), final=st.sampled_from(
            [PaymentState.SUCCEEDED, PaymentState.FAILED, PaymentState.CONFIRMED]))
        def settle(self, pick, final):  # type: ignore[no-untyped-def]
            with get_db(app).session() as s:
                ids = list(s.scalars(sa.select(Payment.id).where(
                    Payment.state == PaymentState.READY.value).order_by(Payment.id)))
                if ids:
                    pid = ids[pick % len(ids)]
                    transition(s, pid, PaymentState.SENDING)
                    transition(s, pid, PaymentState.ACCEPTED)
                    first = PaymentState.SUCCEEDED if final is PaymentState.CONFIRMED else final
                    event(f"settle {final.value}: {transition(s, pid, first)}")
                    if final is PaymentState.CONFIRMED:
                        transition(s, pid, final)

        @invariant()
        def ledger_is_sound(self) -> None:
            with get_db(app).sessionmaker() as s:
                assert check_ledger(s) == []

        @invariant()
        def nobody_is_paid_twice_for_a_program_month(self) -> None:
            with get_db(app).sessionmaker() as s:
                doubles = s.execute(
                    sa.select(Payment.beneficiary_id, Cycle.program_id, Cycle.period)
                    .join(Cycle, Cycle.id == Payment.cycle_id)
                    .where(Payment.state != PaymentState.CANCELLED.value)
                    .group_by(Payment.beneficiary_id, Cycle.program_id, Cycle.period)
                    .having(sa.func.count() > 1)).all()
                assert doubles == []

        @invariant()
        def money_is_conserved(self) -> None:
            with get_db(app).sessionmaker() as s:
                allocated = s.scalar(sa.select(sa.func.coalesce(sa.func.sum(Allocation.amount),
                                                                0)))
                held = s.scalar(sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
                                .where(sa.not_(Posting.account.startswith("budget:"))))
                paid_out = s.scalar(sa.select(sa.func.coalesce(sa.func.sum(Posting.amount), 0))
                                    .where(Posting.account.startswith("paid:")))
                succeeded = s.scalar(sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
                                     .where(Payment.state.in_(["succeeded", "confirmed"])))
                assert held == allocated
                assert paid_out == succeeded

    Payroll.TestCase.settings = settings(
        max_examples=EXAMPLES, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    run_state_machine_as_test(Payroll, settings=Payroll.TestCase.settings)
