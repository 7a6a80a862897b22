"""Approvers' authenticator apps (TOTP, RFC 6238): enrol, confirm, remove, and check a code.

An approver enrols an authenticator app (it scans a QR code of the ``otpauth://`` URI); the
enrolment becomes active only after a first valid code proves the app holds the secret. From
then on, approving and releasing a cycle need a current code from that app, and each time
step's code is accepted once: the newest accepted step is kept per approver and moved forward
with a conditional ``UPDATE ... WHERE last_used_step < :step`` in the approval's own
transaction, so two approvals presenting the same code cannot both pass, and a code spent on
an approval that then fails (say, for want of funds) is not spent.

Wrong and replayed codes are counted per approver; after ``MAX_FAILURES`` within
``FAILURE_WINDOW`` no code is checked until the window has passed (RFC 4226 §7.3). The secret
is stored encrypted with the personal-data keyring (AES-GCM bound to the row) and is shown
only once, at enrolment. Neither the secret nor a code is ever logged or audited.

The policy (setting ``APPROVER_TOTP``) says who must give a code: ``required`` (every
approver; one who has not enrolled is refused), ``enrolled`` (only approvers with an active
enrolment) or ``off``.
"""

from __future__ import annotations

import io
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import segno
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.approvers.models import ApproverTotp
from gateway.audit.chain import record
from gateway.errors import DomainError, Forbidden, InvalidRequest, NotFound
from gateway.pii.codec import PiiCodec
from otp.totp import (
    ISSUER,
    TOTP_DIGITS,
    TOTP_PERIOD_SECONDS,
    decode_secret,
    encode_secret,
    generate_secret,
    match_totp,
    provisioning_uri,
)

log = logging.getLogger(__name__)

MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
MAX_ACTOR_LENGTH = 64
_TABLE, _COLUMN = "approver_totp", "secret"


class TotpPolicy(StrEnum):
    """Who must give a TOTP code to approve or release a cycle."""

    REQUIRED = "required"  # every approver, enrolled or not (production default)
    ENROLLED = "enrolled"  # approvers who have an active enrolment
    OFF = "off"  # nobody


# --- errors -----------------------------------------------------------------------------

class TotpRefused(Forbidden):
    """The approver's second factor is missing or wrong; nothing was approved or released."""

    code = "totp_refused"


class TotpNotEnrolled(TotpRefused):
    """The policy requires a TOTP, but this approver has no active enrolment."""

    code = "totp_not_enrolled"


class TotpRequired(TotpRefused):
    """The approver has an authenticator but gave no code."""

    code = "totp_required"


class TotpInvalid(TotpRefused):
    """The code does not match the approver's authenticator now."""

    code = "totp_invalid"


class TotpReplayed(TotpRefused):
    """The code's time step was already used; wait for the next code."""

    code = "totp_replayed"


class TotpLocked(TotpRefused):
    """Too many wrong codes recently; no code is checked until the window has passed."""

    code = "totp_locked"


class AlreadyEnrolled(DomainError):
    """An active enrolment exists; it must be removed before another is made."""

    code = "totp_already_enrolled"


# --- values -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SecondFactor:
    """What an approver presents with a step, and how to check it.

    The default (no code, policy ``enrolled``, no codec) lets an approver who never enrolled
    through and refuses one who did: a caller that forgets to pass the approver's code can
    never skip an enrolled approver's authenticator.
    """

    code: str | None = None
    policy: TotpPolicy = TotpPolicy.ENROLLED
    codec: PiiCodec | None = None
    now: float | None = None  # Unix time; None = the clock's


@dataclass(frozen=True, slots=True)
class NewEnrolment:
    """A fresh (unconfirmed) enrolment: the secret is here once and never again."""

    actor: str
    secret: str  # base32, for typing into an app by hand
    uri: str  # otpauth:// provisioning URI, what the QR code holds
    digits: int = TOTP_DIGITS
    period: int = TOTP_PERIOD_SECONDS
    issuer: str = ISSUER

    def qr_svg(self) -> str:
        """Return the QR code as an inline SVG document."""
        return qr_svg(self.uri)

    def qr_text(self) -> str:
        """Return the QR code drawn with Unicode blocks, for a terminal."""
        return qr_text(self.uri)


def qr_svg(uri: str) -> str:
    """Render a provisioning URI as an SVG QR code (dark modules on white, scannable)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def qr_text(uri: str) -> str:
    """Render a provisioning URI as a QR code of Unicode half blocks, for a terminal."""
    out = io.StringIO()
    segno.make(uri, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def clock() -> float:
    """Return the current Unix time (tests replace it to run codes at a chosen time)."""
    return time.time()


def _stamp(at: float) -> datetime:
    """Return a Unix time as the naive UTC datetime the database stores."""
    return datetime.fromtimestamp(at, UTC).replace(tzinfo=None)


def check_actor(actor: str) -> str:
    """Return a usable actor identity (trimmed).

    Raises:
        InvalidRequest: empty or longer than the audit trail can record.
    """
    actor = actor.strip()
    if not actor or len(actor) > MAX_ACTOR_LENGTH or not actor.isprintable():
        raise InvalidRequest(
            f"an approver identity is 1-{MAX_ACTOR_LENGTH} printable characters, "
            "e.g. apikey:lan or cli:minh",
            f"Danh tính người duyệt dài 1-{MAX_ACTOR_LENGTH} ký tự, ví dụ apikey:lan.")
    return actor


# --- enrolment --------------------------------------------------------------------------

def find(session: Session, actor: str) -> ApproverTotp | None:
    """Return an actor's enrolment (active or not), or None."""
    return session.scalar(sa.select(ApproverTotp).where(ApproverTotp.actor == actor))


def enrolments(session: Session) -> list[ApproverTotp]:
    """Return every enrolment, by actor."""
    return list(session.scalars(sa.select(ApproverTotp).order_by(ApproverTotp.actor)))


def enrol(session: Session, codec: PiiCodec, actor: str, *, by: str) -> NewEnrolment:
    """Give ``actor`` a new authenticator secret, pending until a first valid code.

    An unconfirmed enrolment is replaced (a QR code lost before it was scanned); an active
    one is refused, so a stolen API key cannot swap in its own authenticator.

    Args:
        session: The transaction to write in.
        codec: Encrypts the secret.
        actor: The approver identity, e.g. ``apikey:lan``.
        by: Who asks (recorded in the audit trail); the actor itself through the API.

    Raises:
        InvalidRequest: the identity is malformed.
        AlreadyEnrolled: the actor has an active enrolment.
    """
    actor = check_actor(actor)
    row = find(session, actor)
    if row is not None and row.active:
        raise AlreadyEnrolled(
            f"{actor} already has an active authenticator; an operator must remove it "
            "(gateway approver remove) before a new one is enrolled",
            f"{actor} đã có ứng dụng xác thực; quản trị viên phải gỡ bỏ trước khi đăng ký lại.")
    secret = generate_secret()
    encoded = encode_secret(secret)
    if row is None:
        row = ApproverTotp(actor=actor)
        session.add(row)
    # A new ref per secret: the old ciphertext cannot be made to stand for the new one.
    row.ref = secrets.token_hex(8)
    row.secret_enc = codec.seal(_TABLE, _COLUMN, row.ref, encoded)
    row.enrolled_at, row.enrolled_by = _stamp(clock()), by
    row.confirmed_at = row.last_used_step = row.last_used_at = row.last_failure_at = None
    row.failures = 0
    session.flush()
    record(session, actor=by, action="approver.totp_enrol", subject_type="approver",
           subject_id=actor, after={"state": "pending"})
    return NewEnrolment(actor=actor, secret=encoded, uri=provisioning_uri(secret, actor))


def confirm(session: Session, codec: PiiCodec, actor: str, code: str,
            *, now: float | None = None) -> ApproverTotp:
    """Activate ``actor``'s pending enrolment with a first valid code from the app.

    The code's time step counts as used: it cannot then approve anything.

    Raises:
        NotFound: the actor has no enrolment.
        AlreadyEnrolled: the enrolment is already active.
        TotpLocked, TotpInvalid, TotpReplayed: the code was not accepted (counted, committed).
    """
    actor = check_actor(actor)
    row = find(session, actor)
    if row is None:
        raise NotFound(f"{actor} has no authenticator enrolment; enrol first",
                       f"{actor} chưa đăng ký ứng dụng xác thực.")
    if row.active:
        raise AlreadyEnrolled(f"{actor}'s authenticator is already active",
                              f"Ứng dụng xác thực của {actor} đã được kích hoạt.")
    at = clock() if now is None else now
    _accept(session, codec, row, code, at, pending=True)
    row.confirmed_at = _stamp(at)
    record(session, actor=actor, action="approver.totp_confirm", subject_type="approver",
           subject_id=actor, before={"state": "pending"}, after={"state": "active"})
    return row


def remove(session: Session, actor: str, *, by: str) -> ApproverTotp:
    """Delete ``actor``'s enrolment (a lost phone); under ``required`` they must enrol again.

    Raises:
        NotFound: the actor has no enrolment.
    """
    actor = check_actor(actor)
    row = find(session, actor)
    if row is None:
        raise NotFound(f"{actor} has no authenticator enrolment",
                       f"{actor} chưa đăng ký ứng dụng xác thực.")
    before = {"state": "active" if row.active else "pending"}
    session.delete(row)
    session.flush()
    record(session, actor=by, action="approver.totp_remove", subject_type="approver",
           subject_id=actor, before=before, after={"state": "removed"})
    return row


# --- the check at approval ----------------------------------------------------------------

def check_second_factor(session: Session, actor: str, factor: SecondFactor | None) -> str:
    """Check the approver's second factor for a step, in the step's transaction.

    Call it after the step's own checks and before it changes anything: on a wrong or
    replayed code the failure count is committed (with nothing else: the step has written
    only its lock) before the refusal is raised, so throttling survives the rollback.

    Returns:
        ``"totp"`` when a code was verified and its step spent, ``"none"`` when the policy
        asks for no code from this approver.

    Raises:
        TotpNotEnrolled, TotpRequired, TotpLocked, TotpInvalid, TotpReplayed.
    """
    factor = factor or SecondFactor()
    if factor.policy is TotpPolicy.OFF:
        return "none"
    row = find(session, actor)
    if row is None or not row.active:
        if factor.policy is TotpPolicy.REQUIRED:
            raise TotpNotEnrolled(
                f"{actor} must enrol an authenticator app before approving or releasing "
                "(gateway approver enrol, or POST /api/v1/approver/totp)",
                f"{actor} phải đăng ký ứng dụng xác thực (TOTP) trước khi phê duyệt.")
        return "none"
    if not factor.code:
        raise TotpRequired(
            f"{actor} has an authenticator: give its current 6-digit code (totp)",
            f"{actor} cần nhập mã 6 số hiện tại của ứng dụng xác thực.")
    if factor.codec is None:
        raise RuntimeError("a TOTP code was given without the codec to check it")
    at = clock() if factor.now is None else factor.now
    _accept(session, factor.codec, row, factor.code, at, pending=False)
    return "totp"


def _accept(session: Session, codec: PiiCodec, row: ApproverTotp, code: str, at: float,
            *, pending: bool) -> int:
    """Spend ``code``'s time step for ``row`` or count a failure and refuse.

    Raises:
        TotpLocked, TotpInvalid, TotpReplayed.
    """
    now = _stamp(at)
    if (row.failures >= MAX_FAILURES and row.last_failure_at is not None
            and now - row.last_failure_at < FAILURE_WINDOW):
        raise TotpLocked(
            f"too many wrong codes for {row.actor}; try again in "
            f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes",
            f"Nhập sai mã quá nhiều lần; thử lại sau "
            f"{int(FAILURE_WINDOW.total_seconds() // 60)} phút.")
    secret = decode_secret(codec.open(_TABLE, _COLUMN, row.ref, row.secret_enc))
    step = match_totp(secret, code, now=at)
    if step is not None:
        t = ApproverTotp.__table__
        confirmed = t.c.confirmed_at.is_(None) if pending else t.c.confirmed_at.is_not(None)
        # The comparison and the write are one statement: of two transactions presenting the
        # same step, the second finds the row already moved on (or waits for it) and fails.
        spent = session.execute(
            t.update()
            .where(t.c.id == row.id, t.c.ref == row.ref, confirmed,
                   sa.or_(t.c.last_used_step.is_(None), t.c.last_used_step < step))
            .values(last_used_step=step, last_used_at=now, failures=0, last_failure_at=None))
        if spent.rowcount == 1:  # type: ignore[attr-defined]
            session.refresh(row)
            return step
    _count_failure(session, row, now)
    if step is not None:
        raise TotpReplayed(
            f"this code was already used by {row.actor}; wait for the next code",
            "Mã này đã được dùng; hãy chờ mã tiếp theo.")
    raise TotpInvalid(f"wrong or expired authenticator code for {row.actor}",
                      "Mã xác thực không đúng hoặc đã hết hạn.")


def _count_failure(session: Session, row: ApproverTotp, now: datetime) -> None:
    """Count one wrong or replayed code and commit it, so the refusal's rollback keeps it."""
    t = ApproverTotp.__table__
    fresh = sa.and_(t.c.last_failure_at.is_not(None), t.c.last_failure_at > now - FAILURE_WINDOW)
    session.execute(
        t.update().where(t.c.id == row.id)
        .values(failures=sa.case((fresh, t.c.failures + 1), else_=1), last_failure_at=now))
    session.commit()
    session.refresh(row)
    if row.failures == MAX_FAILURES:
        log.warning("approver TOTP locked for %s after %d wrong codes", row.actor, row.failures)


def describe(row: ApproverTotp) -> dict[str, object]:
    """Return an enrolment as JSON-ready data, never with its secret."""
    def iso(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    return {"actor": row.actor, "state": "active" if row.active else "pending",
            "enrolled_at": iso(row.enrolled_at), "enrolled_by": row.enrolled_by,
            "confirmed_at": iso(row.confirmed_at), "last_used_at": iso(row.last_used_at),
            "failures": row.failures}
