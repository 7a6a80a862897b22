"""HTTP client for the Template Pay API: its credential on every call, a timeout on every call.

The shared :class:`~wallet_adapters.http_client.ProviderHttpClient` classifies failures ("could
the provider have applied it?"); only the provider's authentication is written here.
"""

from __future__ import annotations

from typing import Any

from wallet_adapters.http_client import ProviderHttpClient


class TemplateClient(ProviderHttpClient):
    """Send requests to one Template Pay API account.

    Args:
        api_key: FILL: your provider's credential and how it travels (a token refreshed and
            cached per process belongs here too).
        options: ``timeout_s``, ``connect_timeout_s``, ``max_connections``, ``transport``.
    """

    def __init__(self, base_url: str, *, api_key: str | None = None, **options: Any):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        super().__init__(base_url, headers=headers, **options)
