"""The Template Pay API adapter: the example to copy (see the package docstring).

Transfer: ``POST /v1/payouts`` with our key as ``Idempotency-Key``. Status by our key:
``GET /v1/payouts/by-reference/{key}``. Callbacks: ``POST {callback_url}`` with a payout event,
signed with Standard Webhooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from wallet_adapters import standard_webhooks
from wallet_adapters._template import transformers as tf
from wallet_adapters._template.client import TemplateClient
from wallet_adapters.base import (
    AccountCheck,
    CallbackEvent,
    SeenHook,
    SettingSpec,
    TransferRequest,
    TransferResult,
    json_or_none,
)
from wallet_adapters.errors import AdapterError, CallbackRejected
from wallet_adapters.http_client import HTTP_SETTINGS, client_options
from wallet_adapters.registry import register

# FILL: the name payments and `gateway wallet set NAME --kind NAME` use, and how people read it.
NAME = "template"
DISPLAY_NAME = "Template Pay"
# FILL: the headers your provider prints on its statements (sao kê), by our field; generic
# ones ("reference", "amount", "số tiền"...) are already known.
STATEMENT_COLUMNS = {
    "reference": ("payout_reference",),
    "provider_ref": ("payout_id",),
    "status": ("payout_state",),
}
PAYOUTS = "/v1/payouts"


class TemplateAdapter:
    """Pay through the Template Pay API (the provider template's example protocol)."""

    name = NAME
    # FILL: your provider's settings; mark every credential secret=True (stored encrypted).
    settings_schema: ClassVar[tuple[SettingSpec, ...]] = (
        SettingSpec("base_url", str, required=True, help="API root, e.g. https://api.example"),
        SettingSpec("api_key", str, None, secret=True, help="bearer token"),
        SettingSpec("webhook_secret", str, None, secret=True,
                    help="whsec_ secret(s) verifying callbacks, space separated during rotation"),
        SettingSpec("callback_url", str, None, help="callback URL when a request has none"),
        *HTTP_SETTINGS,
    )

    def __init__(
        self, settings: Mapping[str, Any], *, transport: httpx.AsyncBaseTransport | None = None
    ):
        self._client = TemplateClient(
            str(settings["base_url"]),
            api_key=settings.get("api_key"),
            transport=transport,
            **client_options(settings),
        )
        self._verifier = standard_webhooks.verifier_for(settings.get("webhook_secret"))
        self._callback_url: str | None = settings.get("callback_url")

    async def transfer(self, request: TransferRequest) -> TransferResult:
        """Submit a payout under our key; a replay of the key answers the same payout.

        Raises:
            AdapterError: retryable on 429/5xx/connect errors; final on other 4xx.
            TransferOutcomeUnknown: on a timeout or dropped connection after sending.
        """
        key = request.idempotency_key
        body = tf.payout_body(request, request.callback_url or self._callback_url)
        code, answer = await self._client.request(
            "POST", PAYOUTS, headers={"Idempotency-Key": key}, body=body, applies=True,
            idempotency_key=key,
        )
        if code in (200, 201) and isinstance(answer, Mapping):
            return tf.result_from_payout(key, answer)
        raise tf.error_from_response(code, answer, idempotency_key=key)

    async def status(self, idempotency_key: str) -> TransferResult:
        """Read the payout made under our key.

        Raises:
            TransferNotFound: the provider has no record of the key.
            AdapterError: the provider could not answer now (retryable).
        """
        key = idempotency_key
        code, answer = await self._client.request(
            "GET", f"{PAYOUTS}/by-reference/{quote(key, safe='')}"
        )
        if code == 200 and isinstance(answer, Mapping):
            return tf.result_from_payout(key, answer)
        raise tf.error_from_response(code, answer, idempotency_key=key, lookup=True)

    def parse_callback(
        self, headers: Mapping[str, str], body: bytes, *, seen: SeenHook | None = None
    ) -> CallbackEvent:
        """Verify a callback's Standard Webhooks signature, then read the payout event.

        Raises:
            CallbackRejected: unverifiable, replayed or malformed callbacks; names our key when
                the (untrusted) body does, so the gateway can ask for the status.
        """
        parsed = json_or_none(body)
        untrusted_key = tf.callback_key(parsed)
        event_id = standard_webhooks.verified_event_id(
            self._verifier, headers, body, seen=seen, idempotency_key=untrusted_key)
        if not isinstance(parsed, Mapping):
            raise CallbackRejected("malformed", "callback body is not a JSON object")
        try:
            return tf.event_from_callback(parsed, event_id)
        except (ValueError, TypeError) as exc:
            raise CallbackRejected("malformed", str(exc), idempotency_key=untrusted_key) from None

    async def check_account(self, msisdn: str) -> AccountCheck:
        """Ask whether a wallet with this number can receive money."""
        code, answer = await self._client.request("GET", f"/v1/wallets/{quote(msisdn, safe='')}")
        if code == 404:
            return AccountCheck(msisdn, False, None, "no wallet for this number")
        if code != 200 or not isinstance(answer, Mapping):
            raise tf.error_from_response(code, answer)
        state = str(answer.get("state", ""))
        active = state == "active"
        return AccountCheck(msisdn, active, None, None if active else f"wallet state {state}")

    async def balance(self) -> int:
        """Read our disbursement account's available balance in whole đồng."""
        code, answer = await self._client.request("GET", "/v1/balance")
        if code != 200 or not isinstance(answer, Mapping):
            raise tf.error_from_response(code, answer)
        amount = tf.parse_amount(answer.get("available"))
        if amount is None:
            raise AdapterError("bad_answer", "balance answer has no whole-đồng amount",
                               retryable=True)
        return amount

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.aclose()


def enable() -> None:
    """Register the adapter under :data:`NAME` (a provider package does it on import)."""
    register(NAME, display_name=DISPLAY_NAME, statement_columns=STATEMENT_COLUMNS)(
        TemplateAdapter)
