"""USSD PINs: scrypt hashing, verification, rehash detection and weak-PIN refusal."""

from __future__ import annotations

import pytest

from otp.errors import MalformedPinHashError, WeakPinError
from otp.pin import (
    PinWeakness,
    ScryptParams,
    hash_pin,
    needs_rehash,
    pin_locked_out,
    pin_weakness,
    verify_pin,
)

# Cheap parameters keep the suite fast where the cost itself is not under test.
CHEAP = ScryptParams(n=2**10, r=8, p=1)


def test_hash_is_self_describing_and_salted() -> None:
    first = hash_pin("3829")
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert salt and digest
    assert "3829" not in first
    salts = {hash_pin("3829", params=CHEAP).split("$")[4] for _ in range(2)}
    assert len(salts) == 2


def test_right_pin_verifies_and_wrong_pin_does_not() -> None:
    stored = hash_pin("3829")
    assert verify_pin("3829", stored)
    assert not verify_pin("3828", stored)
    assert not verify_pin("", stored)


def test_hash_made_with_other_parameters_still_verifies_but_needs_rehash() -> None:
    stored = hash_pin("7094", params=CHEAP)
    assert verify_pin("7094", stored)
    assert needs_rehash(stored)
    assert not needs_rehash(stored, params=CHEAP)
    assert not needs_rehash(hash_pin("7094"))


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("0000", PinWeakness.ALL_SAME_DIGIT),
        ("1111", PinWeakness.ALL_SAME_DIGIT),
        ("9999", PinWeakness.ALL_SAME_DIGIT),
        ("1234", PinWeakness.SEQUENCE),
        ("0123", PinWeakness.SEQUENCE),
        ("6789", PinWeakness.SEQUENCE),
        ("4321", PinWeakness.SEQUENCE),
        ("9876", PinWeakness.SEQUENCE),
        ("1212", PinWeakness.REPEATED_PAIR),
        ("6969", PinWeakness.REPEATED_PAIR),
        ("1122", PinWeakness.REPEATED_PAIR),
        ("2580", PinWeakness.COMMON),
        ("2000", PinWeakness.COMMON),
        ("123", PinWeakness.NOT_FOUR_DIGITS),
        ("12345", PinWeakness.NOT_FOUR_DIGITS),
        ("12a4", PinWeakness.NOT_FOUR_DIGITS),
        ("١٢٣٩", PinWeakness.NOT_FOUR_DIGITS),  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_weak_or_malformed_pins_are_refused_with_a_reason(pin: str, reason: PinWeakness) -> None:
    assert pin_weakness(pin) is reason
    with pytest.raises(WeakPinError) as refused:
        hash_pin(pin)
    assert refused.value.reason == reason.value
    assert pin not in str(refused.value)


def test_personal_numbers_are_refused() -> None:
    assert pin_weakness("1957", personal=["1957", "5678"]) is PinWeakness.PERSONAL
    with pytest.raises(WeakPinError):
        hash_pin("1957", personal=["1957"], params=CHEAP)


@pytest.mark.parametrize("pin", ["3829", "7094", "5190", "0472"])
def test_ordinary_pins_are_accepted(pin: str) -> None:
    assert pin_weakness(pin) is None


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "bcrypt$12$abc",
        "scrypt$16384$8$1$c2FsdA",
        "scrypt$x$8$1$c2FsdA$ZGlnZXN0",
        "scrypt$16384$8$1$!!!$ZGlnZXN0",
        "scrypt$16383$8$1$c2FsdA$ZGlnZXN0",  # n not a power of two
        "scrypt$1073741824$8$1$c2FsdA$ZGlnZXN0",  # n far beyond any sane cost
    ],
)
def test_malformed_stored_hashes_are_reported(stored: str) -> None:
    with pytest.raises(MalformedPinHashError):
        verify_pin("3829", stored)


def test_lockout_helper_trips_at_the_limit() -> None:
    assert not pin_locked_out(2)
    assert pin_locked_out(3)
    assert pin_locked_out(5, limit=5)
