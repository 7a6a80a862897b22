"""HTTP client for a wallet provider's JSON API: a timeout on every call, errors classified.

The one question this module answers is "could the provider have applied it?":

- the connection never opened (connect error, connect or pool timeout): not sent → retryable;
- the request went out and no answer came back (read timeout, dropped connection) on a
  non-idempotent call: maybe applied → :class:`TransferOutcomeUnknown`;
- the same on a read-only call: nothing happened → retryable.
"""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Mapping
from typing import Any

import certifi
import httpx

from wallet_adapters.base import SettingSpec
from wallet_adapters.errors import AdapterError, TransferOutcomeUnknown

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_LOST_ANSWER = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


# The connection settings every HTTP adapter declares; ``client_options`` hands them over.
HTTP_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("timeout_s", float, 10.0, help="read timeout; past it the outcome is unknown"),
    SettingSpec("connect_timeout_s", float, 3.0, help="connect timeout (not sent: retry)"),
    SettingSpec("max_connections", int, 200, help="HTTP connection pool size"),
)


def client_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Give the :class:`ProviderHttpClient` arguments that ``HTTP_SETTINGS`` configure."""
    return {
        "timeout_s": float(settings.get("timeout_s") or 10.0),
        "connect_timeout_s": float(settings.get("connect_timeout_s") or 3.0),
        "max_connections": int(settings.get("max_connections") or 200),
    }


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~10-100 ms; adapters are rebuilt per worker call, so load it
    # once per process and share it (an SSLContext is safe to share between clients).
    return ssl.create_default_context(cafile=certifi.where())


class ProviderHttpClient:
    """Send JSON requests to one provider over a pooled async HTTP client.

    Each provider's ``client.py`` builds one with its authentication headers.

    Args:
        base_url: the API root, e.g. ``https://provider.example/mm/v1.2``.
        headers: sent on every request (credentials included).
        timeout_s: read/write timeout of every call; the answer is "unknown" past it.
        connect_timeout_s: connect timeout; a request that never connected was not sent.
        max_connections: pool size; workers keep hundreds of calls in flight.
        transport: an httpx transport, for tests.
    """

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 10.0,
        connect_timeout_s: float = 3.0,
        max_connections: int = 200,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Accept": "application/json", **(headers or {})},
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            transport=transport,
            verify=_tls_context(),
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        applies: bool = False,
        idempotency_key: str = "",
    ) -> tuple[int, Any]:
        """Send one request and give (HTTP status, decoded JSON body or None).

        Args:
            applies: True when the call may change money (a transfer); a lost answer then
                means the outcome is unknown rather than "try again".
            idempotency_key: our key, carried on ``TransferOutcomeUnknown``.

        Raises:
            AdapterError: retryable when the request was certainly not applied.
            TransferOutcomeUnknown: ``applies`` and the answer was lost after sending.
        """
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        send_headers = dict(headers or {})
        if content is not None:
            send_headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(method, path, content=content, headers=send_headers)
        except _NOT_SENT as exc:
            raise AdapterError(
                "connect_error", f"could not reach the provider: {type(exc).__name__}",
                retryable=True,
            ) from exc
        except _LOST_ANSWER as exc:
            if applies:
                raise TransferOutcomeUnknown(
                    "timeout", f"no answer after sending the transfer: {type(exc).__name__}",
                    idempotency_key=idempotency_key,
                ) from exc
            raise AdapterError(
                "provider_unreachable", f"no answer from the provider: {type(exc).__name__}",
                retryable=True,
            ) from exc
        if not response.content:
            return response.status_code, None
        try:
            return response.status_code, response.json()
        except ValueError:
            if response.is_success and applies:
                raise TransferOutcomeUnknown(
                    "unreadable_answer", "provider accepted the transfer with an unreadable body",
                    idempotency_key=idempotency_key,
                ) from None
            return response.status_code, None

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()
