"""HTTP client for a GSMA Mobile Money API provider: its two ways of sending the credential."""

from __future__ import annotations

from typing import Any

from wallet_adapters.http_client import ProviderHttpClient


class GsmaClient(ProviderHttpClient):
    """Send requests to one GSMA provider (see :class:`ProviderHttpClient` for the timeouts).

    Args:
        api_key: credential sent as ``Authorization: Bearer`` or ``X-API-Key``.
        auth_scheme: ``"bearer"`` or ``"x-api-key"``.
    """

    def __init__(self, base_url: str, *, api_key: str | None = None,
                 auth_scheme: str = "bearer", **options: Any):
        headers: dict[str, str] = {}
        if api_key:
            if auth_scheme == "x-api-key":
                headers["X-API-Key"] = api_key
            else:
                headers["Authorization"] = f"Bearer {api_key}"
        super().__init__(base_url, headers=headers, **options)
