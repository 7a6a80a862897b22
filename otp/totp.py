"""HOTP/TOTP for approvers' authenticator apps (RFC 4226, RFC 6238), with replay refusal.

Officers who approve a payment cycle prove possession of their authenticator with a 6-digit
TOTP code. RFC 6238 §5.2 says a verifier must not accept the same code twice, so the last
accepted time step per subject is kept in Redis and any code for that step or an older one is
refused. Drift is bounded to one step either side (RFC 6238 §6), and failures are throttled per
subject (RFC 4226 §7.3).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from urllib.parse import quote

import redis
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.hotp import HOTP
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from otp._redis import text
from otp.errors import PolicyError

log = logging.getLogger(__name__)

TOTP_PERIOD_SECONDS = 30
TOTP_DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the length RFC 4226 recommends
MAX_DRIFT_STEPS = 1
DEFAULT_MAX_FAILURES = 10
DEFAULT_FAILURE_WINDOW_SECONDS = 15 * 60
ISSUER = "ChiTra"

Algorithm = Literal["sha1", "sha256", "sha512"]

_ALGORITHMS: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha512": hashes.SHA512,
}

# Accept a step only if it is newer than the last accepted one; the comparison and the write
# happen in one script so two concurrent verifications of one code cannot both pass.
_ACCEPT_STEP = """
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
redis.call('DEL', KEYS[2])
return 1
"""

# Count one failure in a fixed window that starts at the first failure.
_COUNT_FAILURE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
return n
"""


class TotpStatus(StrEnum):
    """Say how a TOTP verification ended."""

    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"
    LOCKED = "locked"


@dataclass(frozen=True)
class TotpResult:
    """Outcome of one TOTP verification and, when accepted, the time step it matched."""

    status: TotpStatus
    step: int | None = None

    @property
    def ok(self) -> bool:
        """Say whether the code was accepted."""
        return self.status is TotpStatus.OK


def generate_secret(length: int = SECRET_BYTES) -> bytes:
    """Generate a random shared secret for a new authenticator.

    Args:
        length: Secret length in bytes; at least 20 (160 bits).

    Returns:
        The raw secret; store it encrypted, never in clear or in logs.

    Raises:
        PolicyError: If ``length`` is under 20 bytes.
    """
    if length < SECRET_BYTES:
        raise PolicyError("a TOTP secret must be at least 160 bits")
    return os.urandom(length)


def encode_secret(secret: bytes) -> str:
    """Encode a secret as unpadded base32, the form authenticator apps expect."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def decode_secret(encoded: str) -> bytes:
    """Decode a base32 secret, tolerating lower case, spaces and missing padding.

    Raises:
        PolicyError: If the text is not base32.
    """
    cleaned = encoded.replace(" ", "").upper()
    cleaned += "=" * (-len(cleaned) % 8)
    try:
        return base64.b32decode(cleaned)
    except binascii.Error:
        raise PolicyError("the TOTP secret is not valid base32") from None


def provisioning_uri(secret: bytes, account: str, issuer: str = ISSUER) -> str:
    """Build the ``otpauth://`` URI an authenticator app scans as a QR code.

    Args:
        secret: The raw shared secret.
        account: The officer's account name shown in the app (e.g. a login).
        issuer: The service name shown in the app.

    Returns:
        ``otpauth://totp/{issuer}:{account}?secret=...&issuer={issuer}&algorithm=SHA1&digits=6
        &period=30``. These are the apps' defaults and what we verify against; they are
        spelled out so that an app with other defaults cannot drift from the verifier.
    """
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    return (f"otpauth://totp/{label}?secret={encode_secret(secret)}"
            f"&issuer={quote(issuer, safe='')}&algorithm=SHA1&digits={TOTP_DIGITS}"
            f"&period={TOTP_PERIOD_SECONDS}")


def hotp_code(
    secret: bytes, counter: int, *, digits: int = TOTP_DIGITS, algorithm: Algorithm = "sha1"
) -> str:
    """Compute the RFC 4226 HOTP value for a counter.

    Args:
        secret: The raw shared secret (at least 128 bits).
        counter: The moving factor.
        digits: Code length, 6 to 8.
        algorithm: HMAC hash.

    Returns:
        The code as a zero-padded string of ``digits`` digits.
    """
    return _hotp(secret, digits, algorithm).generate(counter).decode("ascii")


def totp_code(
    secret: bytes,
    at: float,
    *,
    digits: int = TOTP_DIGITS,
    algorithm: Algorithm = "sha1",
    period: int = TOTP_PERIOD_SECONDS,
) -> str:
    """Compute the RFC 6238 TOTP value at a Unix time.

    Args:
        secret: The raw shared secret (at least 128 bits).
        at: Unix time in seconds.
        digits: Code length, 6 to 8.
        algorithm: HMAC hash.
        period: Time step in seconds.

    Returns:
        The code as a zero-padded string of ``digits`` digits.
    """
    totp = TOTP(secret, digits, _hash(algorithm), period)
    return totp.generate(int(at)).decode("ascii")


def time_step(at: float, period: int = TOTP_PERIOD_SECONDS) -> int:
    """Return the RFC 6238 time-step counter for a Unix time."""
    return int(at) // period


def match_totp(
    secret: bytes,
    code: str,
    *,
    now: float | None = None,
    drift_steps: int = MAX_DRIFT_STEPS,
) -> int | None:
    """Return the time step whose 6-digit SHA-1 code equals ``code``, or None.

    Stateless: it does not refuse replays. The caller must accept a step only if it is newer
    than the last step it accepted for the subject (``verify_totp`` keeps that in Redis; a
    caller may keep it in its own database instead).

    Args:
        secret: The subject's raw shared secret.
        code: The code as typed; surrounding and inner spaces are ignored.
        now: Unix time to match at; defaults to the current time.
        drift_steps: Steps accepted either side of the current one, 0 or 1.

    Raises:
        PolicyError: If ``drift_steps`` is not 0 or 1.
    """
    if not 0 <= drift_steps <= MAX_DRIFT_STEPS:
        raise PolicyError("TOTP drift is limited to one step")
    at = time.time() if now is None else now
    return _match_step(secret, "".join(code.split()), time_step(at), drift_steps)


def verify_totp(
    client: redis.Redis,
    subject: str,
    secret: bytes,
    code: str,
    *,
    now: float | None = None,
    drift_steps: int = MAX_DRIFT_STEPS,
    max_failures: int = DEFAULT_MAX_FAILURES,
    failure_window_seconds: int = DEFAULT_FAILURE_WINDOW_SECONDS,
    key_prefix: str = "otp",
) -> TotpResult:
    """Verify a 6-digit SHA-1 TOTP code once, refusing replays and throttling failures.

    Args:
        client: Redis holding the last accepted step and the failure count.
        subject: Who is proving possession, e.g. ``"officer:7"``; never a phone number.
        secret: The subject's raw shared secret.
        code: The code as typed; surrounding and inner spaces are ignored.
        now: Unix time to verify at; defaults to the current time.
        drift_steps: Steps accepted either side of the current one, 0 or 1.
        max_failures: Failures within the window after which the subject is locked.
        failure_window_seconds: Length of the failure-counting window.
        key_prefix: Prefix of the Redis keys.

    Returns:
        ``OK`` with the matched step, or ``WRONG``, ``REPLAYED`` (the step, or a newer one,
        was already used) or ``LOCKED`` (too many failures; no code is checked).

    Raises:
        PolicyError: If ``drift_steps`` is not 0 or 1.
    """
    if not 0 <= drift_steps <= MAX_DRIFT_STEPS:
        raise PolicyError("TOTP drift is limited to one step")
    at = time.time() if now is None else now
    last_key = f"{key_prefix}:totp:last:{subject}"
    fail_key = f"{key_prefix}:totp:fail:{subject}"

    failures = int(text(client.get(fail_key)) or 0)
    if failures >= max_failures:
        return TotpResult(TotpStatus.LOCKED)

    matched = _match_step(secret, "".join(code.split()), time_step(at), drift_steps)
    if matched is not None:
        # Keep the marker until the step can no longer match anyway, plus one step of margin.
        ttl = TOTP_PERIOD_SECONDS * (2 * drift_steps + 3)
        accept = client.register_script(_ACCEPT_STEP)
        if accept(keys=[last_key, fail_key], args=[matched, ttl]) == 1:
            return TotpResult(TotpStatus.OK, matched)

    # A replayed code counts as a failure: someone is presenting a code already used.
    count_failure = client.register_script(_COUNT_FAILURE)
    failures = int(count_failure(keys=[fail_key], args=[failure_window_seconds]))
    if failures == max_failures:
        log.warning("TOTP locked for subject %s after %d failures", subject, failures)
    return TotpResult(TotpStatus.REPLAYED if matched is not None else TotpStatus.WRONG)


def _match_step(secret: bytes, code: str, current: int, drift_steps: int) -> int | None:
    """Return the step within the drift window whose code equals ``code``, preferring now."""
    if len(code) != TOTP_DIGITS or not code.isascii() or not code.isdigit():
        return None
    hotp = _hotp(secret, TOTP_DIGITS, "sha1")
    matched: int | None = None
    candidates = [current] + [current + d for d in range(-drift_steps, drift_steps + 1) if d]
    # Check every candidate (no early exit) so timing does not reveal which step matched.
    for step in candidates:
        try:
            hotp.verify(code.encode("ascii"), step)
        except InvalidToken:
            continue
        if matched is None:
            matched = step
    return matched


def _hotp(secret: bytes, digits: int, algorithm: str) -> HOTP:
    """Build a ``cryptography`` HOTP instance."""
    return HOTP(secret, digits, _hash(algorithm))


def _hash(algorithm: str) -> hashes.HashAlgorithm:
    """Return the hash for an algorithm name, refusing unknown names."""
    if algorithm not in _ALGORITHMS:
        raise PolicyError("unsupported OTP algorithm")
    return _ALGORITHMS[algorithm]()
