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


@dataclass(frozen=True)
class Person:
    """Name a beneficiary linked to the calling phone, masked for the screen."""

    ref: str  # opaque id chosen by the gateway; never shown
    masked_name: str  # e.g. "Ng*** V** An"


@dataclass(frozen=True)
class Entitlement:
    """Describe what a beneficiary is owed and where this cycle's payment stands."""

    programme: str  # code; catalogs translate known codes ("programme.<code>"), else shown as given
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
        """Give the beneficiary's programme, monthly amount and current cycle, or None."""
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

    def requires_pin(self, ref: str) -> bool:
        """Tell whether protected actions for this beneficiary need a PIN first."""
        ...

    def verify_pin(self, ref: str, pin: str) -> CodeResult:
        """Check the beneficiary's PIN, counting wrong tries and locking after a few."""
        ...

    def send_sms(self, phone: str, text: str) -> None:
        """Queue an SMS to the phone (used to send a complaint's ticket number)."""
        ...

    def hotline(self) -> str:
        """Give the hotline number to print on screens."""
        ...
