"""SMS one-time codes: lifetime, single use, binding, lockout, rate limits and hygiene."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
from collections.abc import Callable, Iterator

import pytest
import redis

from otp.codes import (
    CodePolicy,
    CodeStatus,
    IssueStatus,
    OneTimeCodes,
    VerifyResult,
)
from otp.errors import PolicyError

KEY = b"k" * 32
PHONE = "+84912345678"
PHONE_KEY = hmac.new(b"blind-index-key", PHONE.encode(), hashlib.sha256).hexdigest()
PURPOSE = "wallet_verify"
SUBJECT = "wallet_link:42"


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_000_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def codes(redis_client: redis.Redis, clock: FakeClock) -> OneTimeCodes:
    return OneTimeCodes(redis_client, KEY, clock=clock)


def issue_code(codes: OneTimeCodes, subject: str = SUBJECT, purpose: str = PURPOSE) -> str:
    result = codes.issue(purpose, subject, PHONE_KEY)
    assert result.status is IssueStatus.ISSUED
    assert result.code is not None
    return result.code


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_issued_code_is_six_digits_valid_five_minutes(
    codes: OneTimeCodes, clock: FakeClock
) -> None:
    result = codes.issue(PURPOSE, SUBJECT, PHONE_KEY)
    assert result.ok
    assert result.code is not None and re.fullmatch(r"\d{6}", result.code)
    assert result.expires_at == clock.now + 300


def test_code_is_accepted_once_then_refused(codes: OneTimeCodes) -> None:
    code = issue_code(codes)
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.OK
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.EXPIRED_OR_UNKNOWN


def test_code_is_accepted_just_before_expiry(codes: OneTimeCodes, clock: FakeClock) -> None:
    code = issue_code(codes)
    clock.advance(299)
    assert codes.verify(PURPOSE, SUBJECT, code).ok


def test_code_is_refused_after_expiry(codes: OneTimeCodes, clock: FakeClock) -> None:
    code = issue_code(codes)
    clock.advance(300)
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.EXPIRED_OR_UNKNOWN


def test_real_redis_expiry_removes_the_code(redis_client: redis.Redis) -> None:
    codes = OneTimeCodes(redis_client, KEY, policy=CodePolicy(ttl_seconds=1))
    issue_code(codes)
    ttl = redis_client.ttl(f"otp:code:{PURPOSE}:{SUBJECT}")
    assert 0 < ttl <= 2


@pytest.mark.parametrize("ttl", [601, 3600, 0])
def test_lifetime_above_ten_minutes_cannot_be_configured(ttl: int) -> None:
    with pytest.raises(PolicyError):
        CodePolicy(ttl_seconds=ttl)


def test_ten_minute_lifetime_is_the_ceiling(codes: OneTimeCodes) -> None:
    assert CodePolicy(ttl_seconds=600).ttl_seconds == 600


def test_more_than_100_subject_failures_cannot_be_configured() -> None:
    with pytest.raises(PolicyError):
        CodePolicy(subject_failure_limit=101)


def test_short_hmac_key_is_refused(redis_client: redis.Redis) -> None:
    with pytest.raises(PolicyError):
        OneTimeCodes(redis_client, b"short")


@pytest.mark.parametrize("purpose", ["", "Wallet", "wallet|verify", "a b"])
def test_malformed_purpose_is_refused(codes: OneTimeCodes, purpose: str) -> None:
    with pytest.raises(PolicyError):
        codes.issue(purpose, SUBJECT, PHONE_KEY)


def test_code_presented_for_another_purpose_fails_and_stays_bound(codes: OneTimeCodes) -> None:
    code = issue_code(codes)
    assert not codes.verify("payout_confirm", SUBJECT, code).ok
    assert codes.verify(PURPOSE, SUBJECT, code).ok


def test_code_presented_for_another_subject_fails_and_stays_bound(codes: OneTimeCodes) -> None:
    code = issue_code(codes)
    assert not codes.verify(PURPOSE, "wallet_link:43", code).ok
    assert codes.verify(PURPOSE, SUBJECT, code).ok


def test_code_of_one_request_is_wrong_for_another_pending_request(codes: OneTimeCodes) -> None:
    ours = issue_code(codes, subject="wallet_link:1")
    theirs = issue_code(codes, subject="wallet_link:2")
    if ours != theirs:  # two independent draws coincide once in a million
        assert codes.verify(PURPOSE, "wallet_link:2", ours).status is CodeStatus.WRONG
    assert codes.verify(PURPOSE, "wallet_link:2", theirs).ok


def test_spaces_in_a_typed_code_are_ignored(codes: OneTimeCodes) -> None:
    code = issue_code(codes)
    assert codes.verify(PURPOSE, SUBJECT, f"{code[:3]} {code[3:]}").ok


def test_fifth_wrong_answer_locks_the_code_even_for_the_right_one(
    codes: OneTimeCodes, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    code = issue_code(codes)
    wrong = other_than(code)
    answers = [codes.verify(PURPOSE, SUBJECT, wrong) for _ in range(5)]
    assert answers[:4] == [VerifyResult(CodeStatus.WRONG, left) for left in (4, 3, 2, 1)]
    assert answers[4] == VerifyResult(CodeStatus.LOCKED, 0)
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.LOCKED
    locks = [r for r in caplog.records if "locked" in r.getMessage()]
    assert len(locks) == 1 and locks[0].levelno == logging.WARNING
    assert code not in caplog.text and wrong not in caplog.text


def test_a_fresh_code_can_be_issued_after_a_lock(codes: OneTimeCodes, clock: FakeClock) -> None:
    code = issue_code(codes)
    for _ in range(5):
        codes.verify(PURPOSE, SUBJECT, other_than(code))
    clock.advance(60)
    fresh = issue_code(codes)
    assert codes.verify(PURPOSE, SUBJECT, fresh).ok


def test_resend_waits_for_the_cool_down(codes: OneTimeCodes, clock: FakeClock) -> None:
    first = issue_code(codes)
    refused = codes.issue(PURPOSE, SUBJECT, PHONE_KEY)
    assert refused.status is IssueStatus.COOLDOWN
    assert refused.code is None and refused.retry_after == 60
    clock.advance(59)
    assert codes.issue(PURPOSE, SUBJECT, PHONE_KEY).retry_after == 1
    clock.advance(1)
    second = issue_code(codes)
    if second != first:
        # Only the latest code of a request counts.
        assert codes.verify(PURPOSE, SUBJECT, first).status is CodeStatus.WRONG
    assert codes.verify(PURPOSE, SUBJECT, second).ok


def test_cool_down_is_per_purpose_and_subject(codes: OneTimeCodes) -> None:
    issue_code(codes)
    issue_code(codes, subject="wallet_link:43")
    issue_code(codes, purpose="payout_confirm")


def test_one_phone_receives_at_most_five_codes_an_hour(
    codes: OneTimeCodes, clock: FakeClock
) -> None:
    for n in range(5):
        issue_code(codes, subject=f"wallet_link:{n}")
        clock.advance(1)
    refused = codes.issue(PURPOSE, "wallet_link:9", PHONE_KEY)
    assert refused.status is IssueStatus.PHONE_LIMITED
    assert refused.retry_after == 3600 - 5
    assert codes.issue(PURPOSE, "wallet_link:9", "another-phone-key").ok
    clock.advance(3600 - 5)
    assert codes.issue(PURPOSE, "wallet_link:10", PHONE_KEY).ok


def test_consecutive_failures_per_subject_are_capped(
    redis_client: redis.Redis, clock: FakeClock
) -> None:
    policy = CodePolicy(subject_failure_limit=3, resend_cooldown_seconds=0)
    codes = OneTimeCodes(redis_client, KEY, policy=policy, clock=clock)
    code = issue_code(codes)
    for _ in range(3):
        assert codes.verify(PURPOSE, SUBJECT, other_than(code)).status is CodeStatus.WRONG
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.THROTTLED
    assert codes.issue(PURPOSE, SUBJECT, PHONE_KEY).status is IssueStatus.THROTTLED
    clock.advance(3600)
    assert codes.verify(PURPOSE, SUBJECT, issue_code(codes)).ok


def test_success_ends_the_failure_streak(redis_client: redis.Redis, clock: FakeClock) -> None:
    policy = CodePolicy(subject_failure_limit=3, resend_cooldown_seconds=0)
    codes = OneTimeCodes(redis_client, KEY, policy=policy, clock=clock)
    code = issue_code(codes)
    for _ in range(2):
        codes.verify(PURPOSE, SUBJECT, other_than(code))
    assert codes.verify(PURPOSE, SUBJECT, code).ok
    code = issue_code(codes)
    for _ in range(2):
        codes.verify(PURPOSE, SUBJECT, other_than(code))
    assert codes.verify(PURPOSE, SUBJECT, code).ok


def test_revoked_code_is_refused(codes: OneTimeCodes) -> None:
    code = issue_code(codes)
    codes.revoke(PURPOSE, SUBJECT)
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.EXPIRED_OR_UNKNOWN


def run_together(count: int, action: Callable[[], VerifyResult]) -> list[VerifyResult]:
    barrier = threading.Barrier(count)
    results: list[VerifyResult] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        result = action()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_verifications_of_one_code_succeed_once(codes: OneTimeCodes) -> None:
    code = issue_code(codes)
    results = run_together(10, lambda: codes.verify(PURPOSE, SUBJECT, code))
    statuses = [r.status for r in results]
    assert statuses.count(CodeStatus.OK) == 1
    assert statuses.count(CodeStatus.EXPIRED_OR_UNKNOWN) == 9


def test_concurrent_wrong_answers_are_each_counted(codes: OneTimeCodes) -> None:
    code = issue_code(codes)
    results = run_together(10, lambda: codes.verify(PURPOSE, SUBJECT, other_than(code)))
    statuses = [r.status for r in results]
    assert statuses.count(CodeStatus.WRONG) == 4
    assert statuses.count(CodeStatus.LOCKED) == 6
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.LOCKED


def redis_contents(client: redis.Redis) -> Iterator[str]:
    """Yield every key and every stored value, field and member as text."""
    for raw_key in client.scan_iter():
        key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
        yield key
        kind = client.type(key)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "string":
            items = [client.get(key)]
        elif kind == "hash":
            items = [x for pair in client.hgetall(key).items() for x in pair]
        elif kind == "zset":
            items = [x for member, score in client.zrange(key, 0, -1, withscores=True)
                     for x in (member, repr(score))]  # fmt: skip
        else:
            raise AssertionError(f"unexpected Redis type {kind}")
        for item in items:
            yield item.decode("latin-1") if isinstance(item, bytes) else str(item)


@pytest.mark.parametrize("phone_key", [PHONE_KEY, PHONE], ids=["blind_index", "careless_raw"])
def test_redis_holds_neither_the_code_nor_the_phone(
    codes: OneTimeCodes, clock: FakeClock, redis_client: redis.Redis, phone_key: str
) -> None:
    issued = [codes.issue(PURPOSE, f"wallet_link:{n}", phone_key) for n in range(3)]
    plain = [r.code for r in issued if r.code]
    assert len(plain) == 3
    codes.verify(PURPOSE, "wallet_link:0", other_than(plain[0]))
    contents = list(redis_contents(redis_client))
    assert contents
    national = PHONE.removeprefix("+84")
    for text in contents:
        assert national not in text and PHONE_KEY not in text
        # Tokens, not substrings: timestamps and hex digests may contain any 6 digits by chance,
        # but a stored code would show up as a whole token.
        for code in plain:
            assert code not in re.split(r"[^0-9A-Za-z]+", text)


def test_logs_and_results_never_show_a_code_or_phone(
    codes: OneTimeCodes, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = codes.issue(PURPOSE, SUBJECT, PHONE)
    assert result.code is not None
    assert result.code not in repr(result) and result.code not in str(result)
    for _ in range(6):
        codes.verify(PURPOSE, SUBJECT, other_than(result.code))
    clock.advance(60)
    fresh = codes.issue(PURPOSE, SUBJECT, PHONE)
    assert fresh.code is not None
    codes.verify(PURPOSE, SUBJECT, fresh.code)
    assert "locked" in caplog.text
    for secret in (result.code, other_than(result.code), fresh.code, PHONE, PHONE[3:]):
        assert secret not in caplog.text


def test_a_client_that_decodes_responses_works_too(redis_url: str, clock: FakeClock) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    try:
        codes = OneTimeCodes(client, KEY, clock=clock)
        code = issue_code(codes)
        assert codes.verify(PURPOSE, SUBJECT, other_than(code)).status is CodeStatus.WRONG
        assert codes.verify(PURPOSE, SUBJECT, code).ok
    finally:
        client.flushdb()
        client.close()


def test_a_verification_that_lands_between_read_and_write_forces_a_fresh_decision(
    redis_client: redis.Redis,
) -> None:
    # The clock is read after the WATCHed reads and before MULTI, so a clock that verifies the
    # same code on the side reproduces the race deterministically.
    rival = OneTimeCodes(redis_client, KEY, clock=lambda: 1_000_000_000.0)
    code = issue_code(rival)
    rival_results: list[VerifyResult] = []

    def racing_clock() -> float:
        if not rival_results:
            rival_results.append(rival.verify(PURPOSE, SUBJECT, code))
        return 1_000_000_000.0

    codes = OneTimeCodes(redis_client, KEY, clock=racing_clock)
    assert codes.verify(PURPOSE, SUBJECT, code).status is CodeStatus.EXPIRED_OR_UNKNOWN
    assert rival_results == [VerifyResult(CodeStatus.OK)]


def test_a_wrong_answer_racing_another_is_counted_once_each(redis_client: redis.Redis) -> None:
    rival = OneTimeCodes(redis_client, KEY, clock=lambda: 1_000_000_000.0)
    code = issue_code(rival)
    rival_results: list[VerifyResult] = []

    def racing_clock() -> float:
        if not rival_results:
            rival_results.append(rival.verify(PURPOSE, SUBJECT, other_than(code)))
        return 1_000_000_000.0

    codes = OneTimeCodes(redis_client, KEY, clock=racing_clock)
    assert codes.verify(PURPOSE, SUBJECT, other_than(code)) == VerifyResult(CodeStatus.WRONG, 3)
    assert rival_results == [VerifyResult(CodeStatus.WRONG, 4)]
