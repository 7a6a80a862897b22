"""Payroll tables: programs, rules, budget allocations, cycles, payments, skips."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from gateway.clock import utcnow
from gateway.db import Base


class ProgramKind(str, enum.Enum):
    """How a program decides amounts."""

    MONTHLY = "monthly"  # standard level x category coefficient, every month
    ONE_OFF = "one_off"  # a fixed amount (or a multiple of the level) to a list of people


class Program(Base):
    """A benefit program (chương trình), e.g. TGXH_THANG monthly social assistance."""

    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(16))
    # One-off programs: a fixed amount, or a multiple of the standard level (mai táng: 20x).
    fixed_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    level_multiple: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)


class StandardLevel(Base):
    """The standard level (mức chuẩn) from a date; a province row may raise it, never lower."""

    __tablename__ = "standard_level"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    province_code: Mapped[str | None] = mapped_column(sa.String(2))
    note: Mapped[str | None] = mapped_column(sa.String(200))

    __table_args__ = (sa.UniqueConstraint("effective_from", "province_code"),)


class CategoryRule(Base):
    """A category's coefficient from a date, with an optional change at an age."""

    __tablename__ = "category_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(16))
    effective_from: Mapped[date]
    # Coefficients in tenths, so money stays integer: 25 means 2.5.
    coefficient_x10: Mapped[int]
    per_child: Mapped[bool] = mapped_column(default=False)
    age_from: Mapped[int | None]
    age_coefficient_x10: Mapped[int | None]
    # "birthday_month": the new coefficient applies in the month of the birthday;
    # "next_month": from the month after it.
    age_switch: Mapped[str] = mapped_column(sa.String(16), default="next_month")

    __table_args__ = (sa.UniqueConstraint("category", "effective_from"),)


class Allocation(Base):
    """Money allocated to a program for one month (dự toán), which funds its cycles."""

    __tablename__ = "allocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"))
    period: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    reference: Mapped[str] = mapped_column(sa.String(100))
    actor: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The same budget decision recorded twice is one allocation.
    __table_args__ = (sa.UniqueConstraint("program_id", "period", "reference"),)


class CycleState(str, enum.Enum):
    """Where a cycle is in maker-checker."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RELEASED = "released"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Cycle(Base):
    """A payment cycle (kỳ chi trả): one program, one month, some or all communes."""

    __tablename__ = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"))
    period: Mapped[date]
    # Sorted commune codes joined by ",", or "*" for the whole province.
    scope: Mapped[str] = mapped_column(sa.Text)
    # Equal to scope while the cycle counts; NULL once cancelled, so an identical cycle can
    # be created again (NULLs never collide in a unique constraint).
    live_scope: Mapped[str | None] = mapped_column(sa.Text)
    payment_date: Mapped[date]
    state: Mapped[str] = mapped_column(sa.String(12), default=CycleState.DRAFT.value)
    payment_count: Mapped[int] = mapped_column(default=0)
    total_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(sa.String(64))
    approved_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(sa.String(64))
    released_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(sa.String(64))
    cancelled_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    __table_args__ = (sa.UniqueConstraint("program_id", "period", "live_scope"),)


class PaymentState(str, enum.Enum):
    """A payment's money state."""

    PENDING = "pending"  # in a cycle not yet released
    READY = "ready"  # released, waiting for the disbursement engine
    HELD = "held"  # not sent: wallet unverified, flagged, SIM changed
    SENDING = "sending"  # a provider call is in flight
    ACCEPTED = "accepted"  # the provider accepted it; outcome to come
    UNKNOWN = "unknown"  # the answer was lost; only a status query may resolve it
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CONFIRMED = "confirmed"  # the beneficiary confirmed receipt
    CANCELLED = "cancelled"  # its cycle was cancelled before release


# The hold reason of a payment whose wallet phone's SIM changed recently (set by
# gateway.wallets.payout_gate, read by the payment notices and the engine).
SIM_SWAP_HOLD = "sim_swap"
FINAL_STATES = frozenset({PaymentState.SUCCEEDED, PaymentState.FAILED, PaymentState.CONFIRMED,
                          PaymentState.CANCELLED})


class Payment(Base):
    """One beneficiary's money in one cycle."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random public reference; also the idempotency key sent to the provider on every try.
    ref: Mapped[str] = mapped_column(sa.String(32), unique=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"))
    # Looked up through the (beneficiary_id, slot) unique index below.
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"))
    # "<program id>:<yyyy-mm>" while the payment counts, NULL once cancelled: with the
    # unique constraint below a person is paid at most once per program and month, even by
    # overlapping cycles.
    slot: Mapped[str | None] = mapped_column(sa.String(24))
    commune_code: Mapped[str] = mapped_column(sa.String(5))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    # How the amount was decided, e.g. "500000x2.5 KT_DBN_TE_NCT".
    basis: Mapped[str] = mapped_column(sa.String(200))
    # The wallet link at creation, kept as a plain number: a foreign key would make
    # PostgreSQL lock 58,848 wallet rows during a cycle's creation for no gain, since
    # ``phone_bidx`` is what the disbursement engine compares before paying.
    wallet_link_id: Mapped[int | None]
    provider: Mapped[str] = mapped_column(sa.String(32))
    # Blind index of the recipient phone at creation: a wallet changed after approval is
    # noticed before any money goes to it.
    phone_bidx: Mapped[str] = mapped_column(sa.String(32))
    to_representative: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(sa.String(12), default=PaymentState.PENDING.value)
    state_reason: Mapped[str | None] = mapped_column(sa.String(200))
    provider_ref: Mapped[str | None] = mapped_column(sa.String(100))
    attempts: Mapped[int] = mapped_column(default=0)
    # When a retryable failure may be sent again (set with back-off; NULL = now).
    next_attempt_at: Mapped[datetime | None]
    fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    final_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]

    __table_args__ = (
        # (cycle_id, beneficiary_id) also serves lookups by cycle. No index includes
        # ``state``, so on PostgreSQL state changes are HOT updates (see the migration's
        # fillfactor): the engine changes every payment's state several times.
        sa.UniqueConstraint("cycle_id", "beneficiary_id"),
        sa.UniqueConstraint("beneficiary_id", "slot"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )


class CycleSkip(Base):
    """Why a beneficiary in the cycle's scope gets no payment in it."""

    __tablename__ = "cycle_skip"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(sa.ForeignKey("beneficiary.id"))
    reason: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[str | None] = mapped_column(sa.String(200))
