"""Payment cycles (kỳ chi trả): create, submit, approve, release, cancel.

Every step takes the payroll lock as its transaction's first statement, checks the cycle's
state, and changes it with its ledger postings, outbox events and audit event in the same
transaction. Repeating a step that already happened changes nothing and says so.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway import locks
from gateway.approvers.totp import SecondFactor, check_second_factor
from gateway.audit.chain import record
from gateway.clock import utcnow
from gateway.db import bulk_insert
from gateway.errors import InvalidRequest, InvalidTransition, NotFound
from gateway.ledger import accounts
from gateway.ledger.models import Posting
from gateway.ledger.postings import balance, new_txn
from gateway.outbox import Topic, emit
from gateway.payroll.errors import InsufficientFunds, MakerChecker
from gateway.payroll.models import (
    CategoryRule,
    Cycle,
    CycleSkip,
    CycleState,
    Payment,
    PaymentState,
    Program,
    ProgramKind,
    StandardLevel,
)
from gateway.payroll.rules import CoefficientRule, Enrolled, LevelRule, NoRule, RuleBook
from gateway.pii.codec import PiiCodec
from gateway.refs import uuid7_hex
from gateway.registry.models import Beneficiary, Enrolment, WalletLink
from gateway.vn.money import vnd
from gateway.vn.places import communes as commune_table

RELEASE_CHUNK = 1000  # payments per outbox event (one disbursement job each)


@dataclass(frozen=True, slots=True)
class StepResult:
    """What a cycle step did: ``changed`` is False when it had already happened."""

    cycle: Cycle
    changed: bool


def load_rulebook(session: Session, province_code: str | None) -> RuleBook:
    """Build the rule book from the rule tables."""
    levels = [LevelRule(r.effective_from, r.amount, r.province_code)
              for r in session.scalars(sa.select(StandardLevel))]
    coefficients = [
        CoefficientRule(r.category, r.effective_from, r.coefficient_x10, r.per_child, r.age_from,
                        r.age_coefficient_x10, r.age_switch)
        for r in session.scalars(sa.select(CategoryRule))
    ]
    return RuleBook(levels, coefficients, province_code)


def get_program(session: Session, code: str) -> Program:
    """Return a program by code.

    Raises:
        NotFound: no such program.
    """
    program = session.scalar(sa.select(Program).where(Program.code == code.upper()))
    if program is None:
        raise NotFound(f"no program {code!r}", f"Không có chương trình {code!r}.")
    return program


# Cycle refs are 16 hex digits; ids are small integers. Anything else cannot name a cycle,
# and a 30-digit "id" must not reach an integer column (it overflows the driver).
_CYCLE_REF = re.compile(r"^[0-9a-f]{1,32}$")
_MAX_ID_DIGITS = 9


def get_cycle(session: Session, ref: str) -> Cycle:
    """Return a cycle by its reference (or numeric id).

    Raises:
        NotFound: no such cycle (including refs that cannot be one).
    """
    cycle = None
    if _CYCLE_REF.match(ref):
        query = sa.select(Cycle).where(Cycle.ref == ref)
        # Short all-digit input is an id; a 16-hex ref can be all digits too.
        if ref.isdigit() and len(ref) <= _MAX_ID_DIGITS:
            query = sa.select(Cycle).where(sa.or_(Cycle.ref == ref, Cycle.id == int(ref)))
        cycle = session.scalar(query)
    if cycle is None:
        shown = ref[:40]  # echo enough to recognise, not a megabyte of garbage
        raise NotFound(f"no cycle {shown!r}", f"Không có kỳ chi trả {shown!r}.")
    return cycle


def _scope(province_code: str | None, communes: Sequence[str] | None) -> str:
    if not communes:
        return "*"
    table = commune_table()
    codes = sorted({c.strip().zfill(5) for c in communes if c.strip()})
    unknown = [c for c in codes if c not in table]
    if unknown:
        raise InvalidRequest(f"unknown commune codes: {', '.join(unknown)}",
                             f"Mã xã không có trong danh mục: {', '.join(unknown)}.")
    if province_code:
        outside = [c for c in codes if table[c].province_code != province_code]
        if outside:
            raise InvalidRequest(
                f"communes outside province {province_code}: {', '.join(outside)}",
                f"Xã không thuộc tỉnh {province_code}: {', '.join(outside)}.")
    return ",".join(codes)


def create_cycle(
    session: Session,
    codec: PiiCodec,
    *,
    program_code: str,
    period: date,
    actor: str,
    payment_day: int = 5,
    payment_date: date | None = None,
    communes: Sequence[str] | None = None,
    province_code: str | None = None,
    beneficiary_refs: Sequence[str] | None = None,
) -> StepResult:
    """Build a draft cycle with one payment per eligible beneficiary and a reason per skip.

    Creating the same cycle (program, month, communes) again returns the existing one.
    One-off programs pay their fixed amount to ``beneficiary_refs``.

    Raises:
        NotFound, InvalidRequest: unknown program, communes, or a one-off without a list.
    """
    locks.acquire(session, locks.PAYROLL)
    program = get_program(session, program_code)
    period = period.replace(day=1)
    scope = _scope(province_code, communes)
    existing = session.scalar(sa.select(Cycle).where(
        Cycle.program_id == program.id, Cycle.period == period, Cycle.live_scope == scope))
    if existing is not None:
        return StepResult(existing, False)
    one_off = program.kind == ProgramKind.ONE_OFF.value
    if one_off and not beneficiary_refs:
        raise InvalidRequest(f"{program.code} is a one-off program: give the list of people",
                             f"{program.code} là chương trình một lần: cần danh sách người nhận.")
    if payment_date is None:
        payment_date = period.replace(day=min(max(payment_day, 1), 28))
    rules = load_rulebook(session, province_code)
    try:
        one_off_amount = _one_off_amount(program, rules, period) if one_off else None
    except NoRule as exc:
        raise InvalidRequest(str(exc)) from None

    cycle = Cycle(
        ref=secrets.token_hex(8), program_id=program.id, period=period, scope=scope,
        live_scope=scope, payment_date=payment_date, state=CycleState.DRAFT.value,
        created_by=actor,
    )
    session.add(cycle)
    session.flush()

    people = _people(session, scope, beneficiary_refs)
    # Birth dates are decrypted only for people in age-dependent categories.
    age_categories = rules.age_categories
    aged = [p.id for p in people
            if any(e.category in age_categories for e in p.enrolments or [])]
    dobs: dict[int, tuple[str, str]] = {}
    for i in range(0, len(aged), 1000):
        dobs.update((bid, (ref, token)) for bid, ref, token in session.execute(
            sa.select(Beneficiary.id, Beneficiary.ref, Beneficiary.dob_enc)
            .where(Beneficiary.id.in_(aged[i:i + 1000]))))
    slot = f"{program.id}:{period:%Y-%m}"
    taken = set(session.scalars(sa.select(Payment.beneficiary_id).where(Payment.slot == slot)))
    skips: list[dict[str, object]] = []
    totals = {"count": 0, "amount": 0}
    now = utcnow()

    def payments() -> Iterator[dict[str, object]]:
        # A generator: on PostgreSQL the rows stream into COPY while the next are priced.
        for person in people:
            reason = _skip_reason(person, taken, one_off, period)
            amount = None
            if reason is None:
                if one_off:
                    amount = (one_off_amount, f"{program.code} {one_off_amount}")
                else:
                    def born(p: _Person = person) -> date:
                        ref, token = dobs[p.id]  # the ref binds the ciphertext to its row
                        return date.fromisoformat(codec.open("beneficiary", "dob", ref, token))

                    try:
                        priced = rules.monthly_amount(period, born, person.enrolments)
                    except NoRule as exc:
                        reason = ("no_rule", str(exc))
                    else:
                        if priced is None:
                            reason = ("not_enrolled_in_period", f"{period:%m/%Y}")
                        else:
                            amount = (priced.amount, priced.basis)
            if reason is not None:
                skips.append({"cycle_id": cycle.id, "beneficiary_id": person.id,
                              "reason": reason[0], "detail": reason[1]})
                continue
            assert amount is not None
            totals["count"] += 1
            totals["amount"] += amount[0]
            yield {
                "ref": uuid7_hex(), "cycle_id": cycle.id, "beneficiary_id": person.id,
                "slot": slot, "commune_code": person.commune_code, "amount": amount[0],
                "basis": amount[1], "wallet_link_id": person.wallet_id,
                "provider": person.provider, "phone_bidx": person.phone_bidx,
                "to_representative": person.to_representative,
                "state": PaymentState.PENDING.value, "created_at": now, "updated_at": now,
            }

    bulk_insert(session, Payment.__table__, payments())  # type: ignore[arg-type]
    bulk_insert(session, CycleSkip.__table__, skips)  # type: ignore[arg-type]
    cycle.payment_count = totals["count"]
    cycle.total_amount = totals["amount"]
    cycle.skipped_count = len(skips)
    record(session, actor=actor, action="cycle.create", subject_type="cycle",
           subject_id=cycle.ref, after=_snapshot(cycle),
           detail={"program": program.code, "period": f"{period:%Y-%m}", "scope": scope,
                   "payments": cycle.payment_count, "total": cycle.total_amount,
                   "skipped": cycle.skipped_count})
    return StepResult(cycle, True)


def _one_off_amount(program: Program, rules: RuleBook, period: date) -> int:
    if program.fixed_amount:
        return int(program.fixed_amount)
    if program.level_multiple:
        return int(program.level_multiple) * rules.level(period)
    raise NoRule(f"{program.code} has neither a fixed amount nor a level multiple")


@dataclass(slots=True)
class _Person:
    id: int
    status: str
    commune_code: str
    wallet_id: int | None = None
    provider: str = ""
    phone_bidx: str = ""
    to_representative: bool = False
    enrolments: list[Enrolled] | None = None


def _people(session: Session, scope: str, refs: Sequence[str] | None) -> list[_Person]:
    B, E, W = Beneficiary.__table__, Enrolment.__table__, WalletLink.__table__
    query = (
        sa.select(B.c.id, B.c.status, B.c.commune_code, W.c.id, W.c.provider, W.c.phone_bidx,
                  W.c.to_representative)
        .outerjoin(W, W.c.beneficiary_id == B.c.id)
    )
    if scope != "*":
        query = query.where(B.c.commune_code.in_(scope.split(",")))
    if refs is not None:
        query = query.where(B.c.ref.in_(list(refs)))
    people: dict[int, _Person] = {}
    for row in session.execute(query).all():
        people[row[0]] = _Person(row[0], row[1], row[2], row[3], row[4] or "", row[5] or "",
                                 bool(row[6]), [])
    enrol = sa.select(E.c.beneficiary_id, E.c.category, E.c.start_month, E.c.end_month,
                      E.c.children)
    if scope != "*" or refs is not None:
        enrol = enrol.where(E.c.beneficiary_id.in_(
            sa.select(B.c.id).where(B.c.commune_code.in_(scope.split(",")))
            if refs is None else sa.select(B.c.id).where(B.c.ref.in_(list(refs)))))
    for bid, category, start, end, children in session.execute(enrol).all():
        person = people.get(bid)
        if person is not None:
            person.enrolments.append(Enrolled(category, start, end, children))  # type: ignore[union-attr]
    return list(people.values())


def _skip_reason(person: _Person, taken: set[int], one_off: bool,
                 period: date) -> tuple[str, str | None] | None:
    if person.id in taken:
        return ("already_in_another_cycle", f"{period:%m/%Y}")
    if person.status == "suspended":
        return ("suspended", None)
    if person.status in ("deceased", "exited"):
        # Paid through the month of death or exit when the roster gives it, not after.
        covered = any(e.end_month is not None and e.covers(period)
                      for e in person.enrolments or [])
        if not covered or one_off:
            return (person.status, None)
    if person.wallet_id is None:
        return ("no_wallet", None)
    return None


def _snapshot(cycle: Cycle) -> dict[str, object]:
    return {"state": cycle.state, "payments": cycle.payment_count, "total": cycle.total_amount,
            "period": f"{cycle.period:%Y-%m}", "scope": cycle.scope}


def _locked_cycle(session: Session, ref: str) -> Cycle:
    locks.acquire(session, locks.PAYROLL)
    cycle = get_cycle(session, ref)
    session.refresh(cycle)
    return cycle


def _refuse(cycle: Cycle, step: str, allowed: Sequence[CycleState]) -> InvalidTransition:
    names = " or ".join(s.value for s in allowed)
    return InvalidTransition(
        f"cannot {step} cycle {cycle.ref}: it is {cycle.state} (must be {names})",
        f"Không thể {step} kỳ {cycle.ref}: kỳ đang ở trạng thái {cycle.state}.")


def submit_cycle(session: Session, ref: str, actor: str) -> StepResult:
    """Send a draft cycle for approval.

    Raises:
        InvalidTransition: the cycle is past submission or cancelled.
    """
    cycle = _locked_cycle(session, ref)
    if cycle.state != CycleState.DRAFT.value:
        if cycle.state in (CycleState.SUBMITTED.value, CycleState.APPROVED.value,
                           CycleState.RELEASED.value, CycleState.COMPLETED.value):
            return StepResult(cycle, False)
        raise _refuse(cycle, "submit", [CycleState.DRAFT])
    before = _snapshot(cycle)
    cycle.state = CycleState.SUBMITTED.value
    cycle.submitted_by, cycle.submitted_at = actor, utcnow()
    record(session, actor=actor, action="cycle.submit", subject_type="cycle",
           subject_id=cycle.ref, before=before, after=_snapshot(cycle))
    return StepResult(cycle, True)


def approve_cycle(session: Session, ref: str, actor: str, *,
                  second_factor: SecondFactor | None = None) -> StepResult:
    """Approve a submitted cycle; the approver must not be who prepared or submitted it.

    The approver's TOTP code is checked (see ``gateway.approvers.totp``) after the cycle's
    own checks and before anything changes. Approving an approved cycle again changes
    nothing, so it needs no code.

    Raises:
        MakerChecker: the approver created or submitted the cycle.
        InvalidTransition: the cycle is not submitted.
        TotpRefused: the approver's code is missing, wrong or replayed.
    """
    cycle = _locked_cycle(session, ref)
    if cycle.state in (CycleState.APPROVED.value, CycleState.RELEASED.value,
                       CycleState.COMPLETED.value):
        return StepResult(cycle, False)
    if cycle.state != CycleState.SUBMITTED.value:
        raise _refuse(cycle, "approve", [CycleState.SUBMITTED])
    if actor in (cycle.submitted_by, cycle.created_by):
        raise MakerChecker(
            f"{actor} prepared or submitted cycle {cycle.ref}; a different person must approve",
            f"{actor} đã lập hoặc trình kỳ {cycle.ref}; người khác phải phê duyệt.")
    method = check_second_factor(session, actor, second_factor)
    before = _snapshot(cycle)
    cycle.state, cycle.approved_by, cycle.approved_at = CycleState.APPROVED.value, actor, utcnow()
    record(session, actor=actor, action="cycle.approve", subject_type="cycle",
           subject_id=cycle.ref, before=before, after=_snapshot(cycle),
           detail={"second_factor": method})
    return StepResult(cycle, True)


def release_cycle(session: Session, ref: str, actor: str, *,
                  second_factor: SecondFactor | None = None) -> StepResult:
    """Release an approved cycle: check funding, post the money to clearing, stage the work.

    Payments move to ``ready``; the ledger moves each amount from the program's month account
    to its provider's clearing account; outbox events (one per chunk of payments) tell the
    disbursement engine. All in this transaction, so no released payment can be forgotten.
    The releaser's TOTP code is checked first; releasing again changes nothing and needs none.

    Raises:
        InsufficientFunds: the month's allocation cannot cover the cycle.
        InvalidTransition: the cycle is not approved.
        TotpRefused: the releaser's code is missing, wrong or replayed.
    """
    cycle = _locked_cycle(session, ref)
    if cycle.state in (CycleState.RELEASED.value, CycleState.COMPLETED.value):
        return StepResult(cycle, False)
    if cycle.state != CycleState.APPROVED.value:
        raise _refuse(cycle, "release", [CycleState.APPROVED])
    method = check_second_factor(session, actor, second_factor)
    program = session.get(Program, cycle.program_id)
    assert program is not None
    account = accounts.program_period(program.code, cycle.period)
    P = Payment.__table__
    due = int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(P.c.amount), 0)).where(
        P.c.cycle_id == cycle.id, P.c.state == PaymentState.PENDING.value)) or 0)
    available = balance(session, account)
    if available < due:
        raise InsufficientFunds(
            f"cycle {cycle.ref} needs {due:,} VND but {program.code} {cycle.period:%m/%Y} has "
            f"{available:,} VND allocated and unreleased",
            f"Kỳ {cycle.ref} cần {vnd(due)} nhưng nguồn {program.code} tháng "
            f"{cycle.period:%m/%Y} chỉ còn {vnd(available)}.")
    before = _snapshot(cycle)
    txn = new_txn(session, "release", cycle_id=cycle.id, memo=f"release cycle {cycle.ref}")
    pending = sa.and_(P.c.cycle_id == cycle.id, P.c.state == PaymentState.PENDING.value)
    Q = Posting.__table__
    columns = [Q.c.txn_id, Q.c.account, Q.c.amount, Q.c.payment_id]
    # Two legs per payment, written by the database from the payment rows themselves.
    session.execute(Q.insert().from_select(columns, sa.select(
        sa.literal(txn), sa.literal(account), -P.c.amount, P.c.id).where(pending)))
    session.execute(Q.insert().from_select(columns, sa.select(
        sa.literal(txn), sa.literal("clearing:") + P.c.provider, P.c.amount, P.c.id
    ).where(pending)))
    ids = list(session.scalars(sa.select(P.c.id).where(pending).order_by(P.c.id)))
    session.execute(P.update().where(pending).values(state=PaymentState.READY.value,
                                                     updated_at=utcnow()))
    emit(session, Topic.PAYMENTS_RELEASED.value, [
        {"cycle_id": cycle.id, "payment_ids": ids[i:i + RELEASE_CHUNK]}
        for i in range(0, len(ids), RELEASE_CHUNK)])
    cycle.state, cycle.released_by, cycle.released_at = CycleState.RELEASED.value, actor, utcnow()
    record(session, actor=actor, action="cycle.release", subject_type="cycle",
           subject_id=cycle.ref, before=before, after=_snapshot(cycle),
           detail={"payments": len(ids), "amount": due, "account": account,
                   "second_factor": method})
    return StepResult(cycle, True)


def cancel_cycle(session: Session, ref: str, actor: str) -> StepResult:
    """Cancel a cycle before release; its people may be put in a new cycle.

    Raises:
        InvalidTransition: the cycle was already released (money is moving).
    """
    cycle = _locked_cycle(session, ref)
    if cycle.state == CycleState.CANCELLED.value:
        return StepResult(cycle, False)
    if cycle.state not in (CycleState.DRAFT.value, CycleState.SUBMITTED.value,
                           CycleState.APPROVED.value):
        raise _refuse(cycle, "cancel", [CycleState.DRAFT, CycleState.SUBMITTED,
                                        CycleState.APPROVED])
    before = _snapshot(cycle)
    P = Payment.__table__
    session.execute(P.update().where(P.c.cycle_id == cycle.id).values(
        state=PaymentState.CANCELLED.value, slot=None, updated_at=utcnow()))
    cycle.state, cycle.live_scope = CycleState.CANCELLED.value, None
    cycle.cancelled_by, cycle.cancelled_at = actor, utcnow()
    record(session, actor=actor, action="cycle.cancel", subject_type="cycle",
           subject_id=cycle.ref, before=before, after=_snapshot(cycle))
    return StepResult(cycle, True)


def state_counts(session: Session, cycle_id: int) -> dict[str, dict[str, int]]:
    """Return {state: {"count", "amount"}} for a cycle's payments."""
    P = Payment.__table__
    rows = session.execute(
        sa.select(P.c.state, sa.func.count(), sa.func.sum(P.c.amount))
        .where(P.c.cycle_id == cycle_id).group_by(P.c.state))
    return {state: {"count": int(n), "amount": int(total or 0)} for state, n, total in rows}
