"""Pure GSMA mapping: status maps, amounts, bodies, callbacks and errors."""

from __future__ import annotations

import pytest

from tests.wallet_adapters.contract import new_request
from wallet_adapters import AdapterError, TransferNotFound, TransferStatus
from wallet_adapters.gsma import transformers as tf


@pytest.mark.parametrize(
    ("value", "expected"),
    [("completed", TransferStatus.SUCCEEDED), ("failed", TransferStatus.FAILED),
     ("pending", TransferStatus.PENDING), ("COMPLETED", TransferStatus.SUCCEEDED),
     ("accepted", TransferStatus.PENDING), ("", TransferStatus.PENDING),
     (None, TransferStatus.PENDING)],
)
def test_request_state_status_map_is_explicit_and_defaults_to_pending(
    value: object, expected: TransferStatus
) -> None:
    assert tf.map_request_state_status(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("completed", TransferStatus.SUCCEEDED), ("failed", TransferStatus.FAILED),
     ("rejected", TransferStatus.FAILED), ("declined", TransferStatus.FAILED),
     ("pending", TransferStatus.PENDING), ("reversed", TransferStatus.PENDING),
     ("unknown", TransferStatus.PENDING), ("somethingNew", TransferStatus.PENDING)],
)
def test_transaction_status_map_is_explicit_and_defaults_to_pending(
    value: str, expected: TransferStatus
) -> None:
    assert tf.map_transaction_status(value) is expected


def test_no_status_maps_to_unknown_which_is_only_ours_to_decide() -> None:
    finals = set(tf.TRANSACTION_STATUS.values()) | set(tf.REQUEST_STATE_STATUS.values())
    assert TransferStatus.UNKNOWN not in finals


@pytest.mark.parametrize(
    ("text", "amount"),
    [("50000", 50000), ("50000.00", 50000), ("50000.5", None), ("abc", None), (None, None),
     ("", None)],
)
def test_amounts_are_whole_dong(text: object, amount: int | None) -> None:
    assert tf.parse_amount(text) == amount


def test_disbursement_body_carries_vnd_payee_note_and_our_key() -> None:
    request = new_request(amount=1_500_000)
    body = tf.disbursement_body(request, debit_key="accountid", debit_value="2999")
    assert body["amount"] == "1500000"
    assert body["currency"] == "VND"
    assert body["creditParty"] == [{"key": "msisdn", "value": request.msisdn}]
    assert body["debitParty"] == [{"key": "accountid", "value": "2999"}]
    assert body["descriptionText"] == request.note
    assert body["requestingOrganisationTransactionReference"] == request.idempotency_key
    assert body["requestDate"].endswith("Z")


def test_disbursement_body_omits_debit_party_when_not_configured() -> None:
    body = tf.disbursement_body(new_request(), debit_key="accountid", debit_value=None)
    assert "debitParty" not in body


def test_request_state_becomes_a_pending_result_with_a_reference() -> None:
    state = {"serverCorrelationId": "9a1d…", "objectReference": "REF1", "status": "pending",
             "notificationMethod": "callback", "pollLimit": 100}
    result = tf.result_from_body("k", state)
    assert (result.status, result.provider_ref, result.reason) == (
        TransferStatus.PENDING, "REF1", None)
    assert result.raw["notificationMethod"] == "callback"


def test_failed_request_state_carries_the_error_as_reason() -> None:
    state = {"serverCorrelationId": "s", "status": "failed", "notificationMethod": "polling",
             "error": {"errorCategory": "businessRule", "errorCode": "insufficientFunds",
                       "errorDescription": "float too low"}}
    result = tf.result_from_body("k", state)
    assert result.status is TransferStatus.FAILED
    assert result.reason == "insufficientFunds: float too low"


def test_transaction_becomes_a_result_with_amount() -> None:
    txn = {"transactionReference": "REF9", "transactionStatus": "completed", "amount": "700000"}
    result = tf.result_from_body("k", txn)
    assert (result.status, result.provider_ref, result.amount) == (
        TransferStatus.SUCCEEDED, "REF9", 700000)


def test_transaction_callback_becomes_an_event_keyed_by_the_signed_body() -> None:
    txn = {"transactionReference": "REF9", "transactionStatus": "completed", "amount": "700000",
           "requestingOrganisationTransactionReference": "key-1"}
    event = tf.event_from_callback(txn, "evt_1")
    assert (event.idempotency_key, event.status, event.amount, event.provider_ref,
            event.event_id) == ("key-1", TransferStatus.SUCCEEDED, 700000, "REF9", "evt_1")


def test_error_callback_becomes_a_failed_event() -> None:
    error = {"errorCategory": "businessRule", "errorCode": "requestDeclined",
             "errorDescription": "wallet blocked",
             "errorParameters": [{"key": "clientCorrelationId", "value": "key-2"},
                                 {"key": "transactionReference", "value": "REF2"}]}
    event = tf.event_from_callback(error, "evt_2")
    assert (event.idempotency_key, event.status, event.provider_ref) == (
        "key-2", TransferStatus.FAILED, "REF2")
    assert event.reason == "requestDeclined: wallet blocked"


@pytest.mark.parametrize("body", [{"transactionStatus": "completed"}, {"hello": "world"},
                                  {"requestingOrganisationTransactionReference": "k"}])
def test_callback_without_our_key_or_an_outcome_is_refused(body: dict) -> None:
    with pytest.raises(ValueError):
        tf.event_from_callback(body, "evt")


def test_response_link_is_split_into_resource_and_id() -> None:
    assert tf.link_reference("/transactions/REF1") == ("transactions", "REF1")
    assert tf.link_reference("https://mmp/mm/v1.2/requeststates/abc?x=1") == (
        "requeststates", "abc")
    with pytest.raises(ValueError):
        tf.link_reference("/")


@pytest.mark.parametrize("status_code", [429, 500, 502, 503, 504])
def test_overload_and_server_errors_are_retryable(status_code: int) -> None:
    error = tf.error_from_response(status_code, {"errorCode": "genericError"})
    assert error.retryable is True


def test_client_errors_are_final_and_keep_the_provider_code_and_description() -> None:
    error = tf.error_from_response(
        400, {"errorCategory": "validation", "errorCode": "formatError",
              "errorDescription": "bad msisdn"})
    assert (error.retryable, error.code, error.reason) == (False, "formatError", "bad msisdn")


def test_duplicate_request_means_our_key_was_reused_with_other_parameters() -> None:
    error = tf.error_from_response(400, {"errorCode": "duplicateRequest"})
    assert error.code == "modified_request" and error.retryable is False


def test_not_found_is_only_a_missing_transfer_on_lookups() -> None:
    assert isinstance(tf.error_from_response(404, None, lookup=True), TransferNotFound)
    posted = tf.error_from_response(404, None)
    assert type(posted) is AdapterError and posted.retryable is False
    assert posted.code == "http_404"
