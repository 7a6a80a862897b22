"""Exceptions raised by the ``otp`` package.

Messages never carry a code, a PIN, a secret or a phone number: they may end up in logs.
"""

from __future__ import annotations


class OtpError(Exception):
    """Base class of every error raised by ``otp``."""


class PolicyError(OtpError, ValueError):
    """A policy or argument is outside what the security rules allow."""


class WeakPinError(OtpError, ValueError):
    """A PIN was refused because it is malformed or too easy to guess."""

    def __init__(self, reason: str) -> None:
        """Remember why the PIN was refused (a ``PinWeakness`` value), never the PIN itself."""
        super().__init__(f"PIN refused: {reason}")
        self.reason = reason


class MalformedPinHashError(OtpError, ValueError):
    """A stored PIN hash cannot be parsed (corrupted or from an unknown scheme)."""
