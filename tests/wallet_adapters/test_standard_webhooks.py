"""Standard Webhooks 1.0 signing and verification."""

from __future__ import annotations

import pytest

from wallet_adapters import standard_webhooks as sw
from wallet_adapters.errors import WebhookVerificationError

# The example published with the Standard Webhooks / Svix reference libraries.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

BODY = b'{"data":{"idempotency_key":"k1","status":"succeeded","amount":500000}}'
NOW = 1_800_000_000


def code_of(secrets: object, headers: dict[str, str], body: bytes = BODY, **kw: object) -> str:
    with pytest.raises(WebhookVerificationError) as raised:
        sw.verify(secrets, headers, body, now=NOW, **kw)  # type: ignore[arg-type]
    return raised.value.code


@pytest.fixture
def secret() -> str:
    return sw.generate_secret()


@pytest.fixture
def headers(secret: str) -> dict[str, str]:
    return sw.signed_headers(secret, BODY, msg_id="msg_1", timestamp=NOW)


def test_signature_matches_the_published_example() -> None:
    assert sw.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY) == VECTOR_SIGNATURE
    headers = {"webhook-id": VECTOR_ID, "webhook-timestamp": str(VECTOR_TS),
               "webhook-signature": VECTOR_SIGNATURE}
    assert sw.verify(VECTOR_SECRET, headers, VECTOR_BODY, now=VECTOR_TS) == VECTOR_ID


def test_valid_signature_passes_and_gives_the_webhook_id(secret: str, headers: dict) -> None:
    assert sw.verify(secret, headers, BODY, now=NOW) == "msg_1"


def test_generated_secrets_are_whsec_and_distinct() -> None:
    first, second = sw.generate_secret(), sw.generate_secret()
    assert first.startswith("whsec_") and first != second
    assert len(sw.secret_key(first)) == 32


def test_tampered_body_is_rejected(secret: str, headers: dict) -> None:
    assert code_of(secret, headers, BODY.replace(b"500000", b"900000")) == "bad_signature"


def test_body_is_verified_as_raw_bytes_not_reserialised_json(secret: str, headers: dict) -> None:
    assert code_of(secret, headers, BODY.replace(b":", b": ")) == "bad_signature"


def test_wrong_secret_is_rejected(headers: dict) -> None:
    assert code_of(sw.generate_secret(), headers) == "bad_signature"


def test_tampered_id_or_timestamp_is_rejected(secret: str, headers: dict) -> None:
    assert code_of(secret, {**headers, "webhook-id": "msg_2"}) == "bad_signature"
    assert code_of(secret, {**headers, "webhook-timestamp": str(NOW + 1)}) == "bad_signature"


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_rejected(secret: str, headers: dict, missing: str) -> None:
    del headers[missing]
    assert code_of(secret, headers) == "missing_header"


def test_header_names_are_case_insensitive(secret: str, headers: dict) -> None:
    upper = {k.upper(): v for k, v in headers.items()}
    assert sw.verify(secret, upper, BODY, now=NOW) == "msg_1"


def test_non_numeric_timestamp_is_rejected(secret: str, headers: dict) -> None:
    assert code_of(secret, {**headers, "webhook-timestamp": "yesterday"}) == "bad_timestamp"


def test_timestamp_older_than_five_minutes_is_stale(secret: str) -> None:
    old = sw.signed_headers(secret, BODY, msg_id="m", timestamp=NOW - 301)
    assert code_of(secret, old) == "stale"
    edge = sw.signed_headers(secret, BODY, msg_id="m", timestamp=NOW - 299)
    assert sw.verify(secret, edge, BODY, now=NOW) == "m"


def test_timestamp_more_than_five_minutes_ahead_is_future(secret: str) -> None:
    ahead = sw.signed_headers(secret, BODY, msg_id="m", timestamp=NOW + 301)
    assert code_of(secret, ahead) == "future"
    edge = sw.signed_headers(secret, BODY, msg_id="m", timestamp=NOW + 299)
    assert sw.verify(secret, edge, BODY, now=NOW) == "m"


def test_replayed_id_is_rejected_by_the_seen_hook(secret: str, headers: dict) -> None:
    seen_ids: set[str] = set()

    def seen(msg_id: str) -> bool:
        already = msg_id in seen_ids
        seen_ids.add(msg_id)
        return already

    assert sw.verify(secret, headers, BODY, now=NOW, seen=seen) == "msg_1"
    assert code_of(secret, headers, seen=seen) == "replay"


def test_forged_callback_never_reaches_the_seen_hook(headers: dict) -> None:
    calls: list[str] = []
    code_of(sw.generate_secret(), headers, seen=lambda i: calls.append(i) or False)
    assert calls == []


def test_any_rotated_secret_is_accepted(secret: str, headers: dict) -> None:
    newer = sw.generate_secret()
    assert sw.verify([newer, secret], headers, BODY, now=NOW) == "msg_1"
    assert sw.verify(f"{newer} {secret}", headers, BODY, now=NOW) == "msg_1"


def test_sender_signing_with_old_and_new_secret_passes_either_receiver(secret: str) -> None:
    newer = sw.generate_secret()
    both = sw.signed_headers([secret, newer], BODY, msg_id="m", timestamp=NOW)
    assert len(both["webhook-signature"].split()) == 2
    assert sw.verify(newer, both, BODY, now=NOW) == "m"
    assert sw.verify(secret, both, BODY, now=NOW) == "m"


def test_unknown_signature_versions_are_ignored(secret: str, headers: dict) -> None:
    mixed = {**headers, "webhook-signature": "v1a,abc " + headers["webhook-signature"]}
    assert sw.verify(secret, mixed, BODY, now=NOW) == "msg_1"
    only_v1a = {**headers, "webhook-signature": "v1a," + headers["webhook-signature"][3:]}
    assert code_of(secret, only_v1a) == "bad_signature"


def test_garbage_signature_is_rejected_not_crashing(secret: str, headers: dict) -> None:
    assert code_of(secret, {**headers, "webhook-signature": "v1,%%%not-base64"}) == "bad_signature"


def test_secret_that_is_not_base64_is_refused() -> None:
    with pytest.raises(WebhookVerificationError) as raised:
        sw.Verifier("whsec_!!!")
    assert raised.value.code == "bad_secret"


def test_verifier_without_secrets_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        sw.Verifier("")
