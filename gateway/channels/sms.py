"""Send queued SMS through Africa's Talking and apply its delivery reports.

The ``africastalking`` SDK (pinned 2.0.3) hard-codes its host; ``AtSmsService`` swaps in a
configurable base URL so tests and demos talk to ``gateway/telco/at_stub.py`` over real HTTP.
Messages with the same text are sent together, one API call per batch of recipients.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import redis
import sqlalchemy as sa
from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService
from sqlalchemy.orm import Session

from gateway.channels.models import FINAL_SMS_STATES, SmsKind, SmsMessage, SmsStatus
from gateway.channels.notices import not_before
from gateway.channels.outbound import TOPIC, open_body, open_phone, scrub_secret
from gateway.clock import utcnow
from gateway.db import Database
from gateway.outbox import OutboxEvent
from gateway.pii.codec import PiiCodec

log = logging.getLogger(__name__)

BATCH = 100  # recipients per API call
MAX_ATTEMPTS = 5  # a message the API kept refusing whole is given up after this many tries
TIMEOUT = (3.05, 9.05)
OK_CODES = frozenset({100, 101, 102})  # Processed, Sent, Queued
# Delivery report statuses: Sent/Submitted/Buffered are on the way, the rest are final.
_DELIVERY = {"Success": SmsStatus.DELIVERED, "Failed": SmsStatus.FAILED,
             "Rejected": SmsStatus.REJECTED}
_LOCK = "chitra:lock:sms-sender"


class SmsApi(Protocol):
    """Send one text to many recipients; the shape of ``SMSService.send``."""

    def send(self, message: str, recipients: list[str], sender_id: str | None = None,
             enqueue: bool = False, callback: Any = None,
             timeout: tuple[float, float] = TIMEOUT) -> Any:
        """Send ``message`` to ``recipients`` and return AT's parsed answer."""
        ...


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


def sms_api_from_config(config: dict[str, Any]) -> AtSmsService:
    """Build the SMS service from ``AT_USERNAME``, ``AT_API_KEY`` and ``AT_BASE_URL``.

    Raises:
        RuntimeError: no API key is configured.
    """
    if not config.get("AT_API_KEY"):
        raise RuntimeError("set CHITRA_AT_API_KEY to send SMS")
    return AtSmsService(str(config["AT_USERNAME"]), str(config["AT_API_KEY"]),
                        config.get("AT_BASE_URL"))


@dataclass
class SendReport:
    """Count what one pass of the sender did."""

    sent: int = 0
    failed: int = 0
    retry: int = 0
    calls: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def _batches(messages: Sequence[tuple[SmsMessage, str]]) -> Iterable[list[tuple[SmsMessage, str]]]:
    """Group messages by text into batches where each phone appears once (AT answers by number)."""
    by_body: dict[str, list[tuple[SmsMessage, str]]] = defaultdict(list)
    for item in messages:
        by_body[item[0].body].append(item)
    for items in by_body.values():
        while items:
            batch: list[tuple[SmsMessage, str]] = []
            seen: set[str] = set()
            rest: list[tuple[SmsMessage, str]] = []
            for item in items:
                if item[1] in seen or len(batch) >= BATCH:
                    rest.append(item)
                else:
                    seen.add(item[1])
                    batch.append(item)
            yield batch
            items = rest


def _recipients(answer: Any) -> list[dict[str, Any]]:
    if not isinstance(answer, dict):
        return []
    data = answer.get("SMSMessageData")
    recipients = data.get("Recipients") if isinstance(data, dict) else None
    return [r for r in recipients if isinstance(r, dict)] if isinstance(recipients, list) else []


def send_queued(db: Database, codec: PiiCodec, api: SmsApi, *, sender_id: str | None = None,
                now: datetime | None = None, limit: int = 1000,
                redis_client: redis.Redis | None = None,
                notice_hours: tuple[int, int] = (7, 22)) -> SendReport:
    """Send queued messages that are due, batched by text, and record each recipient's outcome.

    Notices also wait while it is night in Vietnam (outside ``notice_hours``), even when a
    slow sender reaches them after their window closed; replies and tickets go at once.
    With ``redis_client`` a lock keeps two senders from sending the same message twice.
    """
    lock = redis_client.lock(_LOCK, timeout=300, blocking=False) if redis_client else None
    if lock is not None and not lock.acquire():
        return SendReport()
    try:
        return _send(db, codec, api, sender_id, now or utcnow(), limit, notice_hours)
    finally:
        if lock is not None:
            lock.release()


def _send(db: Database, codec: PiiCodec, api: SmsApi, sender_id: str | None, now: datetime,
          limit: int, notice_hours: tuple[int, int]) -> SendReport:
    report = SendReport()
    night = not_before(now, *notice_hours) is not None
    with db.session() as s:
        # The message rows are the work; their outbox rows only announce it.
        s.execute(sa.update(OutboxEvent)
                  .where(OutboxEvent.topic == TOPIC, OutboxEvent.dispatched_at.is_(None))
                  .values(dispatched_at=now))
        due = list(s.scalars(
            sa.select(SmsMessage)
            .where(SmsMessage.status == SmsStatus.QUEUED.value,
                   sa.or_(SmsMessage.not_before.is_(None), SmsMessage.not_before <= now),
                   SmsMessage.kind != SmsKind.NOTICE.value if night else sa.true())
            .order_by(SmsMessage.id).limit(limit)))
        items = [(m, open_phone(codec, m)) for m in due]
    for batch in _batches(items):
        report.calls += 1
        try:
            answer = api.send(open_body(codec, batch[0][0]), [phone for _, phone in batch],
                              sender_id=sender_id, timeout=TIMEOUT)
        except (AfricasTalkingException, OSError, ValueError) as exc:
            # The whole call failed (HTTP 4xx/5xx, network): nothing was accepted; try later.
            log.warning("sms batch of %d not sent: %s", len(batch), type(exc).__name__)
            _retry_later(db, [m.id for m, _ in batch], report)
            continue
        by_number = {str(r.get("number")): r for r in _recipients(answer)}
        with db.session() as s:
            for message, phone in batch:
                _apply_recipient(s, message.id, by_number.get(phone), now, report)
    return report


def _retry_later(db: Database, ids: list[int], report: SendReport) -> None:
    with db.session() as s:
        for message in s.scalars(sa.select(SmsMessage).where(SmsMessage.id.in_(ids))):
            message.attempts += 1
            message.updated_at = utcnow()
            if message.attempts >= MAX_ATTEMPTS:
                message.status = SmsStatus.FAILED.value
                message.failure_reason = "SendError"
                scrub_secret(message)
                report.failed += 1
            else:
                report.retry += 1


def _apply_recipient(s: Session, message_id: int, answer: dict[str, Any] | None,
                     now: datetime, report: SendReport) -> None:
    message = s.get(SmsMessage, message_id)
    if message is None:
        return
    message.attempts += 1
    message.updated_at = now
    scrub_secret(message)  # sent or refused for good: a one-time code is not kept either way
    try:
        code = int(answer.get("statusCode", 0)) if answer else 0
    except (TypeError, ValueError):
        code = 0
    if code in OK_CODES and answer is not None:
        message.status = SmsStatus.SENT.value
        message.sent_at = now
        message.at_message_id = str(answer.get("messageId") or "")[:100] or None
        report.sent += 1
        return
    # 401 RiskHold ... 407 CouldNotRoute, 5xx: AT will not send it; keep its reason.
    reason = (str(answer.get("status") or f"status {code}") if answer
              else "NoRecipientStatus")[:100]
    message.status = SmsStatus.FAILED.value
    message.failure_reason = reason
    report.failed += 1
    report.reasons[reason] = report.reasons.get(reason, 0) + 1


def apply_delivery_report(session: Session, at_message_id: str, status: str,
                          failure_reason: str | None = None) -> bool:
    """Record AT's delivery report on the message it names; return whether one was found."""
    message = session.scalar(sa.select(SmsMessage)
                             .where(SmsMessage.at_message_id == at_message_id[:100]))
    if message is None:
        return False
    final = _DELIVERY.get(status)
    if final is None or SmsStatus(message.status) in FINAL_SMS_STATES:
        return True  # still on its way, or a late report after a final one: keep what we know
    message.status = final.value
    message.failure_reason = (failure_reason or None) and failure_reason[:100]
    message.updated_at = utcnow()
    return True
