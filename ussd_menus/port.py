"""Define the port that ``gateway/`` implements so the menus can read data and record actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol


class PaymentStatus(StrEnum):
    """Name where one payment stands, as the beneficiary is told it."""

    PENDING = "pending"
    HELD = "held"
    SENDING = "sending"
    ACCEPTED = "accepted"
    UNKNOWN = "unknown"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CONFIRMED = "confirmed"


class ConfirmResult(StrEnum):
    """Tell what happened when the beneficiary confirmed receipt."""

    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    NOTHING_TO_CONFIRM = "nothing_to_confirm"


class ProblemKind(StrEnum):
    """Name the kinds of complaint a beneficiary can file."""

    NOT_RECEIVED = "not_received"
    WRONG_AMOUNT = "wrong_amount"
    WALLET = "wallet"
    OTHER = "other"


class CodeResult(StrEnum):
    """Tell the outcome of checking a PIN or a one-time code."""

    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    NOT_AVAILABLE = "not_available"
    SIM_SWAP = "sim_swap"  # the wallet phone's SIM changed recently: codes are refused


class CodeSend(StrEnum):
    """Tell what asking for a wallet verification code by SMS did."""

    SENT = "sent"
    ALREADY_VERIFIED = "already_verified"
    NO_WALLET = "no_wallet"
    WAIT = "wait"  # a code was sent moments ago
    TOO_MANY = "too_many"  # too many codes or wrong answers lately
    SIM_SWAP = "sim_swap"  # the wallet phone's SIM changed recently: no code by SMS
    NOT_AVAILABLE = "not_available"


class PinState(StrEnum):
    """Say where a beneficiary's PIN stands."""

    NOT_SET = "not_set"  # never chosen, or cleared by an officer: chosen at the next use
    SET = "set"
    LOCKED = "locked"  # too many wrong tries: only an officer's reset opens it again


class PinChange(StrEnum):
    """Tell the outcome of choosing a new PIN (first entry) or repeating it (second entry)."""

    ACCEPTED = "accepted"  # first entry kept, hashed, until it is repeated
    WEAK = "weak"  # too easy to guess (1111, 1234, the birth year, ...)
    MISMATCH = "mismatch"  # the repeat differs from the first entry, which is dropped
    EXPIRED = "expired"  # no first entry is waiting (too slow, or chosen elsewhere)
    SAVED = "saved"  # repeated correctly: the PIN now protects the beneficiary
    ALREADY_SET = "already_set"  # someone set a PIN meanwhile: it must be entered instead


@dataclass(frozen=True)
class PinStatus:
    """Describe a beneficiary's PIN: its state and the wrong tries left before it locks."""

    state: PinState
    tries_left: int = 0


@dataclass(frozen=True)
class Person:
    """Name a beneficiary linked to the calling phone, masked for the screen."""

    ref: str  # opaque id chosen by the gateway; never shown
    masked_name: str  # e.g. "Ng*** V** An"


@dataclass(frozen=True)
class ProgramName:
    """Name a benefit program as its record does; the menus pick the caller's language."""

    vi: str  # accented Vietnamese, e.g. "Trợ cấp xã hội hằng tháng"
    en: str  # English; empty when the record has none (Vietnamese is shown instead)


@dataclass(frozen=True)
class Entitlement:
    """Describe what a beneficiary is owed and where this cycle's payment stands."""

    program: ProgramName
    monthly_amount: int  # đồng
    period: date | None = None  # first day of the current cycle's month (kỳ chi trả)
    status: PaymentStatus | None = None
    payment_date: date | None = None


@dataclass(frozen=True)
class PaymentLine:
    """Describe one payment in a beneficiary's history."""

    period: date  # first day of the month paid for
    amount: int  # đồng
    status: PaymentStatus
    paid_on: date | None = None


@dataclass(frozen=True)
class WalletStatus:
    """Describe the wallet a beneficiary's money goes to, masked for the screen."""

    provider: str  # e.g. "Viettel Money"
    masked_account: str  # e.g. "09******78"
    verified: bool


class Port(Protocol):
    """Read a beneficiary's data and record their actions; implemented by ``gateway/``."""

    def people_for_phone(self, phone: str) -> list[Person]:
        """List the beneficiaries this E.164 phone may act for (empty when unknown)."""
        ...

    def language(self, phone: str) -> str | None:
        """Give the language code remembered for this phone, or None."""
        ...

    def set_language(self, phone: str, lang: str) -> None:
        """Remember the language code chosen on this phone."""
        ...

    def entitlement(self, ref: str) -> Entitlement | None:
        """Give the beneficiary's program, monthly amount and current cycle, or None."""
        ...

    def history(self, ref: str, limit: int = 6) -> list[PaymentLine]:
        """List the beneficiary's latest payments, newest first."""
        ...

    def latest_paid(self, ref: str) -> PaymentLine | None:
        """Give the latest payment that reached the wallet (succeeded or confirmed), or None."""
        ...

    def confirm_receipt(self, ref: str) -> ConfirmResult:
        """Record that the beneficiary confirms receiving the latest paid payment."""
        ...

    def report_problem(self, ref: str, kind: ProblemKind, note: str | None) -> str:
        """File a complaint and return its ticket number."""
        ...

    def wallet_status(self, ref: str) -> WalletStatus | None:
        """Describe the beneficiary's wallet, or None when none is linked."""
        ...

    def verify_wallet_code(self, ref: str, code: str) -> CodeResult:
        """Check a wallet verification code (may answer NOT_AVAILABLE until OTP ships)."""
        ...

    def wallet_code_pending(self, ref: str) -> bool:
        """Tell whether a wallet code was sent and can still be typed."""
        ...

    def send_wallet_code(self, ref: str) -> CodeSend:
        """Send a wallet verification code by SMS to the wallet's phone."""
        ...

    def requires_pin(self, ref: str) -> bool:
        """Tell whether protected actions for this beneficiary need a PIN first."""
        ...

    def verify_pin(self, ref: str, pin: str) -> CodeResult:
        """Check the beneficiary's PIN, counting wrong tries and locking after a few."""
        ...

    def pin_status(self, ref: str) -> PinStatus:
        """Tell whether the beneficiary has a PIN, and how many wrong tries are left."""
        ...

    def choose_pin(self, ref: str, pin: str) -> PinChange:
        """Take the first entry of a new PIN (ACCEPTED, WEAK, ALREADY_SET); never stored clear."""
        ...

    def repeat_pin(self, ref: str, pin: str) -> PinChange:
        """Take the second entry: SAVED when it matches the first, else MISMATCH or EXPIRED."""
        ...

    def send_sms(self, phone: str, text: str) -> None:
        """Queue an SMS to the phone (used to send a complaint's ticket number)."""
        ...

    def hotline(self) -> str:
        """Give the hotline number to print on screens."""
        ...
