"""eSMS's REST API on the wire: the request bodies it documents, and one HTTP call each.

Shapes follow eSMS's own documentation (``devesms/gitbook_esms_for_develop_v2_en``):
``esms-api/send-sms-api/send-otp-customer-care-message.md`` (``SendMultipleMessage_V4_post_json``)
and ``esms-api/send-sms-api/send-multi-channel-message-via-zalo-and-sms.md``
(``MultiChannelMessage``). Every value is a string, as in the documented examples; phones are
written the way eSMS's own examples write them, nationally (``0901888484``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from gateway.telco.esms.settings import EsmsSettings
from ussd_menus.gsm7 import is_gsm7

SEND_SMS = "SendMultipleMessage_V4_post_json/"
MULTICHANNEL = "MultiChannelMessage/"
CUSTOMER_CARE = "2"  # SmsType 2: customer care / OTP, sent under a registered brandname
REQUEST_ID_MAX = 50  # documented: "Maximum length 50 characters"


class EsmsUnavailable(Exception):
    """The call got no eSMS answer (network, timeout, HTTP error, not JSON)."""


def national(phone: str) -> str:
    """Write an E.164 Vietnamese phone (``+84912345678``) as eSMS does (``0912345678``)."""
    digits = phone.removeprefix("+")
    return "0" + digits.removeprefix("84") if digits.startswith("84") else digits


def is_unicode(body: str) -> str:
    """Give ``IsUnicode``: "1" when the text needs UCS-2 (any Vietnamese accent), else "0"."""
    return "0" if is_gsm7(body) else "1"


def _flag(value: bool) -> str:
    return "1" if value else "0"


def sms_request(settings: EsmsSettings, phone: str, body: str, request_id: str,
                callback_url: str | None) -> dict[str, str]:
    """Build the customer-care SMS body for one recipient (``SmsType`` 2)."""
    payload = {
        "ApiKey": settings.api_key,
        "Content": body,
        "Phone": national(phone),
        "SecretKey": settings.secret_key,
        "Brandname": settings.brandname,
        "SmsType": CUSTOMER_CARE,
        "IsUnicode": is_unicode(body),
        "Sandbox": _flag(settings.sandbox),
        "RequestId": request_id[:REQUEST_ID_MAX],
    }
    if callback_url:
        payload["CallbackUrl"] = callback_url
    return payload


def multichannel_request(settings: EsmsSettings, phone: str, body: str, request_id: str,
                         callback_url: str | None, template_id: str,
                         params: Sequence[str]) -> dict[str, Any]:
    """Build the Zalo-then-SMS body: a ZNS template first, the same notice as SMS if it fails."""
    zalo: dict[str, Any] = {
        "TempID": template_id,
        "Params": [str(p) for p in params],
        "OAID": str(settings.zalo_oa_id or ""),
        "RequestId": request_id[:REQUEST_ID_MAX],
        "Sandbox": _flag(settings.sandbox),
        "SendingMode": "1",  # normal ZNS sending, within the OA's quota
    }
    sms: dict[str, Any] = {
        "Content": body,
        "IsUnicode": is_unicode(body),
        "SmsType": CUSTOMER_CARE,
        "Brandname": settings.brandname,
        "RequestId": request_id[:REQUEST_ID_MAX],
        "Sandbox": _flag(settings.sandbox),
    }
    if callback_url:
        zalo["CallbackUrl"] = sms["CallbackUrl"] = callback_url
    return {"ApiKey": settings.api_key, "SecretKey": settings.secret_key,
            "Phone": national(phone), "Channels": ["zalo", "sms"], "Data": [zalo, sms]}


class EsmsClient:
    """POST JSON to eSMS and return its JSON answer; one instance per sender, thread-safe."""

    def __init__(self, base_url: str, timeout: float,
                 transport: httpx.BaseTransport | None = None) -> None:
        """Talk to ``base_url`` (``https://rest.esms.vn/MainService.svc/json`` or a stub)."""
        self._base = base_url.rstrip("/") + "/"
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.05)),
                                    transport=transport, follow_redirects=False)

    def post(self, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return eSMS's answer.

        Raises:
            EsmsUnavailable: no answer, an HTTP error status, or an answer that is not a JSON
                object. The message names the failure, never the payload (it holds the keys).
        """
        try:
            response = self._client.post(self._base + endpoint, json=payload)
        except httpx.HTTPError as exc:
            raise EsmsUnavailable(type(exc).__name__) from None
        if response.status_code >= 300:
            raise EsmsUnavailable(f"HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise EsmsUnavailable("answer is not JSON") from None
        if not isinstance(answer, dict):
            raise EsmsUnavailable("answer is not a JSON object")
        return answer

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
