"""USSD PINs: 4 digits, refused when trivially guessable, stored as scrypt hashes.

A 4-digit PIN has only 10,000 values, so the hash alone cannot protect it against someone who
holds the database; what protects it is the gateway's lockout after a few wrong tries. The
hash still matters: it keeps PINs out of dumps and logs and makes bulk guessing costly. The
stored string names its parameters (``scrypt$n$r$p$salt$hash``) so they can be raised later;
``needs_rehash`` says when a stored hash should be replaced at the next successful login.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from otp.errors import MalformedPinHashError, WeakPinError

PIN_LENGTH = 4
SALT_BYTES = 16
HASH_BYTES = 32
MAX_PIN_FAILURES = 3
_SCHEME = "scrypt"
# Bounds on parameters read back from storage, so a tampered row cannot exhaust memory.
_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16

# Most chosen 4-digit PINs that the patterns below do not already catch (DataGenetics' PIN
# frequency study), plus the keypad's middle column up and down.
_COMMON = frozenset({"1004", "2000", "2001", "2580", "0852"})


@dataclass(frozen=True)
class ScryptParams:
    """Cost parameters of scrypt (RFC 7914)."""

    n: int = 2**14
    r: int = 8
    p: int = 1


DEFAULT_PARAMS = ScryptParams()


class PinWeakness(StrEnum):
    """Say why a PIN was refused."""

    NOT_FOUR_DIGITS = "not_four_digits"
    ALL_SAME_DIGIT = "all_same_digit"
    SEQUENCE = "sequence"
    REPEATED_PAIR = "repeated_pair"
    COMMON = "common"
    PERSONAL = "personal"


def pin_weakness(pin: str, *, personal: Iterable[str] = ()) -> PinWeakness | None:
    """Say why a PIN is malformed or too easy to guess, or ``None`` if it is acceptable.

    Args:
        pin: The PIN as typed.
        personal: 4-digit strings the beneficiary must not use, such as their birth year or
            the last digits of their phone number.

    Returns:
        The first weakness found, or ``None``.
    """
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        return PinWeakness.NOT_FOUR_DIGITS
    if len(set(pin)) == 1:
        return PinWeakness.ALL_SAME_DIGIT
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({1}, {-1}):
        return PinWeakness.SEQUENCE
    if pin[:2] == pin[2:] or (pin[0] == pin[1] and pin[2] == pin[3]):
        return PinWeakness.REPEATED_PAIR
    if pin in _COMMON:
        return PinWeakness.COMMON
    if pin in set(personal):
        return PinWeakness.PERSONAL
    return None


def hash_pin(
    pin: str, *, personal: Iterable[str] = (), params: ScryptParams = DEFAULT_PARAMS
) -> str:
    """Hash a new PIN after checking that it is acceptable.

    Args:
        pin: The PIN the beneficiary chose.
        personal: 4-digit strings the beneficiary must not use (see ``pin_weakness``).
        params: scrypt cost parameters.

    Returns:
        ``scrypt$n$r$p$salt$hash`` with salt and hash in unpadded base64.

    Raises:
        WeakPinError: If the PIN is malformed or weak; ``reason`` says which.
    """
    weakness = pin_weakness(pin, personal=personal)
    if weakness is not None:
        raise WeakPinError(weakness.value)
    salt = os.urandom(SALT_BYTES)
    digest = _derive(pin, salt, params, HASH_BYTES)
    return "$".join(
        [_SCHEME, str(params.n), str(params.r), str(params.p), _b64(salt), _b64(digest)]
    )


def verify_pin(pin: str, encoded: str) -> bool:
    """Check a PIN against its stored hash in constant time.

    Args:
        pin: The PIN as typed.
        encoded: The string ``hash_pin`` returned.

    Returns:
        ``True`` if the PIN matches.

    Raises:
        MalformedPinHashError: If the stored string cannot be parsed.
    """
    params, salt, expected = _parse(encoded)
    return hmac.compare_digest(_derive(pin, salt, params, len(expected)), expected)


def needs_rehash(encoded: str, params: ScryptParams = DEFAULT_PARAMS) -> bool:
    """Say whether a stored hash was made with other parameters than ``params``.

    Raises:
        MalformedPinHashError: If the stored string cannot be parsed.
    """
    stored, salt, digest = _parse(encoded)
    return stored != params or len(salt) != SALT_BYTES or len(digest) != HASH_BYTES


def pin_locked_out(consecutive_failures: int, limit: int = MAX_PIN_FAILURES) -> bool:
    """Say whether a beneficiary's PIN must be locked after this many wrong PINs in a row."""
    return consecutive_failures >= limit


def _derive(pin: str, salt: bytes, params: ScryptParams, length: int) -> bytes:
    """Run scrypt over the PIN."""
    kdf = Scrypt(salt=salt, length=length, n=params.n, r=params.r, p=params.p)
    return kdf.derive(pin.encode("utf-8"))


def _parse(encoded: str) -> tuple[ScryptParams, bytes, bytes]:
    """Split a stored hash into parameters, salt and digest, refusing anything odd."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        raise MalformedPinHashError("stored PIN hash is not an scrypt hash")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, binascii.Error):
        raise MalformedPinHashError("stored PIN hash is malformed") from None
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        raise MalformedPinHashError("stored PIN hash has out-of-range parameters")
    if not salt or not digest:
        raise MalformedPinHashError("stored PIN hash is malformed")
    return ScryptParams(n, r, p), salt, digest


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(encoded: str) -> bytes:
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
