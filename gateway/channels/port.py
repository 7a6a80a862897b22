"""Implement the menus' ``Port`` on the database: what a caller may see and the actions they take.

Every method opens its own short session: a hop's reads see committed data, and an action
(confirm, complain, queue an SMS) commits on its own, so a later failure in the same hop
cannot undo it. An inbound SMS is the exception: :meth:`DbPort.within` lends the port the
transaction that also marks the message answered, so filing and answering commit together.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from typing import Any, Protocol

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.audit.chain import record
from gateway.channels.language import PhoneLanguage
from gateway.channels.language import parse as parse_language
from gateway.channels.models import SmsKind
from gateway.channels.outbound import stage_sms
from gateway.complaints.filing import file_complaint
from gateway.db import Database, FastRead
from gateway.payroll.cycles import load_rulebook
from gateway.payroll.models import Cycle, Payment, PaymentState, Program
from gateway.payroll.payments import transition
from gateway.payroll.rules import Enrolled, NoRule
from gateway.pii.codec import PiiCodec
from gateway.pii.mask import mask_name, mask_phone
from gateway.pins import service as pins
from gateway.registry.lookup import phone_owners
from gateway.registry.models import Beneficiary, BeneficiaryStatus, Enrolment, WalletLink
from otp.pin import verify_pin as pin_matches
from ussd_menus.port import (
    CodeResult,
    CodeSend,
    ConfirmResult,
    Entitlement,
    PaymentLine,
    PaymentStatus,
    Person,
    PinChange,
    PinState,
    PinStatus,
    ProblemKind,
    WalletStatus,
)

MAX_PEOPLE = 20

# Payroll program codes whose catalog entry has another name.
PROGRAMME_CODES = {"TGXH_THANG": "TGXH_HANG_THANG"}

# Money states as the beneficiary is told them: "ready" is still waiting to them.
_STATUS = {
    PaymentState.PENDING.value: PaymentStatus.PENDING,
    PaymentState.READY.value: PaymentStatus.PENDING,
    PaymentState.HELD.value: PaymentStatus.HELD,
    PaymentState.SENDING.value: PaymentStatus.SENDING,
    PaymentState.ACCEPTED.value: PaymentStatus.ACCEPTED,
    PaymentState.UNKNOWN.value: PaymentStatus.UNKNOWN,
    PaymentState.SUCCEEDED.value: PaymentStatus.SUCCEEDED,
    PaymentState.FAILED.value: PaymentStatus.FAILED,
    PaymentState.CONFIRMED.value: PaymentStatus.CONFIRMED,
}
_PAID = (PaymentState.SUCCEEDED.value, PaymentState.CONFIRMED.value)
_PROVIDER_NAMES = {
    "viettelmoney": "Viettel Money", "vnptmoney": "VNPT Money", "mobifonemoney": "MobiFone Money",
    "momo": "MoMo", "zalopay": "ZaloPay", "sandbox": "Sandbox",
}
# How the wallet verification service's outcomes (gateway.wallets.verification's
# ConfirmStatus and StartStatus values) reach the menus.
_CONFIRMED = {
    "verified": CodeResult.OK,
    "already_verified": CodeResult.OK,
    "wrong": CodeResult.WRONG,
    "expired": CodeResult.EXPIRED,
    "locked": CodeResult.LOCKED,
    "throttled": CodeResult.LOCKED,
    "sim_swap": CodeResult.SIM_SWAP,
}
_SENT = {
    "sent": CodeSend.SENT,
    "already_verified": CodeSend.ALREADY_VERIFIED,
    "no_link": CodeSend.NO_WALLET,
    "cooldown": CodeSend.WAIT,
    "phone_limited": CodeSend.TOO_MANY,
    "throttled": CodeSend.TOO_MANY,
    "sim_swap": CodeSend.SIM_SWAP,
    "check_unavailable": CodeSend.NOT_AVAILABLE,
}


class WalletCodes(Protocol):
    """The wallet verification service the port is given (gateway.wallets.verification).

    Injected rather than imported: the wallets room already uses the channels' SMS queue.
    """

    def confirm(self, session: Session, link_ref: str, code: str, *, actor: str) -> Any:
        """Check a typed code; the result's ``status`` is a ConfirmStatus."""
        ...

    def pending(self, link: WalletLink) -> bool:
        """Tell whether a code for the link's current phone waits to be typed."""
        ...

    def start_verification(self, session: Session, link: WalletLink, *, actor: str) -> Any:
        """Send a fresh code; the result's ``status`` is a StartStatus."""
        ...


def _status(result: Any) -> str:
    status = getattr(result, "status", None)
    return str(status.value if isinstance(status, Enum) else status)


# The reads of nearly every USSD session, built once and run on the driver's cursor
# (gateway.db.FastRead): no per-call construction, ORM or SQLAlchemy execution work.

# Everyone this phone may act for (gateway.registry.lookup.phone_owners).
_PEOPLE_BY_PHONE = FastRead(
    sa.select(Beneficiary.ref, Beneficiary.name_enc)
    .where(Beneficiary.id.in_(phone_owners(sa.bindparam("digest"))),
           Beneficiary.status != BeneficiaryStatus.DECEASED.value)
    .order_by(Beneficiary.id).limit(MAX_PEOPLE))
# The entitlement screen ("1"): the latest payment by ref, plain columns, one query.
_LATEST_BY_REF = FastRead(
    sa.select(Program.code, Payment.amount, Cycle.period, Payment.state, Cycle.payment_date)
    .join(Cycle, Cycle.id == Payment.cycle_id)
    .join(Program, Program.id == Cycle.program_id)
    .join(Beneficiary, Beneficiary.id == Payment.beneficiary_id)
    .where(Beneficiary.ref == sa.bindparam("ref"),
           Payment.state != PaymentState.CANCELLED.value)
    .order_by(Cycle.period.desc(), Payment.id.desc()).limit(1))
_PIN_STATUS_BY_REF = FastRead(pins.STATUS_BY_REF)


def _programme(code: str) -> str:
    return PROGRAMME_CODES.get(code, code)


def _paid_on(payment: Payment) -> date | None:
    return payment.final_at.date() if payment.final_at else None


class DbPort:
    """Read beneficiaries' data and record their actions for the USSD menus and SMS keywords."""

    def __init__(self, db: Database, codec: PiiCodec, redis_client: redis.Redis, *,
                 hotline: str = "1900 0000", province_code: str | None = None,
                 channel: str = "ussd", today: date | None = None,
                 wallets: WalletCodes | None = None) -> None:
        """Use ``db`` and ``redis_client``; ``channel`` (ussd|sms) is recorded on actions.

        ``wallets`` verifies wallet links by SMS code; without it codes are NOT_AVAILABLE.
        """
        self._db, self._codec, self._redis = db, codec, redis_client
        self._hotline, self._province = hotline, province_code
        self._channel = channel
        self._today = today
        self._wallets = wallets
        self.languages = PhoneLanguage(codec, redis_client)
        self._primed = threading.local()  # (phone, raw language) prefetched for this hop
        self._lent = threading.local()  # a caller's transaction actions join (within)

    # --- who is calling ------------------------------------------------------------------

    def people_for_phone(self, phone: str) -> list[Person]:
        """List the beneficiaries this E.164 phone may act for (empty when unknown)."""
        digest = self._codec.phone_index(phone)
        rows = _PEOPLE_BY_PHONE.rows(self._db, {"digest": digest})
        return [Person(ref, mask_name(self._codec.open("beneficiary", "name", ref, token)))
                for ref, token in rows]

    @contextmanager
    def primed_language(self, phone: str, raw: object) -> Iterator[None]:
        """Let ``language`` answer for ``phone`` from a value the caller already fetched.

        The USSD callback reads the phone's language in the round trip it makes anyway (rate
        limit and session), so a session's first hop needs no extra one.
        """
        self._primed.value = (phone, raw)
        try:
            yield
        finally:
            self._primed.value = None

    def language(self, phone: str) -> str | None:
        """Give the language code remembered for this phone, or None."""
        primed = getattr(self._primed, "value", None)
        if primed is not None and primed[0] == phone:
            return parse_language(primed[1])
        return self.languages.get(phone)

    @staticmethod
    def language_from(raw: object) -> str | None:
        """Read a language code as Redis returned it; None when there is none or it is unknown."""
        return parse_language(raw)

    def set_language(self, phone: str, lang: str) -> None:
        """Remember the language code chosen on this phone."""
        self._primed.value = None  # what was read before this hop is stale now
        self.languages.set(phone, lang)

    # --- whose transaction an action joins -------------------------------------------

    @contextmanager
    def within(self, session: Session) -> Iterator[None]:
        """Let this thread's actions (confirm, complain, codes, SMS) join ``session``.

        The caller commits or rolls back everything together; used for inbound SMS, whose
        message is marked answered in the same transaction as what it filed.
        """
        self._lent.session = session
        try:
            yield
        finally:
            self._lent.session = None

    @contextmanager
    def _acting(self) -> Iterator[Session]:
        """Give the lent transaction, or a fresh one that commits on its own."""
        lent = getattr(self._lent, "session", None)
        if lent is not None:
            yield lent
            lent.flush()
            return
        with self._db.session() as s:
            yield s

    # --- what they are owed and were paid ---------------------------------------------

    @staticmethod
    def _beneficiary(s: Session, ref: str) -> Beneficiary | None:
        return s.scalar(sa.select(Beneficiary).where(Beneficiary.ref == ref))

    @staticmethod
    def _payments(s: Session, beneficiary_id: int, limit: int,
                  states: tuple[str, ...] | None = None) -> list[tuple[Payment, Cycle, str]]:
        query = (sa.select(Payment, Cycle, Program.code)
                 .join(Cycle, Cycle.id == Payment.cycle_id)
                 .join(Program, Program.id == Cycle.program_id)
                 .where(Payment.beneficiary_id == beneficiary_id,
                        Payment.state != PaymentState.CANCELLED.value))
        if states is not None:
            query = query.where(Payment.state.in_(states))
        query = query.order_by(Cycle.period.desc(), Payment.id.desc()).limit(limit)
        return [(p, c, code) for p, c, code in s.execute(query).all()]

    def entitlement(self, ref: str) -> Entitlement | None:
        """Give the beneficiary's programme, monthly amount and current cycle, or None."""
        found = _LATEST_BY_REF.rows(self._db, {"ref": ref})
        if found:
            code, amount, period, state, payment_date = found[0]
            return Entitlement(_programme(code), amount, period, _STATUS.get(state),
                               payment_date)
        with self._db.sessionmaker() as s:  # not paid yet: price them by the rules
            person = self._beneficiary(s, ref)
            if person is None:
                return None
            amount = self._rule_amount(s, person)
            if amount is None:
                return None
            return Entitlement(_programme("TGXH_THANG"), amount)

    def _rule_amount(self, s: Session, person: Beneficiary) -> int | None:
        """Price the person for this month by the rules, before any cycle paid them."""
        today = self._today or date.today()
        period = date(today.year, today.month, 1)
        enrolments = [Enrolled(e.category, e.start_month, e.end_month, e.children)
                      for e in s.scalars(sa.select(Enrolment)
                                         .where(Enrolment.beneficiary_id == person.id))]
        if not enrolments:
            return None

        def born() -> date:
            return date.fromisoformat(
                self._codec.open("beneficiary", "dob", person.ref, person.dob_enc))

        try:
            priced = load_rulebook(s, self._province).monthly_amount(period, born, enrolments)
        except NoRule:
            return None
        return priced.amount if priced else None

    def history(self, ref: str, limit: int = 6) -> list[PaymentLine]:
        """List the beneficiary's latest payments, newest first."""
        with self._db.sessionmaker() as s:
            person = self._beneficiary(s, ref)
            if person is None:
                return []
            return [PaymentLine(c.period, p.amount, _STATUS.get(p.state, PaymentStatus.PENDING),
                                _paid_on(p) if p.state in _PAID else None)
                    for p, c, _ in self._payments(s, person.id, max(1, min(limit, 24)))]

    def latest_paid(self, ref: str) -> PaymentLine | None:
        """Give the latest payment that reached the wallet (succeeded or confirmed), or None."""
        with self._db.sessionmaker() as s:
            person = self._beneficiary(s, ref)
            found = self._payments(s, person.id, 1, _PAID) if person else []
            if not found:
                return None
            p, c, _ = found[0]
            return PaymentLine(c.period, p.amount, _STATUS[p.state], _paid_on(p))

    # --- actions ------------------------------------------------------------------------

    def confirm_receipt(self, ref: str) -> ConfirmResult:
        """Record that the beneficiary confirms receiving the latest paid payment."""
        with self._acting() as s:
            person = self._beneficiary(s, ref)
            found = self._payments(s, person.id, 1, _PAID) if person else []
            if not found:
                return ConfirmResult.NOTHING_TO_CONFIRM
            payment = found[0][0]
            if payment.state == PaymentState.CONFIRMED.value:
                return ConfirmResult.ALREADY_CONFIRMED
            # A conditional update: a double tap or two channels at once confirm once.
            if not transition(s, payment.id, PaymentState.CONFIRMED):
                return ConfirmResult.ALREADY_CONFIRMED
            record(s, actor=f"{self._channel}:beneficiary", action="payment.confirm",
                   subject_type="payment", subject_id=payment.ref,
                   before={"state": PaymentState.SUCCEEDED.value},
                   after={"state": PaymentState.CONFIRMED.value},
                   detail={"channel": self._channel})
            return ConfirmResult.CONFIRMED

    def report_problem(self, ref: str, kind: ProblemKind, note: str | None) -> str:
        """File a complaint and return its ticket number."""
        with self._acting() as s:
            person = self._beneficiary(s, ref)
            if person is None:
                raise LookupError("no such beneficiary")
            complaint = file_complaint(s, self._codec, beneficiary_id=person.id,
                                       kind=kind.value, note=note, channel=self._channel)
            return complaint.ticket

    def wallet_status(self, ref: str) -> WalletStatus | None:
        """Describe the beneficiary's wallet, or None when none is linked."""
        with self._db.sessionmaker() as s:
            wallet = s.scalar(sa.select(WalletLink).join(Beneficiary)
                              .where(Beneficiary.ref == ref))
            if wallet is None:
                return None
            phone = self._codec.open("wallet_link", "phone", wallet.ref, wallet.phone_enc)
            return WalletStatus(_PROVIDER_NAMES.get(wallet.provider, wallet.provider),
                                mask_phone(phone), wallet.verified)

    # --- wallet verification (gateway.wallets): a code SMSed to the wallet's phone ------

    def _wallet_link(self, s: Session, ref: str) -> WalletLink | None:
        return s.scalar(sa.select(WalletLink).join(Beneficiary).where(Beneficiary.ref == ref))

    def verify_wallet_code(self, ref: str, code: str) -> CodeResult:
        """Check a code sent to the wallet's phone; success verifies the link, frees its money."""
        if self._wallets is None:
            return CodeResult.NOT_AVAILABLE
        with self._acting() as s:
            link = self._wallet_link(s, ref)
            if link is None:
                return CodeResult.NOT_AVAILABLE
            result = self._wallets.confirm(s, link.ref, code,
                                           actor=f"{self._channel}:beneficiary")
        return _CONFIRMED.get(_status(result), CodeResult.NOT_AVAILABLE)

    def wallet_code_pending(self, ref: str) -> bool:
        """Tell whether a code for the wallet's current phone waits to be typed."""
        if self._wallets is None:
            return True  # the prompt then explains that verification is not open
        with self._db.sessionmaker() as s:
            link = self._wallet_link(s, ref)
            return link is not None and self._wallets.pending(link)

    def send_wallet_code(self, ref: str) -> CodeSend:
        """SMS a fresh code to the wallet's phone (which may not be the caller's)."""
        if self._wallets is None:
            return CodeSend.NOT_AVAILABLE
        with self._acting() as s:
            link = self._wallet_link(s, ref)
            if link is None:
                return CodeSend.NO_WALLET
            result = self._wallets.start_verification(
                s, link, actor=f"{self._channel}:beneficiary")
        return _SENT.get(_status(result), CodeSend.NOT_AVAILABLE)

    # --- the PIN (gateway.pins): per beneficiary, chosen at first use ------------------

    def requires_pin(self, ref: str) -> bool:
        """Tell that protected screens always need the PIN step (chosen first, then asked)."""
        return True

    def pin_status(self, ref: str) -> PinStatus:
        """Tell whether the beneficiary has a PIN; an unknown ref is treated as locked."""
        found = _PIN_STATUS_BY_REF.rows(self._db, {"ref": ref})
        if not found:
            return PinStatus(PinState.LOCKED)
        _, has_pin, locked, failed_attempts = found[0]
        return pins.status_of(bool(has_pin), bool(locked), failed_attempts or 0)

    def choose_pin(self, ref: str, pin: str) -> PinChange:
        """Take the first entry of a new PIN, refusing one built from the person's own data."""
        with self._db.session() as s:
            person = self._beneficiary(s, ref)
            if person is None:
                return PinChange.ALREADY_SET  # stale session: nothing to protect any more
            return pins.choose_pin(s, person.id, pin, self._personal_pins(person))

    def repeat_pin(self, ref: str, pin: str) -> PinChange:
        """Take the repeated PIN; saving it is audited as the beneficiary's act."""
        with self._db.session() as s:
            person = self._beneficiary(s, ref)
            if person is None:
                return PinChange.EXPIRED
            return pins.repeat_pin(s, person.id, pin, actor=f"{self._channel}:beneficiary",
                                   subject_ref=ref)

    def verify_pin(self, ref: str, pin: str) -> CodeResult:
        """Check the PIN: the try is counted (committed) before the slow hash is compared."""
        with self._db.session() as s:
            person = self._beneficiary(s, ref)
            if person is None:
                return CodeResult.LOCKED
            person_id = person.id
            stored = pins.reserve_try(s, person_id)
        if stored is None:
            state = self.pin_status(ref).state
            return CodeResult.LOCKED if state is PinState.LOCKED else CodeResult.NOT_AVAILABLE
        right = pin_matches(pin, stored)
        with self._db.session() as s:
            if pins.settle_try(s, person_id, stored, right,
                               actor=f"{self._channel}:beneficiary", subject_ref=ref):
                return CodeResult.OK
            locked = pins.pin_status(s, person_id).state is PinState.LOCKED
        return CodeResult.LOCKED if locked else CodeResult.WRONG

    def _personal_pins(self, person: Beneficiary) -> list[str]:
        """List 4-digit strings too close to the person to be a PIN: birth year, day, phone."""
        born = date.fromisoformat(
            self._codec.open("beneficiary", "dob", person.ref, person.dob_enc))
        phone = self._codec.open("beneficiary", "phone", person.ref, person.phone_enc)
        return [f"{born.year:04d}", f"{born.day:02d}{born.month:02d}",
                f"{born.month:02d}{born.day:02d}", phone[-4:]]

    def send_sms(self, phone: str, text: str) -> None:
        """Queue an SMS to the phone (the ticket after a USSD complaint); never send inline."""
        with self._acting() as s:
            stage_sms(s, self._codec, phone, text, SmsKind.TICKET)

    def hotline(self) -> str:
        """Give the hotline number to print on screens."""
        return self._hotline
