"""GSMA adapter and simulator specifics: wire format, error classification, control API."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.wallet_adapters.contract import new_request
from wallet_adapters import (
    AdapterError,
    CallbackRejected,
    InvalidRequest,
    NotSupported,
    TransferOutcomeUnknown,
    TransferStatus,
)
from wallet_adapters.gsma import GsmaAdapter
from wallet_adapters.gsma.sim.server import SimulatorThread, build_parser
from wallet_adapters.registry import validate_settings
from wallet_adapters.standard_webhooks import signed_headers

SECRET = "whsec_Z3NtYS10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm"


def mocked(handler: Callable[[httpx.Request], httpx.Response], **settings: Any) -> GsmaAdapter:
    clean = validate_settings("gsma", {"base_url": "https://mmp.test/mm/v1.2",
                                       "webhook_secret": SECRET, **settings})
    return GsmaAdapter(clean, transport=httpx.MockTransport(handler))


def transfer_with(handler: Callable[[httpx.Request], httpx.Response], **settings: Any) -> Any:
    async def main() -> Any:
        adapter = mocked(handler, **settings)
        try:
            return await adapter.transfer(new_request(callback_url="https://gw.test/cb"))
        finally:
            await adapter.aclose()

    return asyncio.run(main())


def raising(exc: type[Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)  # type: ignore[call-arg]

    return handler


def test_disbursement_request_follows_the_gsma_wire_format() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"serverCorrelationId": str(uuid.uuid4()),
                                         "status": "pending", "notificationMethod": "callback",
                                         "objectReference": "REF1", "pollLimit": 10})

    result = transfer_with(handler, api_key="tok_1", debit_party_value="2999")
    [request] = seen
    assert request.method == "POST"
    assert request.url.path == "/mm/v1.2/transactions/type/disbursement"
    assert uuid.UUID(request.headers["X-CorrelationID"])
    assert request.headers["X-Callback-URL"] == "https://gw.test/cb"
    assert request.headers["X-Date"] and request.headers["Authorization"] == "Bearer tok_1"
    body = json.loads(request.content)
    assert body["currency"] == "VND" and body["amount"] == "500000"
    assert body["debitParty"] == [{"key": "accountid", "value": "2999"}]
    assert (result.status, result.provider_ref) == (TransferStatus.PENDING, "REF1")


def test_api_key_scheme_sends_x_api_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"serverCorrelationId": "s", "status": "pending",
                                         "notificationMethod": "polling"})

    transfer_with(handler, api_key="k1", auth_scheme="x-api-key")
    assert seen[0].headers["X-API-Key"] == "k1" and "Authorization" not in seen[0].headers


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_errors_before_sending_are_retryable(exc: type[Exception]) -> None:
    with pytest.raises(AdapterError) as raised:
        transfer_with(raising(exc))
    assert raised.value.retryable is True
    assert not isinstance(raised.value, TransferOutcomeUnknown)


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.RemoteProtocolError])
def test_lost_answers_after_sending_make_the_outcome_unknown(exc: type[Exception]) -> None:
    with pytest.raises(TransferOutcomeUnknown) as raised:
        transfer_with(raising(exc))
    assert raised.value.retryable is False and raised.value.idempotency_key


def test_unreadable_success_answer_makes_the_outcome_unknown() -> None:
    with pytest.raises(TransferOutcomeUnknown):
        transfer_with(lambda request: httpx.Response(202, content=b"<html>"))


@pytest.mark.parametrize("status_code", [429, 500, 503])
def test_overload_and_server_errors_are_retryable(status_code: int) -> None:
    with pytest.raises(AdapterError) as raised:
        transfer_with(lambda r: httpx.Response(status_code, json={"errorCode": "genericError"}))
    assert raised.value.retryable is True


def test_client_error_is_final_with_the_provider_reason() -> None:
    body = {"errorCategory": "validation", "errorCode": "identifierError",
            "errorDescription": "unknown msisdn"}
    with pytest.raises(AdapterError) as raised:
        transfer_with(lambda r: httpx.Response(400, json=body))
    assert (raised.value.retryable, raised.value.code, raised.value.reason) == (
        False, "identifierError", "unknown msisdn")


def test_lost_answer_on_a_status_query_is_just_retryable() -> None:
    async def main() -> None:
        adapter = mocked(raising(httpx.ReadTimeout))
        await adapter.status(str(uuid.uuid4()))

    with pytest.raises(AdapterError) as raised:
        asyncio.run(main())
    assert raised.value.retryable is True
    assert not isinstance(raised.value, TransferOutcomeUnknown)


def test_key_that_is_not_a_uuid_is_refused_before_sending() -> None:
    async def main() -> None:
        adapter = mocked(lambda r: httpx.Response(500))
        await adapter.transfer(new_request(idempotency_key="payment-42"))

    with pytest.raises(InvalidRequest):
        asyncio.run(main())


def test_balance_needs_a_configured_debit_account() -> None:
    with pytest.raises(NotSupported):
        asyncio.run(mocked(lambda r: httpx.Response(500)).balance())


def test_callback_whose_header_key_disagrees_with_the_signed_body_is_rejected() -> None:
    body = json.dumps({"transactionReference": "R1", "transactionStatus": "completed",
                       "amount": "1000", "requestingOrganisationTransactionReference": "key-a"})
    headers = {**signed_headers(SECRET, body.encode()), "X-CorrelationID": "key-b"}
    with pytest.raises(CallbackRejected) as raised:
        mocked(lambda r: httpx.Response(500)).parse_callback(headers, body.encode())
    assert raised.value.code == "mismatch"


def test_callbacks_cannot_be_trusted_without_a_configured_secret() -> None:
    clean = validate_settings("gsma", {"base_url": "https://mmp.test"})
    with pytest.raises(CallbackRejected) as raised:
        GsmaAdapter(clean).parse_callback({}, b"{}")
    assert raised.value.code == "no_secret"


def test_unreachable_provider_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before use: nothing listens there

    async def main() -> None:
        adapter = GsmaAdapter(validate_settings("gsma", {"base_url": f"http://127.0.0.1:{port}"}))
        try:
            await adapter.transfer(new_request())
        finally:
            await adapter.aclose()

    with pytest.raises(AdapterError) as raised:
        asyncio.run(main())
    assert raised.value.retryable is True


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with SimulatorThread(api_key="sim-key", timeout_mode="hang", hang_s=1.0) as running:
        yield running


@pytest.fixture
def control(sim: SimulatorThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, timeout=5, verify=False) as client:
        client.post("/_sim/reset")
        client.post("/_sim/config", json={"timeout_after_apply_rate": 0, "failure_rate": 0})
        yield client


def sim_adapter(sim: SimulatorThread, **settings: Any) -> GsmaAdapter:
    return GsmaAdapter(validate_settings("gsma", {
        "base_url": sim.url, "api_key": "sim-key", "webhook_secret": sim.secret,
        "debit_party_value": "2999", **settings}))


def test_simulator_refuses_bad_credentials(sim: SimulatorThread, control: httpx.Client) -> None:
    with pytest.raises(AdapterError) as raised:
        asyncio.run(sim_adapter(sim, api_key="wrong").transfer(new_request()))
    assert (raised.value.code, raised.value.retryable) == ("clientAuthorisationError", False)


def test_simulator_refuses_a_correlation_id_that_is_not_a_uuid(
    sim: SimulatorThread, control: httpx.Client
) -> None:
    answer = control.post("/transactions/type/disbursement", headers={
        "X-CorrelationID": "nope", "Authorization": "Bearer sim-key"}, json={})
    assert answer.status_code == 400 and answer.json()["errorCode"] == "formatError"


def test_hanging_provider_past_the_client_timeout_is_unknown_then_resolved(
    sim: SimulatorThread, control: httpx.Client
) -> None:
    control.post("/_sim/config", json={"timeout_after_apply_rate": 1.0})
    request = new_request()
    with pytest.raises(TransferOutcomeUnknown):
        asyncio.run(sim_adapter(sim, timeout_s=0.2).transfer(request))
    control.post("/_sim/config", json={"timeout_after_apply_rate": 0.0})
    result = asyncio.run(sim_adapter(sim).status(request.idempotency_key))
    assert result.status is TransferStatus.SUCCEEDED
    assert sim.book.applied_count(request.idempotency_key) == 1


def test_control_api_lists_applied_transfers_and_reports_config(
    sim: SimulatorThread, control: httpx.Client
) -> None:
    request = new_request(amount=250_000)
    asyncio.run(sim_adapter(sim).transfer(request))
    applied = control.get("/_sim/applied").json()
    assert applied["count"] == 1
    assert applied["applied"][0]["idempotency_key"] == request.idempotency_key
    assert applied["applied"][0]["amount"] == 250_000
    assert control.get("/_sim/config").json()["timeout_mode"] == "hang"
    assert control.post("/_sim/config", json={"failure_rate": 2}).status_code == 400
    assert control.post("/_sim/config", json={"nonsense": 1}).status_code == 400


def test_simulator_reports_balance_and_account_status(
    sim: SimulatorThread, control: httpx.Client
) -> None:
    async def main() -> tuple[int, bool]:
        adapter = sim_adapter(sim)
        before = await adapter.balance()
        await adapter.transfer(new_request(amount=100_000))
        check = await adapter.check_account("+84912345678")
        return before - await adapter.balance(), check.active

    assert asyncio.run(main()) == (100_000, True)


def test_command_line_accepts_every_fault_knob() -> None:
    args = build_parser().parse_args(
        ["--port", "8090", "--failure-rate", "0.1", "--timeout-after-apply-rate", "0.05",
         "--duplicate-callback-rate", "0.2", "--seed", "7", "--timeout-mode", "hang"])
    assert (args.port, args.failure_rate, args.seed, args.timeout_mode) == (
        8090, 0.1, 7, "hang")
