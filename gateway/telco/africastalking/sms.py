"""Africa's Talking SMS: the sender (through AT's SDK) and AT's SMS callbacks' fields.

The ``africastalking`` SDK (pinned 2.0.3) hard-codes its host; ``AtSmsService`` swaps in a
configurable base URL so tests and demos talk to :mod:`gateway.telco.africastalking.stub`
over real HTTP. AT answers a send with one status per number; a whole call that fails (HTTP
4xx/5xx, network) accepted nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService
from flask import Response, current_app, request

from gateway.channels.inbound import Unstored, inbox
from gateway.channels.sms import apply_delivery_report
from gateway.db import get_db
from gateway.telco.africastalking.callbacks import bp
from gateway.telco.africastalking.settings import NAME, AtSettings
from gateway.telco.base import (
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    SendOutcome,
    SendStatus,
    SmsBatch,
    TelcoUnavailable,
)
from gateway.vn.cells import InvalidValue
from gateway.vn.phone import parse_phone

log = logging.getLogger(__name__)

BATCH = 100  # recipients per API call
TIMEOUT = (3.05, 9.05)
OK_CODES = frozenset({100, 101, 102})  # Processed, Sent, Queued
# Delivery report statuses: Sent/Submitted/Buffered are on the way, the rest are final.
DELIVERY = {"Success": DeliveryStatus.DELIVERED, "Failed": DeliveryStatus.FAILED,
            "Rejected": DeliveryStatus.REJECTED}
ID_MAX = 100
SMS_MAX = 1000


class AtSmsService(SMSService):  # type: ignore[misc]
    """The SDK's SMS service with a base URL we choose (the SDK offers no host option)."""

    def __init__(self, username: str, api_key: str, base_url: str | None = None) -> None:
        """Talk to ``base_url`` (e.g. ``http://127.0.0.1:8099``) or the SDK's own host."""
        # Set before the SDK's constructor, which calls ``_init_service``.
        self._override = base_url.rstrip("/") if base_url else None
        super().__init__(username, api_key)

    def _init_service(self) -> None:
        super()._init_service()
        if self._override:
            self._baseUrl = self._override + "/version1"
            self._contentUrl = self._baseUrl


class AtSmsSender:
    """Send SMS batches through Africa's Talking (:class:`gateway.telco.base.SmsSender`)."""

    name = NAME
    max_batch = BATCH

    def __init__(self, username: str, api_key: str, base_url: str | None = None,
                 sender_id: str | None = None) -> None:
        """Use AT's account ``username``/``api_key``; ``sender_id`` is the alphanumeric sender."""
        self.service = AtSmsService(username, api_key, base_url)
        self._sender_id = sender_id

    def send(self, batch: SmsBatch) -> list[SendOutcome]:
        """Send one text to the batch's phones; AT has no template sends, so ``template`` waits.

        Raises:
            TelcoUnavailable: the call failed whole (HTTP error, network).
        """
        phones = [r.phone for r in batch.recipients]
        try:
            answer = self.service.send(batch.body, phones, sender_id=self._sender_id,
                                       timeout=TIMEOUT)
        except (AfricasTalkingException, OSError, ValueError) as exc:
            raise TelcoUnavailable(type(exc).__name__) from exc
        by_number = {str(r.get("number")): r for r in _recipients(answer)}
        return [_outcome(r.message_ref, by_number.get(r.phone)) for r in batch.recipients]


def _recipients(answer: Any) -> list[dict[str, Any]]:
    if not isinstance(answer, dict):
        return []
    data = answer.get("SMSMessageData")
    recipients = data.get("Recipients") if isinstance(data, dict) else None
    return [r for r in recipients if isinstance(r, dict)] if isinstance(recipients, list) else []


def _outcome(ref: str, answer: dict[str, Any] | None) -> SendOutcome:
    """Read AT's status for one number: 100-102 accepted, anything else refused for good."""
    try:
        code = int(answer.get("statusCode", 0)) if answer else 0
    except (TypeError, ValueError):
        code = 0
    if code in OK_CODES and answer is not None:
        return SendOutcome(ref, SendStatus.SENT,
                           telco_message_id=str(answer.get("messageId") or "")[:100] or None)
    # 401 RiskHold ... 407 CouldNotRoute, 5xx: AT will not send it; keep its reason.
    reason = (str(answer.get("status") or f"status {code}") if answer
              else "NoRecipientStatus")[:100]
    return SendOutcome(ref, SendStatus.FAILED, reason=reason)


def sender_from_settings(settings: AtSettings) -> AtSmsSender:
    """Build the AT sender from the ``AT_*`` settings.

    Raises:
        RuntimeError: no API key is configured.
    """
    if not settings.api_key:
        raise RuntimeError("set CHITRA_AT_API_KEY to send SMS")
    return AtSmsSender(settings.username, settings.api_key, settings.base_url,
                       settings.sender_id)


# --- AT's SMS callbacks -----------------------------------------------------------------

def field(form: Mapping[str, str], name: str, limit: int) -> str | None:
    """Return a form field if present, short enough and free of NUL; else None."""
    value = form.get(name)
    if value is None or len(value) > limit or "\x00" in value:
        return None
    return value


def phone_of(raw: str | None) -> str | None:
    """Read a phone number as AT sends it (E.164), or None when it is not one."""
    if not raw:
        return None
    try:
        return parse_phone(raw.strip()[:32])
    except (InvalidValue, ValueError, TypeError):
        return None


def inbound_message(form: Mapping[str, str]) -> InboundMessage | None:
    """Read AT's inbound SMS callback (``id``, ``from``, ``text``); None if unanswerable."""
    message_id = field(form, "id", ID_MAX)
    phone = phone_of(form.get("from"))
    if not message_id or phone is None:
        return None
    text = (form.get("text") or "")[:SMS_MAX].replace("\x00", "")
    return InboundMessage(NAME, message_id, phone, text)


def delivery_report(form: Mapping[str, str]) -> DeliveryReport | None:
    """Read AT's delivery report callback (``id``, ``status``, ``failureReason``)."""
    message_id = field(form, "id", ID_MAX)
    if not message_id:
        return None
    status = DELIVERY.get((form.get("status") or "")[:20], DeliveryStatus.PENDING)
    # NUL is refused by PostgreSQL text columns: drop it rather than fail AT's report.
    reason = (form.get("failureReason") or "").replace("\x00", "")[:100] or None
    return DeliveryReport(message_id, status, reason)


@bp.post("/sms/inbound")
def sms_inbound() -> Response:
    """Take an inbound SMS; its reply goes as an outbound SMS, once per AT message id.

    A message the database could not store is answered 503, so AT delivers it again; once
    stored it is answered now or, when that fails, by the worker pool's retry.
    """
    message = inbound_message(request.form)
    if message is None:
        return Response("OK", 200, mimetype="text/plain")  # nothing we could answer
    try:
        inbox(current_app).receive(message, reply_by_sms=True)
    except Unstored:
        log.warning("inbound sms not stored; AT will deliver it again")
        return Response("Retry later", 503, mimetype="text/plain")
    return Response("OK", 200, mimetype="text/plain")


@bp.post("/sms/delivery")
def sms_delivery() -> Response:
    """Record AT's delivery report on the outbound message it names."""
    report = delivery_report(request.form)
    if report is not None:
        with get_db().session() as s:
            if not apply_delivery_report(s, report, telco=NAME):
                log.info("delivery report for an unknown message")
    return Response("OK", 200, mimetype="text/plain")
