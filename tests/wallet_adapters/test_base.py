"""Value types and the error vocabulary shared by every adapter."""

from __future__ import annotations

import dataclasses

import pytest

from wallet_adapters import (
    AdapterError,
    CallbackRejected,
    InvalidRequest,
    TransferNotFound,
    TransferOutcomeUnknown,
    TransferRequest,
    TransferResult,
    TransferStatus,
)
from wallet_adapters.base import is_e164, is_uuid, mask_msisdn

KEY = "0b6a4c1e-5f0d-4c8e-9b1a-2f3e4d5c6b7a"


def test_statuses_are_lowercase_strings() -> None:
    assert [s.value for s in TransferStatus] == ["pending", "succeeded", "failed", "unknown"]
    assert TransferStatus("succeeded") is TransferStatus.SUCCEEDED
    assert isinstance(TransferStatus.FAILED, str) and TransferStatus.FAILED == "failed"


def test_only_succeeded_and_failed_are_final() -> None:
    assert {s for s in TransferStatus if s.is_final} == {
        TransferStatus.SUCCEEDED, TransferStatus.FAILED}


def test_valid_request_is_frozen() -> None:
    request = TransferRequest(KEY, 500_000, "+84912345678", "Tro cap")
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.amount = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("amount", "msisdn", "key", "code"),
    [(0, "+84912345678", KEY, "invalid_amount"), (-5, "+84912345678", KEY, "invalid_amount"),
     (10.5, "+84912345678", KEY, "invalid_amount"), (True, "+84912345678", KEY, "invalid_amount"),
     (1000, "0912345678", KEY, "invalid_msisdn"), (1000, "+84 912 345 678", KEY, "invalid_msisdn"),
     (1000, "+84912345678", "", "invalid_key")],
)
def test_invalid_requests_are_refused_before_reaching_a_provider(
    amount: object, msisdn: str, key: str, code: str
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        TransferRequest(key, amount, msisdn)  # type: ignore[arg-type]
    assert raised.value.code == code and raised.value.retryable is False
    assert isinstance(raised.value, ValueError)


def test_results_compare_without_their_raw_payload() -> None:
    a = TransferResult(KEY, TransferStatus.SUCCEEDED, "R1", 10, None, {"x": 1})
    b = TransferResult(KEY, TransferStatus.SUCCEEDED, "R1", 10, None, {"x": 2})
    assert a == b


def test_outcome_unknown_is_never_retryable_and_names_the_key() -> None:
    error = TransferOutcomeUnknown(reason="read timeout", idempotency_key=KEY)
    assert isinstance(error, AdapterError)
    assert (error.retryable, error.code, error.idempotency_key) == (False, "outcome_unknown", KEY)


def test_not_found_means_safe_to_send_with_the_same_key() -> None:
    assert TransferNotFound(idempotency_key=KEY).retryable is True


def test_rejected_callback_carries_the_untrusted_key() -> None:
    error = CallbackRejected("stale", "too old", idempotency_key=KEY)
    assert (error.code, error.idempotency_key, error.retryable) == ("stale", KEY, False)
    assert str(error) == "stale: too old"


def test_helpers_recognise_e164_uuid_and_mask_numbers() -> None:
    assert is_e164("+84912345678") and not is_e164("84912345678")
    assert is_uuid(KEY) and not is_uuid("payment-1")
    assert mask_msisdn("+84912345678") == "+84******678"
