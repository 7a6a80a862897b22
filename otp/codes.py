"""SMS one-time codes: issued from a CSPRNG, bound to a purpose and subject, used once.

A beneficiary proves a wallet link (or confirms an action) by typing back a 6-digit code sent
by SMS. The rules follow NIST SP 800-63B §5.1.3 and OWASP ASVS 5.0 V6.5/V6.6:

- the code comes from ``secrets`` and is valid at most 5 minutes by default, never above 10;
- Redis holds only ``HMAC-SHA256(key, purpose|subject|code)``, so a Redis dump reveals no code
  and a code issued for one request cannot be replayed against another;
- the first correct answer consumes it; the 5th wrong answer locks it for good;
- issuance is rate limited per (purpose, subject) (resend cool-down) and per phone, keyed by an
  opaque phone key the caller derives (a blind index), which is hashed again before use;
- consecutive failures per subject are capped (100 per hour by default).

Redis keys (``{p}`` is the prefix, ``otp`` by default):

- ``{p}:code:{purpose}:{subject}`` hash ``h`` (HMAC hex), ``exp`` (Unix time), ``tries``;
- ``{p}:cool:{purpose}:{subject}`` the time until which no new code is sent;
- ``{p}:phone:{hmac(phone_key)}`` sorted set of issuance times in the sliding window;
- ``{p}:sfail:{subject}`` hash ``n`` (consecutive failures), ``end`` (window end).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import redis

from otp._redis import text, text_map
from otp.errors import PolicyError

log = logging.getLogger(__name__)

MAX_TTL_SECONDS = 600  # NIST SP 800-63B and ASVS 6.5.5: out-of-band codes live ≤ 10 minutes
MAX_SUBJECT_FAILURES = 100  # NIST SP 800-63B §5.2.2
MIN_KEY_BYTES = 16
_PURPOSE = re.compile(r"[a-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class CodePolicy:
    """Limits applied to SMS one-time codes.

    Attributes:
        ttl_seconds: How long a code stays valid (at most 600).
        digits: Code length (at least 6, i.e. ~20 bits).
        max_attempts: Wrong answers after which a code is locked.
        resend_cooldown_seconds: Minimum gap between two codes for one (purpose, subject).
        phone_limit: Codes one phone may receive per ``phone_window_seconds``.
        phone_window_seconds: Sliding window of the per-phone limit.
        subject_failure_limit: Consecutive wrong answers per subject before it is throttled.
        subject_failure_window_seconds: Window of that cap, counted from the first failure.
    """

    ttl_seconds: int = 300
    digits: int = 6
    max_attempts: int = 5
    resend_cooldown_seconds: int = 60
    phone_limit: int = 5
    phone_window_seconds: int = 3600
    subject_failure_limit: int = MAX_SUBJECT_FAILURES
    subject_failure_window_seconds: int = 3600

    def __post_init__(self) -> None:
        """Refuse limits looser than the security rules allow."""
        if not 1 <= self.ttl_seconds <= MAX_TTL_SECONDS:
            raise PolicyError("a one-time code may live at most 10 minutes")
        if not 6 <= self.digits <= 10:
            raise PolicyError("a one-time code has 6 to 10 digits")
        if not 1 <= self.max_attempts <= 10:
            raise PolicyError("a one-time code allows 1 to 10 attempts")
        if not 1 <= self.subject_failure_limit <= MAX_SUBJECT_FAILURES:
            raise PolicyError("consecutive failures per subject are capped at 100")
        if self.resend_cooldown_seconds < 0 or self.phone_limit < 1:
            raise PolicyError("resend cool-down and phone limit must be positive")
        if self.phone_window_seconds < 1 or self.subject_failure_window_seconds < 1:
            raise PolicyError("rate-limit windows must be positive")


class IssueStatus(StrEnum):
    """Say whether a code was issued and, if not, why."""

    ISSUED = "issued"
    COOLDOWN = "cooldown"
    PHONE_LIMITED = "phone_limited"
    THROTTLED = "throttled"


class CodeStatus(StrEnum):
    """Say how a code verification ended.

    A code presented for another purpose or subject is not found under that request, so it
    ends as ``EXPIRED_OR_UNKNOWN`` (or ``WRONG`` if that request has its own code): the answer
    deliberately does not reveal that the code exists elsewhere.
    """

    OK = "ok"
    WRONG = "wrong"
    EXPIRED_OR_UNKNOWN = "expired_or_unknown"
    LOCKED = "locked"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class IssueResult:
    """Outcome of a request for a new code.

    Attributes:
        status: ``ISSUED`` or the reason nothing was issued.
        code: The code to send by SMS, only when issued; kept out of ``repr`` so logging the
            result cannot leak it.
        expires_at: Unix time after which the code is refused, when issued.
        retry_after: Seconds until asking again can succeed, when refused.
    """

    status: IssueStatus
    code: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        """Say whether a code was issued."""
        return self.status is IssueStatus.ISSUED


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of one verification; ``attempts_left`` is set after a wrong answer."""

    status: CodeStatus
    attempts_left: int | None = None

    @property
    def ok(self) -> bool:
        """Say whether the code was accepted (and thereby consumed)."""
        return self.status is CodeStatus.OK


# Checks and writes of one issuance run as one script so concurrent requests cannot both slip
# under the cool-down or the per-phone limit.
_ISSUE = """
local now = tonumber(ARGV[1])
local sf_n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local sf_end = tonumber(redis.call('HGET', KEYS[1], 'end') or '0')
if sf_end > now and sf_n >= tonumber(ARGV[2]) then
  return {'throttled', tostring(math.ceil(sf_end - now))}
end
local cool_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if cool_until > now then
  return {'cooldown', tostring(math.ceil(cool_until - now))}
end
local window = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  return {'phone_limited', tostring(math.ceil(tonumber(oldest[2]) + window - now))}
end
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[4], 'h', ARGV[5], 'exp', ARGV[6], 'tries', '0')
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[7]))
if tonumber(ARGV[8]) > 0 then
  redis.call('SET', KEYS[2], ARGV[9], 'EX', tonumber(ARGV[8]))
end
redis.call('ZADD', KEYS[3], now, ARGV[10])
redis.call('EXPIRE', KEYS[3], math.ceil(window) + 1)
return {'issued', '0'}
"""


class OneTimeCodes:
    """Issue and verify SMS one-time codes kept hashed in Redis."""

    def __init__(
        self,
        client: redis.Redis,
        hmac_key: bytes,
        *,
        policy: CodePolicy | None = None,
        clock: Callable[[], float] = time.time,
        key_prefix: str = "otp",
    ) -> None:
        """Bind the verifier to a Redis client, a hashing key and a policy.

        Args:
            client: Redis holding the hashed codes and counters.
            hmac_key: Secret key (at least 16 bytes) for the code and phone-key HMACs; rotating
                it invalidates codes in flight, which live minutes at most.
            policy: Limits; the defaults follow NIST and ASVS.
            clock: Source of Unix time, injectable so tests need not sleep.
            key_prefix: Prefix of every Redis key.

        Raises:
            PolicyError: If the key is too short.
        """
        if len(hmac_key) < MIN_KEY_BYTES:
            raise PolicyError("the one-time code HMAC key must be at least 16 bytes")
        self._redis = client
        self._key = hmac_key
        self.policy = policy or CodePolicy()
        self._clock = clock
        self._prefix = key_prefix
        self._issue_script = client.register_script(_ISSUE)

    def issue(self, purpose: str, subject: str, phone_key: str) -> IssueResult:
        """Issue a fresh code for a request, replacing any earlier code for it.

        Args:
            purpose: What the code authorises, e.g. ``"wallet_verify"`` (``[a-z0-9_.-]``).
            subject: The request it is bound to, e.g. ``"wallet_link:42"``; never a phone number.
            phone_key: Opaque per-phone key (e.g. the phone's blind index) for the per-phone
                limit; it is hashed again and never stored as given.

        Returns:
            ``ISSUED`` with the code to send, or the reason none was issued with
            ``retry_after`` seconds.

        Raises:
            PolicyError: If the purpose is not a short lowercase token.
        """
        _check_purpose(purpose)
        now = self._clock()
        code = "".join(secrets.choice("0123456789") for _ in range(self.policy.digits))
        expires_at = now + self.policy.ttl_seconds
        cooldown = self.policy.resend_cooldown_seconds
        status, retry = self._issue_script(
            keys=[
                self._subject_failures_key(subject),
                self._cooldown_key(purpose, subject),
                self._phone_key(phone_key),
                self._code_key(purpose, subject),
            ],
            args=[
                repr(now),
                self.policy.subject_failure_limit,
                self.policy.phone_limit,
                self.policy.phone_window_seconds,
                self._digest(purpose, subject, code),
                repr(expires_at),
                # Redis expiry is only a backstop for clean-up; ``exp`` decides validity.
                self.policy.ttl_seconds + 1,
                cooldown,
                repr(now + cooldown),
                secrets.token_hex(8),
            ],
        )
        outcome = IssueStatus(text(status))
        if outcome is not IssueStatus.ISSUED:
            return IssueResult(outcome, retry_after=max(1, int(text(retry) or 1)))
        return IssueResult(outcome, code=code, expires_at=expires_at)

    def verify(self, purpose: str, subject: str, code: str) -> VerifyResult:
        """Check a code against the one issued for exactly this purpose and subject.

        The first correct answer consumes the code; a wrong answer spends one attempt and the
        last allowed wrong answer locks the code (``LOCKED``), after which a new code must be
        issued. Reads and writes run under WATCH/MULTI, so of two concurrent correct answers
        only one succeeds.

        Args:
            purpose: The purpose the code is expected to have been issued for.
            subject: The request the code is expected to be bound to.
            code: The code as typed; spaces are ignored.

        Returns:
            The outcome; ``attempts_left`` is set after a wrong answer.

        Raises:
            PolicyError: If the purpose is not a short lowercase token.
        """
        _check_purpose(purpose)
        digest = self._digest(purpose, subject, "".join(code.split()))
        code_key = self._code_key(purpose, subject)
        fail_key = self._subject_failures_key(subject)
        with self._redis.pipeline() as pipe:
            while True:
                try:
                    result = self._verify_once(pipe, code_key, fail_key, digest)
                except redis.WatchError:
                    continue  # another verification changed the code; decide again
                break
        if result.status is CodeStatus.LOCKED and result.attempts_left == 0:
            log.warning(
                "one-time code locked after %d wrong attempts (purpose=%s subject=%s)",
                self.policy.max_attempts,
                purpose,
                subject,
            )
        return result

    def revoke(self, purpose: str, subject: str) -> None:
        """Invalidate the code of a request, e.g. when a SIM swap is reported."""
        _check_purpose(purpose)
        self._redis.delete(self._code_key(purpose, subject))

    def outstanding(self, purpose: str, subject: str) -> bool:
        """Tell whether a request has a code that can still be answered (unexpired, unlocked).

        Lets a menu ask for the code only when one is waiting, and offer to send one otherwise.
        """
        _check_purpose(purpose)
        stored = text_map(self._redis.hgetall(self._code_key(purpose, subject)))
        if not stored:
            return False
        return (float(stored["exp"]) > self._clock()
                and int(stored["tries"]) < self.policy.max_attempts)

    def _verify_once(
        self, pipe: redis.client.Pipeline, code_key: str, fail_key: str, digest: str
    ) -> VerifyResult:
        """Run one optimistic WATCH/MULTI round of a verification."""
        pipe.watch(code_key, fail_key)
        failures = text_map(pipe.hgetall(fail_key))
        stored = text_map(pipe.hgetall(code_key))
        now = self._clock()
        window_end = float(failures.get("end", 0))
        in_window = window_end > now
        failed = int(failures.get("n", 0)) if in_window else 0
        if failed >= self.policy.subject_failure_limit:
            return VerifyResult(CodeStatus.THROTTLED)

        if not stored or float(stored["exp"]) <= now:
            return VerifyResult(CodeStatus.EXPIRED_OR_UNKNOWN)
        tries = int(stored["tries"])
        if tries >= self.policy.max_attempts:
            return VerifyResult(CodeStatus.LOCKED)

        if hmac.compare_digest(stored["h"], digest):
            pipe.multi()
            pipe.delete(code_key, fail_key)  # single use; success ends the failure streak
            pipe.execute()
            return VerifyResult(CodeStatus.OK)

        pipe.multi()
        pipe.hincrby(code_key, "tries", 1)
        window = self.policy.subject_failure_window_seconds
        if in_window:
            pipe.hincrby(fail_key, "n", 1)
        else:
            pipe.hset(fail_key, mapping={"n": 1, "end": repr(now + window)})
            pipe.expire(fail_key, window + 1)
        pipe.execute()
        if failed + 1 == self.policy.subject_failure_limit:
            log.warning("one-time codes throttled after %d consecutive failures", failed + 1)
        left = self.policy.max_attempts - tries - 1
        return VerifyResult(CodeStatus.LOCKED if left == 0 else CodeStatus.WRONG, left)

    def _digest(self, purpose: str, subject: str, code: str) -> str:
        """Return the keyed hash that binds a code to its purpose and subject."""
        message = f"{purpose}|{subject}|{code}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _code_key(self, purpose: str, subject: str) -> str:
        return f"{self._prefix}:code:{purpose}:{subject}"

    def _cooldown_key(self, purpose: str, subject: str) -> str:
        return f"{self._prefix}:cool:{purpose}:{subject}"

    def _subject_failures_key(self, subject: str) -> str:
        return f"{self._prefix}:sfail:{subject}"

    def _phone_key(self, phone_key: str) -> str:
        # Hash again under our key so even a careless caller passing a raw number stores none.
        tag = hmac.new(self._key, f"phone|{phone_key}".encode(), hashlib.sha256).hexdigest()
        return f"{self._prefix}:phone:{tag[:32]}"


def _check_purpose(purpose: str) -> None:
    """Refuse purposes that could blur the ``purpose|subject|code`` binding."""
    if not _PURPOSE.fullmatch(purpose):
        raise PolicyError("a purpose is a short lowercase token such as 'wallet_verify'")
