"""SIM-swap checks consulted before a payout and before an SMS code is sent.

NIST SP 800-63B restricts SMS as an authenticator because a number can move to another SIM;
a recent swap is the classic sign of account takeover. The gateway asks a ``SimSwapCheck``
(shaped like CAMARA's SimSwap ``/check``: a number and a maximum age in hours) and, on a swap
within ``DEFAULT_MAX_AGE_HOURS``, holds the payout for review and sends no SMS code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from otp.errors import PolicyError

DEFAULT_MAX_AGE_HOURS = 72
# CAMARA SimSwap accepts maxAge from 1 to 2400 hours.
MIN_MAX_AGE_HOURS = 1
MAX_MAX_AGE_HOURS = 2400
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass(frozen=True)
class SimSwapResult:
    """Answer of a SIM-swap check.

    Attributes:
        swapped: Whether the SIM changed within the requested maximum age.
        last_swap: When the SIM last changed, if the provider says (some only answer yes/no).
    """

    swapped: bool
    last_swap: datetime | None = None


@runtime_checkable
class SimSwapCheck(Protocol):
    """Something that can tell whether a number's SIM changed recently."""

    def check(self, msisdn_e164: str, max_age_hours: int) -> SimSwapResult:
        """Say whether the SIM behind ``msisdn_e164`` changed within ``max_age_hours``."""
        ...


class NoSimSwapCheck:
    """Report that no SIM ever changed; the default where no provider is configured."""

    def check(self, msisdn_e164: str, max_age_hours: int) -> SimSwapResult:
        """Return "not swapped" after validating the arguments."""
        _validate(msisdn_e164, max_age_hours)
        return SimSwapResult(swapped=False)


class StaticSimSwapCheck:
    """Answer from a fixed list of swapped numbers, for tests and demos."""

    def __init__(
        self,
        swapped: Iterable[str] = (),
        *,
        swapped_at: Mapping[str, datetime] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Configure which numbers count as swapped.

        Args:
            swapped: Numbers whose SIM changed just now (reported swapped for any max age,
                with no date, as CAMARA's ``/check`` answers).
            swapped_at: Numbers with the time their SIM changed (timezone-aware); they count
                as swapped only within the requested max age.
            clock: Source of the current time.
        """
        self._recent = frozenset(swapped)
        self._dated = dict(swapped_at or {})
        self._clock = clock

    def __repr__(self) -> str:
        """Describe the check without listing phone numbers."""
        return f"StaticSimSwapCheck({len(self._recent) + len(self._dated)} numbers)"

    def check(self, msisdn_e164: str, max_age_hours: int) -> SimSwapResult:
        """Say whether the number is configured as swapped within ``max_age_hours``.

        Raises:
            PolicyError: If the number is not E.164 or the age is outside 1..2400 hours.
        """
        _validate(msisdn_e164, max_age_hours)
        if msisdn_e164 in self._recent:
            return SimSwapResult(swapped=True)
        last = self._dated.get(msisdn_e164)
        if last is None:
            return SimSwapResult(swapped=False)
        recent = self._clock() - last <= timedelta(hours=max_age_hours)
        return SimSwapResult(swapped=recent, last_swap=last)


def _validate(msisdn_e164: str, max_age_hours: int) -> None:
    """Refuse malformed arguments without echoing the number."""
    if not _E164.fullmatch(msisdn_e164):
        raise PolicyError("the phone number must be in E.164 form, e.g. +84...")
    if not MIN_MAX_AGE_HOURS <= max_age_hours <= MAX_MAX_AGE_HOURS:
        raise PolicyError("max_age_hours must be between 1 and 2400")
