"""Find disbursement work from the database alone, so losing all of Redis loses no payment.

- released payments still ``ready`` (due, not backing off) → send;
- ``sending`` for longer than a call can take (the worker died mid-call) → ``unknown``;
- ``accepted`` or ``unknown`` not touched for a while → poll;
- ``held`` whose reason is gone (wallet verified, flag cleared) → back to ``ready``;
- released cycles whose payments are all final → ``completed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.clock import utcnow
from gateway.db import id_in
from gateway.payroll.models import FINAL_STATES, Cycle, CycleState, Payment, PaymentState
from gateway.payroll.payments import Change, transition_batch
from gateway.registry.models import WalletLink

S = PaymentState
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long each state may last before the sweeper acts."""

    ready: timedelta = timedelta(seconds=30)  # a job should have picked it up by then
    sending: timedelta = timedelta(seconds=120)  # longer than any provider call may take
    poll: timedelta = timedelta(seconds=15)  # between status queries


DEFAULT_DEADLINES = Deadlines()


@dataclass
class Sweep:
    """What one pass found: chunks of payment ids to send and to poll."""

    send: list[list[int]] = field(default_factory=list)
    poll: list[list[int]] = field(default_factory=list)
    lost_in_flight: int = 0
    released_holds: int = 0
    completed_cycles: int = 0


def chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    """Split ids into lists of at most ``size``."""
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def sweep(session: Session, *, today: date, deadlines: Deadlines = DEFAULT_DEADLINES,
          now: datetime | None = None, all_ready: bool = False) -> Sweep:
    """Run one pass in the caller's transaction and return the work to enqueue.

    ``all_ready`` sends every due ready payment (used when nothing else will enqueue them,
    e.g. after Redis was lost); otherwise only those waiting past the deadline.
    """
    now = now or utcnow()
    P, C, W = Payment.__table__, Cycle.__table__, WalletLink.__table__
    out = Sweep()
    live = sa.select(C.c.id).where(C.c.state == CycleState.RELEASED.value,
                                   C.c.payment_date <= today)
    stuck = list(session.scalars(sa.select(P.c.id).where(
        P.c.cycle_id.in_(live), P.c.state == S.SENDING.value,
        P.c.updated_at < now - deadlines.sending)))
    out.lost_in_flight = len(transition_batch(session, S.UNKNOWN, [
        Change(pid, reason="no answer recorded (worker lost during the call); asking provider")
        for pid in stuck]))
    cleared = list(session.scalars(
        sa.select(P.c.id).select_from(P.join(W, W.c.id == P.c.wallet_link_id))
        .where(P.c.cycle_id.in_(live), P.c.state == S.HELD.value, W.c.verified.is_(True),
               W.c.flag.is_(None), W.c.phone_bidx == P.c.phone_bidx)))
    out.released_holds = len(transition_batch(session, S.READY, [
        Change(pid, reason="hold cleared") for pid in cleared]))
    due = sa.or_(P.c.next_attempt_at.is_(None), P.c.next_attempt_at <= now)
    ready = sa.select(P.c.id).where(P.c.cycle_id.in_(live), P.c.state == S.READY.value, due)
    if not all_ready:
        ready = ready.where(sa.or_(P.c.updated_at < now - deadlines.ready,
                                   P.c.id.in_(cleared or [-1]), P.c.next_attempt_at.is_not(None)))
    out.send = chunks(list(session.scalars(ready.order_by(P.c.id))))
    asking = [S.ACCEPTED.value, S.UNKNOWN.value]
    to_poll = list(session.scalars(sa.select(P.c.id).where(
        P.c.cycle_id.in_(live), P.c.state.in_(asking),
        P.c.updated_at < now - deadlines.poll).order_by(P.c.id)))
    if to_poll:
        # Stamp them as asked: the next passes leave them alone for a poll interval even if
        # this pass's poll jobs are still waiting in the queue (no duplicate status queries);
        # if the jobs are lost with Redis, the interval passes and they are found again.
        session.execute(P.update().where(id_in(session, P.c.id, to_poll),
                                         P.c.state.in_(asking)).values(updated_at=now))
    out.poll = chunks(to_poll)
    out.completed_cycles = complete_cycles(session)
    return out


def complete_cycles(session: Session) -> int:
    """Mark released cycles whose every payment is final as completed; return how many."""
    P, C = Payment.__table__, Cycle.__table__
    open_payment = sa.exists().where(P.c.cycle_id == C.c.id,
                                     P.c.state.not_in([s.value for s in FINAL_STATES]))
    result = session.execute(C.update().where(C.c.state == CycleState.RELEASED.value,
                                              ~open_payment)
                             .values(state=CycleState.COMPLETED.value, completed_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
