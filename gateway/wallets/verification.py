"""Prove a wallet link by a one-time code sent by SMS to the wallet's phone.

``start_verification`` issues a code (purpose ``wallet-link``) and queues it by SMS to the
WALLET phone, which may be a representative's rather than the beneficiary's own; typing the
code back (USSD menu 5, SMS ``XT <code>``) proves possession of that phone. ``confirm`` marks
the link verified, audits it, and in the same transaction moves the link's held payments back
to ready with a ``payments.released`` outbox event, so the relay sends them at once.

The code is bound to the link and to its current phone (the subject is the link's ref plus
a prefix of the phone's blind index): a code sent to an old number cannot verify the link once
its phone changed. Codes never reach a log line or the database in the clear: the SMS row
holds the text sealed and the sender scrubs it after sending (see gateway.channels.outbound).

A recent SIM change on the wallet phone (the configured SimSwapCheck, if any) blocks sending
and accepting codes: whoever holds a freshly swapped SIM would receive them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.audit.chain import record
from gateway.channels.language import PhoneLanguage
from gateway.channels.models import SmsKind
from gateway.channels.outbound import stage_sms
from gateway.clock import utcnow
from gateway.outbox import Topic, emit
from gateway.payroll.models import Cycle, CycleState, Payment, PaymentState
from gateway.payroll.payments import Change, transition_batch
from gateway.pii.codec import PiiCodec
from gateway.registry.models import WalletLink
from gateway.wallets.simswap import SimSwapUnavailable
from otp import CodeStatus, IssueStatus, OneTimeCodes, SimSwapCheck
from ussd_menus import catalogs

log = logging.getLogger(__name__)

PURPOSE = "wallet-link"
RELEASE_TOPIC = Topic.PAYMENTS_RELEASED.value


class StartStatus(str, Enum):
    """What asking for a code did."""

    SENT = "sent"
    ALREADY_VERIFIED = "already_verified"
    NO_LINK = "no_link"
    COOLDOWN = "cooldown"  # a code was sent moments ago
    PHONE_LIMITED = "phone_limited"  # the phone got too many codes this hour
    THROTTLED = "throttled"  # too many wrong answers for this link lately
    SIM_SWAP = "sim_swap"  # the wallet phone's SIM changed recently: no code by SMS
    CHECK_UNAVAILABLE = "check_unavailable"  # the SIM-swap check could not answer


class ConfirmStatus(str, Enum):
    """How presenting a code ended."""

    VERIFIED = "verified"
    ALREADY_VERIFIED = "already_verified"
    NO_LINK = "no_link"
    WRONG = "wrong"
    # No code waits for this link and phone: never sent, expired, used, or issued for
    # another purpose or an earlier phone (deliberately one answer for all of these).
    EXPIRED = "expired"
    LOCKED = "locked"  # too many wrong answers: a new code must be sent
    THROTTLED = "throttled"
    SIM_SWAP = "sim_swap"
    CHECK_UNAVAILABLE = "check_unavailable"


@dataclass(frozen=True)
class StartResult:
    """Outcome of ``start_verification``; ``retry_after`` in seconds when refused."""

    status: StartStatus
    retry_after: int | None = None
    sms_id: int | None = None

    @property
    def ok(self) -> bool:
        """Say whether a code was sent."""
        return self.status is StartStatus.SENT


@dataclass(frozen=True)
class ConfirmResult:
    """Outcome of ``confirm``; ``released`` counts held payments moved back to ready."""

    status: ConfirmStatus
    attempts_left: int | None = None
    released: int = 0

    @property
    def ok(self) -> bool:
        """Say whether the link is now verified by this code."""
        return self.status is ConfirmStatus.VERIFIED


_ISSUE = {
    IssueStatus.COOLDOWN: StartStatus.COOLDOWN,
    IssueStatus.PHONE_LIMITED: StartStatus.PHONE_LIMITED,
    IssueStatus.THROTTLED: StartStatus.THROTTLED,
}
_VERIFY = {
    CodeStatus.WRONG: ConfirmStatus.WRONG,
    CodeStatus.EXPIRED_OR_UNKNOWN: ConfirmStatus.EXPIRED,
    CodeStatus.LOCKED: ConfirmStatus.LOCKED,
    CodeStatus.THROTTLED: ConfirmStatus.THROTTLED,
}


def subject(link: WalletLink) -> str:
    """Name what a code proves: this link with this phone."""
    return f"{link.ref}.{link.phone_bidx[:12]}"


def find_link(session: Session, link_ref: str) -> WalletLink | None:
    """Return the wallet link with this ref, or None."""
    return session.scalar(sa.select(WalletLink).where(WalletLink.ref == link_ref))


class WalletVerification:
    """Send wallet codes and accept them back; one per app, shared by every door."""

    def __init__(self, codec: PiiCodec, codes: OneTimeCodes, *,
                 redis_client: redis.Redis | None = None, sim_swap: SimSwapCheck | None = None,
                 sim_swap_max_age_hours: int = 72) -> None:
        """Use ``codes`` for the codes and ``sim_swap`` (None: none configured) before them."""
        self.codec = codec
        self.codes = codes
        self.redis = redis_client
        self.sim_swap = sim_swap
        self.max_age_hours = sim_swap_max_age_hours

    # -- sending ------------------------------------------------------------------------

    def start_verification(self, session: Session, link: WalletLink, *,
                           actor: str) -> StartResult:
        """Issue a code for ``link`` and queue it by SMS to the wallet phone (in ``session``).

        Args:
            session: The caller's transaction; the SMS row and the audit event join it.
            link: The wallet link to verify.
            actor: Who asked (``ussd:beneficiary``, ``apikey:alice``, ``system:wallet-change``).
        """
        if link.verified:
            return StartResult(StartStatus.ALREADY_VERIFIED)
        phone = self.codec.open("wallet_link", "phone", link.ref, link.phone_enc)
        blocked = self._sim_swap_block(session, link, phone, actor)
        if blocked is not None:
            return StartResult(StartStatus(blocked.value))
        issued = self.codes.issue(PURPOSE, subject(link), link.phone_bidx)
        if not issued.ok or issued.code is None:
            return StartResult(_ISSUE[issued.status], retry_after=issued.retry_after)
        minutes = max(1, self.codes.policy.ttl_seconds // 60)
        body = catalogs.text(self._language(phone), "sms.otp", code=issued.code, minutes=minutes)
        sms_id = stage_sms(session, self.codec, phone, body, SmsKind.OTP)
        record(session, actor=actor, action="wallet_link.code_sent", subject_type="wallet_link",
               subject_id=link.ref, detail={"purpose": PURPOSE, "sms": sms_id})
        return StartResult(StartStatus.SENT, sms_id=sms_id)

    def pending(self, link: WalletLink) -> bool:
        """Tell whether a code for the link's current phone waits to be typed."""
        return self.codes.outstanding(PURPOSE, subject(link))

    # -- confirming ---------------------------------------------------------------------

    def confirm(self, session: Session, link_ref: str, code: str, *,
                actor: str) -> ConfirmResult:
        """Check ``code`` for the link; on success verify it and release its held payments.

        Args:
            session: The caller's transaction: the link, its payments and the audit change
                together, or not at all.
            link_ref: The wallet link's ref.
            code: The code as typed; it goes to the verifier and nowhere else.
            actor: Who typed it (``ussd:beneficiary``, ``sms:beneficiary``).
        """
        link = session.scalar(sa.select(WalletLink).where(WalletLink.ref == link_ref)
                              .with_for_update())
        if link is None:
            return ConfirmResult(ConfirmStatus.NO_LINK)
        if link.verified:
            return ConfirmResult(ConfirmStatus.ALREADY_VERIFIED)
        phone = self.codec.open("wallet_link", "phone", link.ref, link.phone_enc)
        blocked = self._sim_swap_block(session, link, phone, actor)
        if blocked is not None:
            return ConfirmResult(ConfirmStatus(blocked.value))
        checked = self.codes.verify(PURPOSE, subject(link), code)
        if not checked.ok:
            return ConfirmResult(_VERIFY[checked.status], attempts_left=checked.attempts_left)
        now = utcnow()
        link.verified, link.verified_at, link.updated_at = True, now, now
        released = release_held(session, link)
        record(session, actor=actor, action="wallet_link.verify", subject_type="wallet_link",
               subject_id=link.ref, before={"verified": False}, after={"verified": True},
               detail={"method": "sms_code", "released_payments": released})
        return ConfirmResult(ConfirmStatus.VERIFIED, released=released)

    # -- helpers ------------------------------------------------------------------------

    def _sim_swap_block(self, session: Session, link: WalletLink, phone: str,
                        actor: str) -> StartStatus | None:
        """Return why a recent SIM change (or no answer about one) stops codes, else None."""
        if self.sim_swap is None:
            return None
        try:
            swapped = self.sim_swap.check(phone, self.max_age_hours).swapped
        except SimSwapUnavailable as exc:
            log.warning("wallet code refused: %s", exc)
            return StartStatus.CHECK_UNAVAILABLE
        if not swapped:
            return None
        self.codes.revoke(PURPOSE, subject(link))
        record(session, actor=actor, action="wallet_link.code_blocked",
               subject_type="wallet_link", subject_id=link.ref,
               detail={"reason": "sim_swap", "max_age_hours": self.max_age_hours})
        return StartStatus.SIM_SWAP

    def _language(self, phone: str) -> str:
        """Return the language the wallet phone chose in the menus (default unaccented)."""
        if self.redis is None:
            return catalogs.DEFAULT_LANGUAGE
        try:
            lang = PhoneLanguage(self.codec, self.redis).get(phone)
        except redis.RedisError:
            return catalogs.DEFAULT_LANGUAGE
        return catalogs.normalise_language(lang)


def release_held(session: Session, link: WalletLink) -> int:
    """Move the link's held payments of released cycles back to ready and announce them.

    Only payments made out to the link's current phone, and only when no flag asks for an
    officer's review. The ``payments.released`` events let the relay enqueue them now instead
    of at the sweeper's next pass. Returns how many moved.
    """
    if link.flag or not link.verified:
        return 0
    P, C = Payment.__table__, Cycle.__table__
    rows = session.execute(
        sa.select(P.c.id, P.c.cycle_id).join(C, C.c.id == P.c.cycle_id)
        .where(P.c.wallet_link_id == link.id, P.c.state == PaymentState.HELD.value,
               P.c.phone_bidx == link.phone_bidx, C.c.state == CycleState.RELEASED.value)
        .order_by(P.c.id)).all()
    if not rows:
        return 0
    cycle_of = {pid: cid for pid, cid in rows}
    moved = transition_batch(session, PaymentState.READY,
                             [Change(pid, reason="wallet verified") for pid, _ in rows])
    by_cycle: dict[int, list[int]] = defaultdict(list)
    for pid in moved:
        by_cycle[cycle_of[pid]].append(pid)
    emit(session, RELEASE_TOPIC, [{"cycle_id": cid, "payment_ids": ids}
                                  for cid, ids in by_cycle.items()])
    return len(moved)
