"""GSMA Mobile Money API v1.2 disbursement adapter.

Transfer: ``POST /transactions/type/disbursement`` with our key as ``X-CorrelationID``.
Status by our key: ``GET /responses/{clientCorrelationId}`` gives a link to the transaction
(or request state), which we then read. Callbacks: ``PUT {X-Callback-URL}`` with a Transaction
or an Error object, signed with Standard Webhooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from wallet_adapters import standard_webhooks
from wallet_adapters.base import (
    AccountCheck,
    CallbackEvent,
    SeenHook,
    SettingSpec,
    TransferRequest,
    TransferResult,
    is_uuid,
    json_or_none,
)
from wallet_adapters.errors import (
    AdapterError,
    CallbackRejected,
    InvalidRequest,
    NotSupported,
)
from wallet_adapters.gsma import transformers as tf
from wallet_adapters.gsma.client import GsmaClient
from wallet_adapters.http_client import HTTP_SETTINGS, client_options
from wallet_adapters.registry import register

DISBURSEMENT_PATH = "/transactions/type/disbursement"


# Headers GSMA providers print on statements: field names of the Transaction object, and the
# header our key travels in.
STATEMENT_COLUMNS = {
    "reference": ("requestingOrganisationTransactionReference", "X-CorrelationID"),
    "provider_ref": ("transactionReference",),
    "status": ("transactionStatus",),
}


@register("gsma", display_name="GSMA Mobile Money", statement_columns=STATEMENT_COLUMNS)
class GsmaAdapter:
    """Pay through a provider speaking the GSMA Mobile Money API v1.2."""

    name = "gsma"
    settings_schema: ClassVar[tuple[SettingSpec, ...]] = (
        SettingSpec("base_url", str, required=True, help="API root, e.g. https://mmp/mm/v1.2"),
        SettingSpec("api_key", str, None, secret=True, help="bearer token or API key"),
        SettingSpec("auth_scheme", str, "bearer", help='"bearer" or "x-api-key"'),
        SettingSpec(
            "webhook_secret", str, None, secret=True,
            help="whsec_ secret(s) verifying callbacks, space separated during rotation",
        ),
        SettingSpec("callback_url", str, None, help="X-Callback-URL when a request has none"),
        *HTTP_SETTINGS,
        SettingSpec("debit_party_key", str, "accountid", help="identifier type of our account"),
        SettingSpec("debit_party_value", str, None, help="our disbursement account identifier"),
    )

    def __init__(
        self, settings: Mapping[str, Any], *, transport: httpx.AsyncBaseTransport | None = None
    ):
        self._client = GsmaClient(
            str(settings["base_url"]),
            api_key=settings.get("api_key"),
            auth_scheme=str(settings.get("auth_scheme") or "bearer"),
            transport=transport,
            **client_options(settings),
        )
        self._verifier = standard_webhooks.verifier_for(settings.get("webhook_secret"))
        self._callback_url: str | None = settings.get("callback_url")
        self._debit_key: str | None = settings.get("debit_party_key")
        self._debit_value: str | None = settings.get("debit_party_value")

    async def transfer(self, request: TransferRequest) -> TransferResult:
        """Submit a disbursement; the provider answers 202 with a Request State.

        Raises:
            InvalidRequest: if our key is not a UUID (GSMA requires one in X-CorrelationID).
            AdapterError: retryable on 429/5xx/connect errors; final on other 4xx.
            TransferOutcomeUnknown: on a timeout or dropped connection after sending.
        """
        key = request.idempotency_key
        if not is_uuid(key):
            raise InvalidRequest("invalid_key", "GSMA X-CorrelationID must be a UUID")
        headers = {"X-CorrelationID": key, "X-Date": tf.now_iso()}
        callback_url = request.callback_url or self._callback_url
        if callback_url:
            headers["X-Callback-URL"] = callback_url
        body = tf.disbursement_body(
            request, debit_key=self._debit_key, debit_value=self._debit_value
        )
        code, answer = await self._client.request(
            "POST", DISBURSEMENT_PATH, headers=headers, body=body, applies=True,
            idempotency_key=key,
        )
        if code in (200, 201, 202) and isinstance(answer, Mapping):
            return tf.result_from_body(key, answer)
        raise tf.error_from_response(code, answer, idempotency_key=key)

    async def status(self, idempotency_key: str) -> TransferResult:
        """Find the transfer by our key via ``/responses/{key}`` and read what it links to.

        Raises:
            TransferNotFound: the provider has no record of the key.
            AdapterError: the provider could not answer now (retryable).
        """
        key = idempotency_key
        code, answer = await self._client.request("GET", f"/responses/{quote(key, safe='')}")
        if code != 200 or not isinstance(answer, Mapping):
            raise tf.error_from_response(code, answer, idempotency_key=key, lookup=True)
        try:
            resource, ref = tf.link_reference(str(answer["link"]))
        except (KeyError, ValueError):
            raise AdapterError(
                "bad_answer", "response object has no usable link", retryable=True
            ) from None
        code, answer = await self._client.request("GET", f"/{resource}/{quote(ref, safe='')}")
        if code != 200 or not isinstance(answer, Mapping):
            raise tf.error_from_response(code, answer, idempotency_key=key, lookup=True)
        return tf.result_from_body(key, answer)

    def parse_callback(
        self, headers: Mapping[str, str], body: bytes, *, seen: SeenHook | None = None
    ) -> CallbackEvent:
        """Verify a GSMA callback's Standard Webhooks signature and parse its Transaction/Error.

        The key is taken from the signed body; an ``X-CorrelationID`` header that disagrees
        with it is rejected, because headers are not covered by the signature.

        Raises:
            CallbackRejected: unverifiable, replayed, mismatched or malformed callbacks.
        """
        parsed = json_or_none(body)
        untrusted_key = _header_key(headers)
        if isinstance(parsed, Mapping):
            untrusted_key = tf.callback_key(parsed) or untrusted_key
        event_id = standard_webhooks.verified_event_id(
            self._verifier, headers, body, seen=seen, idempotency_key=untrusted_key)
        if not isinstance(parsed, Mapping):
            raise CallbackRejected("malformed", "callback body is not a JSON object",
                                   idempotency_key=_header_key(headers))
        try:
            event = tf.event_from_callback(parsed, event_id)
        except ValueError as exc:
            raise CallbackRejected("malformed", str(exc), idempotency_key=untrusted_key) from None
        header_key = _header_key(headers)
        if header_key is not None and header_key != event.idempotency_key:
            raise CallbackRejected(
                "mismatch", "X-CorrelationID header does not match the signed body",
                idempotency_key=event.idempotency_key,
            )
        return event

    async def check_account(self, msisdn: str) -> AccountCheck:
        """Ask ``GET /accounts/msisdn/{msisdn}/status`` whether the wallet can receive money."""
        code, answer = await self._client.request(
            "GET", f"/accounts/msisdn/{quote(msisdn, safe='')}/status"
        )
        if code == 404:
            return AccountCheck(msisdn, False, None, "no wallet for this number")
        if code != 200 or not isinstance(answer, Mapping):
            raise tf.error_from_response(code, answer)
        state = str(answer.get("accountStatus", "")).lower()
        return AccountCheck(msisdn, state == "available", None, None if state == "available"
                            else f"account status {state or 'unknown'}")

    async def balance(self) -> int:
        """Read our disbursement account's available balance in whole đồng.

        Raises:
            NotSupported: if no ``debit_party_value`` is configured.
        """
        if not (self._debit_key and self._debit_value):
            raise NotSupported(reason="set debit_party_value to read the account balance")
        code, answer = await self._client.request(
            "GET", f"/accounts/{quote(self._debit_key)}/{quote(self._debit_value)}/balance"
        )
        if code != 200 or not isinstance(answer, Mapping):
            raise tf.error_from_response(code, answer)
        amount = tf.parse_amount(answer.get("availableBalance", answer.get("currentBalance")))
        if amount is None:
            raise AdapterError(
                "bad_answer", "balance answer has no readable amount", retryable=True
            )
        return amount

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.aclose()


def _header_key(headers: Mapping[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "x-correlationid":
            return value
    return None

