"""TOTP/HOTP: RFC test vectors, drift, replay refusal and throttling."""

from __future__ import annotations

import logging
import threading

import pytest
import redis

from otp.errors import PolicyError
from otp.totp import (
    TotpStatus,
    decode_secret,
    encode_secret,
    generate_secret,
    hotp_code,
    match_totp,
    provisioning_uri,
    time_step,
    totp_code,
    verify_totp,
)

RFC_SEED_SHA1 = b"12345678901234567890"
RFC_SEED_SHA256 = b"12345678901234567890123456789012"
RFC_SEED_SHA512 = b"1234567890" * 6 + b"1234"

# RFC 4226 appendix D.
HOTP_VECTORS = ["755224", "287082", "359152", "969429", "338314",
                "254676", "287922", "162583", "399871", "520489"]  # fmt: skip

# RFC 6238 appendix B: time -> (SHA1, SHA256, SHA512), 8 digits.
TOTP_VECTORS = {
    59: ("94287082", "46119246", "90693936"),
    1111111109: ("07081804", "68084774", "25091201"),
    1111111111: ("14050471", "67062674", "99943326"),
    1234567890: ("89005924", "91819424", "93441116"),
    2000000000: ("69279037", "90698825", "38618901"),
    20000000000: ("65353130", "77737706", "47863826"),
}

NOW = 1_700_000_000.0  # a fixed instant in the middle of a step
SECRET = RFC_SEED_SHA1


@pytest.mark.parametrize("counter", range(10))
def test_hotp_matches_rfc4226_appendix_d(counter: int) -> None:
    assert hotp_code(RFC_SEED_SHA1, counter) == HOTP_VECTORS[counter]


@pytest.mark.parametrize("at", sorted(TOTP_VECTORS))
@pytest.mark.parametrize(
    ("index", "algorithm", "seed"),
    [(0, "sha1", RFC_SEED_SHA1), (1, "sha256", RFC_SEED_SHA256), (2, "sha512", RFC_SEED_SHA512)],
)
def test_totp_matches_rfc6238_appendix_b(at: int, index: int, algorithm: str, seed: bytes) -> None:
    assert totp_code(seed, at, digits=8, algorithm=algorithm) == TOTP_VECTORS[at][index]


def test_generated_secret_has_at_least_160_bits_and_round_trips_through_base32() -> None:
    secret = generate_secret()
    assert len(secret) >= 20
    assert secret != generate_secret()
    encoded = encode_secret(secret)
    assert "=" not in encoded
    assert decode_secret(encoded.lower()) == secret


def test_short_secret_is_refused() -> None:
    with pytest.raises(PolicyError):
        generate_secret(10)


def test_provisioning_uri_names_issuer_and_account() -> None:
    uri = provisioning_uri(RFC_SEED_SHA1, "lan.nguyen")
    assert uri == (
        "otpauth://totp/ChiTra:lan.nguyen?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ChiTra"
        "&algorithm=SHA1&digits=6&period=30"
    )


def test_current_code_is_accepted_and_reports_its_step(redis_client: redis.Redis) -> None:
    result = verify_totp(redis_client, "officer:7", SECRET, totp_code(SECRET, NOW), now=NOW)
    assert result.ok
    assert result.step == time_step(NOW)


def test_code_is_refused_on_reuse_within_its_step(redis_client: redis.Redis) -> None:
    code = totp_code(SECRET, NOW)
    assert verify_totp(redis_client, "officer:7", SECRET, code, now=NOW).ok
    again = verify_totp(redis_client, "officer:7", SECRET, code, now=NOW + 1)
    assert again.status is TotpStatus.REPLAYED
    assert again.step is None


def test_older_step_is_refused_after_a_newer_one_was_used(redis_client: redis.Redis) -> None:
    assert verify_totp(redis_client, "officer:7", SECRET, totp_code(SECRET, NOW), now=NOW).ok
    previous = totp_code(SECRET, NOW - 30)
    result = verify_totp(redis_client, "officer:7", SECRET, previous, now=NOW)
    assert result.status is TotpStatus.REPLAYED


def test_next_step_is_accepted_after_the_current_one(redis_client: redis.Redis) -> None:
    assert verify_totp(redis_client, "officer:7", SECRET, totp_code(SECRET, NOW), now=NOW).ok
    later = verify_totp(
        redis_client, "officer:7", SECRET, totp_code(SECRET, NOW + 30), now=NOW + 30
    )
    assert later.ok


def test_replay_is_per_subject(redis_client: redis.Redis) -> None:
    code = totp_code(SECRET, NOW)
    assert verify_totp(redis_client, "officer:7", SECRET, code, now=NOW).ok
    assert verify_totp(redis_client, "officer:8", SECRET, code, now=NOW).ok


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_of_drift_is_tolerated(redis_client: redis.Redis, offset: int) -> None:
    result = verify_totp(
        redis_client, "officer:7", SECRET, totp_code(SECRET, NOW + offset), now=NOW
    )
    assert result.ok
    assert result.step == time_step(NOW + offset)


@pytest.mark.parametrize("offset", [-60, 60, -90])
def test_more_than_one_step_of_drift_is_refused(redis_client: redis.Redis, offset: int) -> None:
    result = verify_totp(
        redis_client, "officer:7", SECRET, totp_code(SECRET, NOW + offset), now=NOW
    )
    assert result.status is TotpStatus.WRONG


def test_drift_wider_than_one_step_cannot_be_configured(redis_client: redis.Redis) -> None:
    with pytest.raises(PolicyError):
        verify_totp(redis_client, "officer:7", SECRET, "000000", now=NOW, drift_steps=2)


def test_spaces_in_a_typed_code_are_ignored(redis_client: redis.Redis) -> None:
    code = totp_code(SECRET, NOW)
    assert verify_totp(redis_client, "officer:7", SECRET, f" {code[:3]} {code[3:]} ", now=NOW).ok


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef"])
def test_malformed_codes_are_wrong(redis_client: redis.Redis, typed: str) -> None:
    assert verify_totp(redis_client, "officer:7", SECRET, typed, now=NOW).status is TotpStatus.WRONG


def test_repeated_failures_lock_the_subject_and_are_logged(
    redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    code = totp_code(SECRET, NOW)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        result = verify_totp(redis_client, "officer:7", SECRET, wrong, now=NOW, max_failures=3)
        assert result.status is TotpStatus.WRONG
    locked = verify_totp(redis_client, "officer:7", SECRET, code, now=NOW, max_failures=3)
    assert locked.status is TotpStatus.LOCKED
    assert "TOTP locked for subject officer:7" in caplog.text
    assert code not in caplog.text and wrong not in caplog.text


def test_success_ends_the_failure_streak(redis_client: redis.Redis) -> None:
    code = totp_code(SECRET, NOW)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(2):
        verify_totp(redis_client, "officer:7", SECRET, wrong, now=NOW, max_failures=3)
    assert verify_totp(redis_client, "officer:7", SECRET, code, now=NOW, max_failures=3).ok
    for _ in range(2):
        verify_totp(redis_client, "officer:7", SECRET, wrong, now=NOW + 30, max_failures=3)
    later = totp_code(SECRET, NOW + 30)
    assert verify_totp(redis_client, "officer:7", SECRET, later, now=NOW + 30, max_failures=3).ok


def test_concurrent_verifications_of_one_code_accept_it_once(redis_client: redis.Redis) -> None:
    code = totp_code(SECRET, NOW)
    barrier = threading.Barrier(8)
    results: list[TotpStatus] = []

    def attempt() -> None:
        barrier.wait()
        results.append(verify_totp(redis_client, "officer:7", SECRET, code, now=NOW).status)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(TotpStatus.OK) == 1
    assert results.count(TotpStatus.REPLAYED) == 7


def test_match_totp_names_the_step_within_one_step_of_drift_and_keeps_no_state() -> None:
    step = time_step(NOW)
    assert match_totp(SECRET, totp_code(SECRET, NOW), now=NOW) == step
    assert match_totp(SECRET, totp_code(SECRET, NOW), now=NOW) == step  # stateless
    assert match_totp(SECRET, totp_code(SECRET, NOW - 30), now=NOW) == step - 1
    assert match_totp(SECRET, totp_code(SECRET, NOW - 60), now=NOW) is None
    assert match_totp(SECRET, totp_code(SECRET, NOW - 30), now=NOW, drift_steps=0) is None
    assert match_totp(SECRET, "12a456", now=NOW) is None
    with pytest.raises(PolicyError):
        match_totp(SECRET, "123456", now=NOW, drift_steps=2)
