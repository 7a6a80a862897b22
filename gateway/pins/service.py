"""Choose, check, lock and reset beneficiaries' USSD PINs; every function takes a session.

The PIN itself only passes through: it is hashed (``otp.pin``, scrypt) or compared with a hash
and then dropped. It is never stored, logged or put into an audit event. A wrong try is counted
*before* the hash is compared (``reserve_try``, committed on its own), then settled
(``settle_try``); so however many sessions guess at once, at most ``MAX_TRIES`` guesses are
ever checked before the PIN locks. Only an officer's reset (audited) opens a locked PIN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.audit.chain import record
from gateway.clock import utcnow
from gateway.pins.models import BeneficiaryPin
from gateway.registry.models import Beneficiary
from otp.errors import WeakPinError
from otp.pin import MAX_PIN_FAILURES, hash_pin
from otp.pin import verify_pin as pin_matches
from ussd_menus.port import PinChange, PinState, PinStatus

MAX_TRIES = MAX_PIN_FAILURES  # wrong PINs in a row before the lock (3)
PENDING_SECONDS = 300  # the repeat must follow the first entry within a USSD session's life

_T = BeneficiaryPin.__table__.c


@dataclass(frozen=True)
class ResetOutcome:
    """Say whether an officer's reset changed anything, and what the PIN was before it."""

    changed: bool
    previous: PinState


def _row(session: Session, beneficiary_id: int) -> BeneficiaryPin | None:
    return session.scalar(
        sa.select(BeneficiaryPin).where(BeneficiaryPin.beneficiary_id == beneficiary_id))


def _state(row: BeneficiaryPin | None) -> PinState:
    if row is None:
        return PinState.NOT_SET
    return status_of(row.pin_hash is not None, row.locked_at is not None,
                     row.failed_attempts).state


def status_of(has_pin: bool, locked: bool, failed_attempts: int) -> PinStatus:
    """Tell the PIN's state and tries left from the stored facts (no row: no PIN)."""
    if not has_pin:
        return PinStatus(PinState.NOT_SET, 0)
    if locked or failed_attempts >= MAX_TRIES:
        return PinStatus(PinState.LOCKED, 0)
    return PinStatus(PinState.SET, max(MAX_TRIES - failed_attempts, 0))


# Every protected USSD screen asks this: one prebuilt Core statement by the person's ref
# (an unknown ref gives no row; a person without a PIN row gives NULLs).
STATUS_BY_REF = (
    sa.select(Beneficiary.id, BeneficiaryPin.pin_hash.is_not(None).label("has_pin"),
              BeneficiaryPin.locked_at.is_not(None).label("locked"),
              BeneficiaryPin.failed_attempts)
    .select_from(sa.outerjoin(Beneficiary, BeneficiaryPin,
                              BeneficiaryPin.beneficiary_id == Beneficiary.id))
    .where(Beneficiary.ref == sa.bindparam("ref")))


def pin_status(session: Session, beneficiary_id: int) -> PinStatus:
    """Tell whether the beneficiary has a PIN, and how many wrong tries are left."""
    row = _row(session, beneficiary_id)
    if row is None:
        return PinStatus(PinState.NOT_SET, 0)
    return status_of(row.pin_hash is not None, row.locked_at is not None, row.failed_attempts)


def _row_for_update(session: Session, beneficiary_id: int) -> BeneficiaryPin:
    """Return the beneficiary's row, creating it (once, even when two sessions race)."""
    row = session.scalar(
        sa.select(BeneficiaryPin).where(BeneficiaryPin.beneficiary_id == beneficiary_id)
        .with_for_update())
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = BeneficiaryPin(beneficiary_id=beneficiary_id, failed_attempts=0)
            session.add(row)
    except IntegrityError:  # another session created it first
        row = session.scalars(
            sa.select(BeneficiaryPin).where(BeneficiaryPin.beneficiary_id == beneficiary_id)
            .with_for_update()).one()
    return row


def choose_pin(session: Session, beneficiary_id: int, pin: str,
               personal: Iterable[str] = ()) -> PinChange:
    """Take the first entry of a new PIN: refuse a guessable one, else keep its hash a while.

    Args:
        session: the transaction to write in.
        beneficiary_id: whose PIN.
        pin: the PIN as typed (4 digits); not kept.
        personal: 4-digit strings the beneficiary must not use (birth year, ...).

    Returns:
        ACCEPTED, WEAK, or ALREADY_SET when a PIN exists (or is locked) already.
    """
    row = _row_for_update(session, beneficiary_id)
    if row.pin_hash is not None:
        return PinChange.ALREADY_SET
    try:
        row.pending_hash = hash_pin(pin, personal=personal)
    except WeakPinError:
        return PinChange.WEAK
    row.pending_at = row.updated_at = utcnow()
    return PinChange.ACCEPTED


def repeat_pin(session: Session, beneficiary_id: int, pin: str, *, actor: str,
               subject_ref: str, now: datetime | None = None) -> PinChange:
    """Take the repeated PIN: save the waiting hash when it matches, audited.

    Returns:
        SAVED; MISMATCH (the first entry is dropped); EXPIRED when no first entry waits;
        ALREADY_SET when a PIN was saved meanwhile.
    """
    row = _row_for_update(session, beneficiary_id)
    if row.pin_hash is not None:
        return PinChange.ALREADY_SET
    pending, row.pending_hash = row.pending_hash, None
    started, row.pending_at = row.pending_at, None
    row.updated_at = now or utcnow()
    if pending is None or started is None or (
            row.updated_at - started > timedelta(seconds=PENDING_SECONDS)):
        return PinChange.EXPIRED
    if not pin_matches(pin, pending):
        return PinChange.MISMATCH
    row.pin_hash, row.set_at = pending, row.updated_at
    row.failed_attempts, row.locked_at = 0, None
    record(session, actor=actor, action="pin.set", subject_type="beneficiary",
           subject_id=subject_ref, before={"pin": PinState.NOT_SET.value},
           after={"pin": PinState.SET.value})
    return PinChange.SAVED


def reserve_try(session: Session, beneficiary_id: int) -> str | None:
    """Count one try before the PIN is compared; return the hash to compare, or None if locked.

    Commit this on its own before comparing: a crash after it leaves the try counted.
    """
    counted = session.execute(
        sa.update(BeneficiaryPin)
        .where(_T.beneficiary_id == beneficiary_id, _T.pin_hash.is_not(None),
               _T.locked_at.is_(None), _T.failed_attempts < MAX_TRIES)
        .values(failed_attempts=_T.failed_attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if counted.rowcount != 1:
        return None
    return session.scalar(sa.select(_T.pin_hash).where(_T.beneficiary_id == beneficiary_id))


def settle_try(session: Session, beneficiary_id: int, checked_hash: str, ok: bool, *,
               actor: str, subject_ref: str) -> bool:
    """Settle a reserved try: clear the count when right, lock (audited) at the last wrong one.

    Returns:
        True when the PIN was right and still stands (not reset or locked meanwhile).
    """
    now = utcnow()
    if ok:
        cleared = session.execute(
            sa.update(BeneficiaryPin)
            .where(_T.beneficiary_id == beneficiary_id, _T.pin_hash == checked_hash,
                   _T.locked_at.is_(None))
            .values(failed_attempts=0, updated_at=now)
            .execution_options(synchronize_session=False))
        return cleared.rowcount == 1
    locked = session.execute(
        sa.update(BeneficiaryPin)
        .where(_T.beneficiary_id == beneficiary_id, _T.locked_at.is_(None),
               _T.failed_attempts >= MAX_TRIES)
        .values(locked_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    if locked.rowcount == 1:
        record(session, actor=actor, action="pin.lock", subject_type="beneficiary",
               subject_id=subject_ref, before={"pin": PinState.SET.value},
               after={"pin": PinState.LOCKED.value}, detail={"failed_attempts": MAX_TRIES})
    return False


def reset_pin(session: Session, beneficiary: Beneficiary, *, actor: str) -> ResetOutcome:
    """Clear a beneficiary's PIN and lock so they choose a new PIN at the next use; audited.

    Resetting a beneficiary with nothing to clear changes nothing and records nothing.
    """
    row = session.scalar(
        sa.select(BeneficiaryPin).where(BeneficiaryPin.beneficiary_id == beneficiary.id)
        .with_for_update())
    previous = _state(row)
    if row is None or (row.pin_hash is None and row.pending_hash is None
                       and row.failed_attempts == 0 and row.locked_at is None):
        return ResetOutcome(False, previous)
    failed = row.failed_attempts
    now = utcnow()
    row.pin_hash = row.pending_hash = row.pending_at = row.locked_at = None
    row.failed_attempts = 0
    row.reset_at, row.reset_by, row.updated_at = now, actor[:64], now
    # Who, whom and when; states and a count only, never a PIN or a hash.
    record(session, actor=actor, action="pin.reset", subject_type="beneficiary",
           subject_id=beneficiary.ref, before={"pin": previous.value, "failed_attempts": failed},
           after={"pin": PinState.NOT_SET.value},
           detail={"previous": previous.value, "failed_attempts": failed})
    return ResetOutcome(True, previous)


def describe(session: Session, beneficiary: Beneficiary) -> dict[str, object]:
    """Return a beneficiary's PIN state for officers: dates and counts, never a hash."""
    row = _row(session, beneficiary.id)
    status = pin_status(session, beneficiary.id)
    return {
        "beneficiary": beneficiary.ref,
        "state": status.state.value,
        "failed_attempts": row.failed_attempts if row else 0,
        "tries_left": status.tries_left,
        "set_at": row.set_at if row else None,
        "locked_at": row.locked_at if row else None,
        "reset_at": row.reset_at if row else None,
        "reset_by": row.reset_by if row else None,
    }
