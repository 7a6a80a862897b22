"""Serve ChiTra's beneficiary menus over USSD and SMS, with no dependency on the gateway."""

from __future__ import annotations

from ussd_menus.engine import Reply, UssdEngine
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
    Port,
    ProblemKind,
    ProgramName,
    WalletStatus,
)
from ussd_menus.session import RedisSessionStore, SessionState, SessionStore
from ussd_menus.sms import SmsResponder

__all__ = [
    "CodeResult",
    "CodeSend",
    "ConfirmResult",
    "Entitlement",
    "PaymentLine",
    "PaymentStatus",
    "Person",
    "PinChange",
    "PinState",
    "PinStatus",
    "Port",
    "ProblemKind",
    "ProgramName",
    "RedisSessionStore",
    "Reply",
    "SessionState",
    "SessionStore",
    "SmsResponder",
    "UssdEngine",
    "WalletStatus",
]
