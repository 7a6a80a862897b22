"""SIM-swap checks: the protocol, the default and the static test double."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from otp.errors import PolicyError
from otp.simswap import (
    DEFAULT_MAX_AGE_HOURS,
    NoSimSwapCheck,
    SimSwapCheck,
    SimSwapResult,
    StaticSimSwapCheck,
)

SWAPPED = "+84912345678"
OTHER = "+84987654321"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_default_check_never_reports_a_swap() -> None:
    check = NoSimSwapCheck()
    assert isinstance(check, SimSwapCheck)
    assert check.check(SWAPPED, DEFAULT_MAX_AGE_HOURS) == SimSwapResult(False, None)


def test_listed_number_is_reported_swapped() -> None:
    check = StaticSimSwapCheck([SWAPPED])
    assert isinstance(check, SimSwapCheck)
    assert check.check(SWAPPED, 72).swapped
    assert not check.check(OTHER, 72).swapped


def test_dated_swap_counts_only_within_the_max_age() -> None:
    swapped_at = NOW - timedelta(hours=100)
    check = StaticSimSwapCheck(swapped_at={SWAPPED: swapped_at}, clock=lambda: NOW)
    assert check.check(SWAPPED, 72) == SimSwapResult(False, swapped_at)
    assert check.check(SWAPPED, 240) == SimSwapResult(True, swapped_at)


def test_swap_within_72_hours_is_reported() -> None:
    swapped_at = NOW - timedelta(hours=71)
    check = StaticSimSwapCheck(swapped_at={SWAPPED: swapped_at}, clock=lambda: NOW)
    assert check.check(SWAPPED, DEFAULT_MAX_AGE_HOURS).swapped


@pytest.mark.parametrize("number", ["0912345678", "84912345678", "+0912345678", "+84 912"])
def test_numbers_not_in_e164_are_refused_without_being_echoed(number: str) -> None:
    with pytest.raises(PolicyError) as refused:
        StaticSimSwapCheck().check(number, 72)
    assert number not in str(refused.value)


@pytest.mark.parametrize("hours", [0, 2401])
def test_max_age_outside_camara_range_is_refused(hours: int) -> None:
    with pytest.raises(PolicyError):
        NoSimSwapCheck().check(SWAPPED, hours)


def test_repr_lists_no_numbers() -> None:
    assert SWAPPED not in repr(StaticSimSwapCheck([SWAPPED]))
