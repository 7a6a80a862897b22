"""SIM-swap checks from the settings: a CAMARA-style HTTP check, cached briefly.

``SIM_SWAP_URL`` unset means no check is configured: ``sim_swap_check`` returns None and
callers skip the question entirely (no I/O, no per-payment cost). Otherwise the check asks
``POST {SIM_SWAP_URL}/check`` with ``{"phoneNumber": "+84...", "maxAge": hours}`` and reads
``{"swapped": true|false}``, as CAMARA's SimSwap API does; answers are cached for
``SIM_SWAP_CACHE_SECONDS`` so a payroll chunk asks once per phone.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable

import httpx

from gateway.settings import WalletSettings
from otp import SimSwapCheck, SimSwapResult
from otp.errors import PolicyError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
# The operator does not know the number, or the API does not cover it (another network):
# nothing is known of a swap, so nothing is held for it.
_NOT_APPLICABLE = frozenset({404, 422})


class SimSwapUnavailable(RuntimeError):
    """The SIM-swap check could not answer (network, timeout, 5xx, refused credentials)."""


class HttpSimSwapCheck:
    """Ask a CAMARA SimSwap-style endpoint whether a number's SIM changed recently."""

    def __init__(self, base_url: str, *, token: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None) -> None:
        """Talk to ``base_url`` (e.g. ``https://api.example/sim-swap/v1``) with a bearer token."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._url = base_url.rstrip("/") + "/check"
        self._client = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    def __repr__(self) -> str:
        """Describe the check without its token."""
        return f"HttpSimSwapCheck({self._url!r})"

    def check(self, msisdn_e164: str, max_age_hours: int) -> SimSwapResult:
        """Say whether the SIM behind the number changed within ``max_age_hours``.

        Raises:
            SimSwapUnavailable: no usable answer; the message names no number.
            PolicyError: the number is not E.164 or the age is outside 1..2400 hours.
        """
        if not msisdn_e164.startswith("+") or not 1 <= max_age_hours <= 2400:
            raise PolicyError("a SIM-swap check takes an E.164 number and 1..2400 hours")
        try:
            response = self._client.post(
                self._url, json={"phoneNumber": msisdn_e164, "maxAge": max_age_hours})
        except httpx.HTTPError as exc:
            raise SimSwapUnavailable(f"SIM-swap check failed: {type(exc).__name__}") from None
        if response.status_code in _NOT_APPLICABLE:
            return SimSwapResult(swapped=False)
        if response.status_code != 200:
            raise SimSwapUnavailable(f"SIM-swap check answered {response.status_code}")
        try:
            swapped = response.json()["swapped"]
        except (ValueError, KeyError, TypeError):
            raise SimSwapUnavailable("SIM-swap check answered without 'swapped'") from None
        if not isinstance(swapped, bool):
            raise SimSwapUnavailable("SIM-swap check answered a non-boolean 'swapped'")
        return SimSwapResult(swapped=swapped)


class CachedSimSwapCheck:
    """Remember another check's answers for a short while, keyed by a hash of the number."""

    def __init__(self, inner: SimSwapCheck, ttl_seconds: float = 300,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 100_000) -> None:
        """Cache ``inner``'s answers (not its failures) for ``ttl_seconds``."""
        self.inner = inner
        self._ttl = ttl_seconds
        self._clock = clock
        self._max = max_entries
        self._lock = threading.Lock()
        self._seen: dict[bytes, tuple[float, SimSwapResult]] = {}

    def __repr__(self) -> str:
        """Describe the check without listing numbers."""
        return f"CachedSimSwapCheck({self.inner!r}, ttl={self._ttl})"

    def clear(self) -> None:
        """Forget every cached answer (e.g. when a swap is reported by phone to the hotline)."""
        with self._lock:
            self._seen.clear()

    def check(self, msisdn_e164: str, max_age_hours: int) -> SimSwapResult:
        """Answer from the cache when fresh, else ask the inner check and remember it."""
        key = hashlib.blake2b(f"{max_age_hours}|{msisdn_e164}".encode(), digest_size=16).digest()
        now = self._clock()
        with self._lock:
            hit = self._seen.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        result = self.inner.check(msisdn_e164, max_age_hours)
        with self._lock:
            if len(self._seen) >= self._max:
                self._seen.clear()
            self._seen[key] = (now + self._ttl, result)
        return result


def sim_swap_check(wallets: WalletSettings) -> SimSwapCheck | None:
    """Build the configured check, or None when ``SIM_SWAP_URL`` is not set."""
    if not wallets.sim_swap_url:
        return None
    inner = HttpSimSwapCheck(wallets.sim_swap_url, token=wallets.sim_swap_token,
                             timeout=wallets.sim_swap_timeout)
    return CachedSimSwapCheck(inner, wallets.sim_swap_cache_seconds or 1)
