"""The template's pure mapping: its status map, amounts and errors (copy it with the package)."""

from __future__ import annotations

import pytest

from wallet_adapters import AdapterError, TransferNotFound, TransferStatus
from wallet_adapters._template import transformers as tf


@pytest.mark.parametrize(("word", "status"), [
    ("paid", TransferStatus.SUCCEEDED), ("PAID", TransferStatus.SUCCEEDED),
    ("rejected", TransferStatus.FAILED),
    ("received", TransferStatus.PENDING), ("processing", TransferStatus.PENDING),
    ("reversed", TransferStatus.PENDING), ("", TransferStatus.PENDING),
    (None, TransferStatus.PENDING), (7, TransferStatus.PENDING),
])
def test_only_documented_final_words_are_final(word: object, status: TransferStatus) -> None:
    assert tf.map_status(word) is status


@pytest.mark.parametrize("value", [1.5, "500000", True, -1, None])
def test_amounts_that_are_not_whole_dong_are_not_guessed(value: object) -> None:
    assert tf.parse_amount(value) is None


def test_a_rejected_payout_carries_a_reason_and_a_paid_one_none() -> None:
    rejected = tf.result_from_payout("k", {"id": "TPL1", "state": "rejected", "amount": 5})
    paid = tf.result_from_payout("k", {"id": "TPL1", "state": "paid", "amount": 5,
                                       "failure_reason": "ignored"})
    assert (rejected.status, rejected.reason) == (TransferStatus.FAILED, "rejected by the provider")
    assert (paid.status, paid.reason, paid.amount) == (TransferStatus.SUCCEEDED, None, 5)


@pytest.mark.parametrize(("status", "body", "lookup", "kind", "code", "retryable"), [
    (503, {"error": {"code": "unavailable"}}, False, AdapterError, "unavailable", True),
    (429, None, False, AdapterError, "http_429", True),
    (502, "<html>", False, AdapterError, "http_502", True),
    (409, {"error": {"code": "idempotency_conflict"}}, False, AdapterError, "modified_request",
     False),
    (400, {"error": {"code": "invalid_amount", "message": "no"}}, False, AdapterError,
     "invalid_amount", False),
    (404, {"error": {"code": "payout_not_found"}}, True, TransferNotFound, "payout_not_found",
     True),
    (404, {"error": 5}, False, AdapterError, "http_404", False),
])
def test_errors_map_to_retryable_final_or_not_found(
    status: int, body: object, lookup: bool, kind: type, code: str, retryable: bool
) -> None:
    error = tf.error_from_response(status, body, idempotency_key="k", lookup=lookup)
    assert type(error) is kind
    assert (error.code, error.retryable) == (code, retryable)


@pytest.mark.parametrize("body", [
    {}, {"type": "payout.updated"}, {"type": "payout.updated", "payout": []},
    {"type": "payout.updated", "payout": {"reference": 5}},
    {"type": "other", "payout": {"reference": "k"}},
    {"type": "payout.updated", "payout": {"reference": "k", "amount": 1.5}},
])
def test_callbacks_that_are_not_payout_events_are_refused(body: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        tf.event_from_callback(body, "evt")
