"""An in-memory stand-in for the gateway's implementation of the menu port (tests only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from otp.pin import MAX_PIN_FAILURES, pin_weakness
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
    ProgramName,
    WalletStatus,
)

SINGLE = "+84912345678"  # one beneficiary, everything paid
CAREGIVER = "+84987654321"  # acts for two people
UNKNOWN = "+84900000000"
HOTLINE = "1800 1234"


@dataclass
class FakePort:
    """Answer the port's questions from dicts and record every action it is asked to take."""

    phones: dict[str, list[Person]] = field(default_factory=dict)
    entitlements: dict[str, Entitlement] = field(default_factory=dict)
    histories: dict[str, list[PaymentLine]] = field(default_factory=dict)
    wallets: dict[str, WalletStatus] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)
    # ref -> PIN; a ref here requires a PIN, "" means it has none yet (chosen at first use).
    pins: dict[str, str] = field(default_factory=dict)
    pin_failures: dict[str, int] = field(default_factory=dict)  # wrong tries in a row
    pending_pins: dict[str, str] = field(default_factory=dict)  # first entry of a new PIN
    wallet_code: str | None = None  # None: verification not available yet
    code_pending: bool = True  # a wallet code waits to be typed
    send_result: CodeSend = CodeSend.SENT
    codes_sent: list[str] = field(default_factory=list)
    confirmed: set[str] = field(default_factory=set)
    problems: list[tuple[str, ProblemKind, str | None]] = field(default_factory=list)
    sms: list[tuple[str, str]] = field(default_factory=list)
    codes_seen: list[str] = field(default_factory=list)
    pins_seen: list[str] = field(default_factory=list)

    def people_for_phone(self, phone: str) -> list[Person]:
        return list(self.phones.get(phone, []))

    def language(self, phone: str) -> str | None:
        return self.languages.get(phone)

    def set_language(self, phone: str, lang: str) -> None:
        self.languages[phone] = lang

    def entitlement(self, ref: str) -> Entitlement | None:
        return self.entitlements.get(ref)

    def history(self, ref: str, limit: int = 6) -> list[PaymentLine]:
        return self.histories.get(ref, [])[:limit]

    def latest_paid(self, ref: str) -> PaymentLine | None:
        paid = (PaymentStatus.SUCCEEDED, PaymentStatus.CONFIRMED)
        return next((p for p in self.histories.get(ref, []) if p.status in paid), None)

    def confirm_receipt(self, ref: str) -> ConfirmResult:
        if self.latest_paid(ref) is None:
            return ConfirmResult.NOTHING_TO_CONFIRM
        if ref in self.confirmed:
            return ConfirmResult.ALREADY_CONFIRMED
        self.confirmed.add(ref)
        return ConfirmResult.CONFIRMED

    def report_problem(self, ref: str, kind: ProblemKind, note: str | None) -> str:
        self.problems.append((ref, kind, note))
        return f"KN-{len(self.problems):05d}"

    def wallet_status(self, ref: str) -> WalletStatus | None:
        return self.wallets.get(ref)

    def verify_wallet_code(self, ref: str, code: str) -> CodeResult:
        self.codes_seen.append(code)
        if self.wallet_code is None:
            return CodeResult.NOT_AVAILABLE
        return CodeResult.OK if code == self.wallet_code else CodeResult.WRONG

    def wallet_code_pending(self, ref: str) -> bool:
        return self.code_pending

    def send_wallet_code(self, ref: str) -> CodeSend:
        self.codes_sent.append(ref)
        if self.send_result is CodeSend.SENT:
            self.code_pending = True
        return self.send_result

    def requires_pin(self, ref: str) -> bool:
        return ref in self.pins

    def pin_status(self, ref: str) -> PinStatus:
        failures = self.pin_failures.get(ref, 0)
        if not self.pins.get(ref):
            return PinStatus(PinState.NOT_SET)
        if failures >= MAX_PIN_FAILURES:
            return PinStatus(PinState.LOCKED)
        return PinStatus(PinState.SET, MAX_PIN_FAILURES - failures)

    def verify_pin(self, ref: str, pin: str) -> CodeResult:
        self.pins_seen.append(pin)
        state = self.pin_status(ref).state
        if state is not PinState.SET:
            return CodeResult.LOCKED if state is PinState.LOCKED else CodeResult.NOT_AVAILABLE
        if self.pins[ref] == pin:
            self.pin_failures[ref] = 0
            return CodeResult.OK
        self.pin_failures[ref] = self.pin_failures.get(ref, 0) + 1
        locked = self.pin_failures[ref] >= MAX_PIN_FAILURES
        return CodeResult.LOCKED if locked else CodeResult.WRONG

    def choose_pin(self, ref: str, pin: str) -> PinChange:
        self.pins_seen.append(pin)
        if self.pins.get(ref):
            return PinChange.ALREADY_SET
        if pin_weakness(pin) is not None:
            return PinChange.WEAK
        self.pending_pins[ref] = pin
        return PinChange.ACCEPTED

    def repeat_pin(self, ref: str, pin: str) -> PinChange:
        self.pins_seen.append(pin)
        if self.pins.get(ref):
            return PinChange.ALREADY_SET
        first = self.pending_pins.pop(ref, None)
        if first is None:
            return PinChange.EXPIRED
        if first != pin:
            return PinChange.MISMATCH
        self.pins[ref] = pin
        return PinChange.SAVED

    def send_sms(self, phone: str, text: str) -> None:
        self.sms.append((phone, text))

    def hotline(self) -> str:
        return HOTLINE


def _history(months: int) -> list[PaymentLine]:
    lines = [
        PaymentLine(date(2026, m, 1), 1_250_000, PaymentStatus.SUCCEEDED, date(2026, m, 10))
        for m in range(months, 0, -1)
    ]
    return lines


# As the payroll migration seeds the monthly program's row.
MONTHLY = ProgramName("Trợ cấp xã hội hằng tháng", "Monthly social assistance")


def demo_port() -> FakePort:
    """Build a port with one single beneficiary, one caregiver of two, and nobody else."""
    return FakePort(
        phones={
            SINGLE: [Person("b1", "Ng*** V** An")],
            CAREGIVER: [Person("b2", "Tr*** T** Ba"), Person("b3", "Le*** V** Cu")],
        },
        entitlements={
            "b1": Entitlement(
                MONTHLY,
                1_250_000,
                date(2026, 8, 1),
                PaymentStatus.SUCCEEDED,
                date(2026, 8, 10),
            ),
            "b2": Entitlement(MONTHLY, 500_000, date(2026, 8, 1), PaymentStatus.PENDING),
        },
        histories={"b1": _history(8)},
        wallets={"b1": WalletStatus("Viettel Money", "09******78", verified=False)},
    )
