"""Send queued SMS through the configured telco and apply its delivery reports.

Neutral: any :class:`gateway.telco.base.SmsSender` drains the ``sms_message`` queue, and the
outcomes it gives per recipient are recorded on each message with the telco's name and id.
Messages with the same text (and template) go together, one call per batch of recipients.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.channels.models import FINAL_SMS_STATES, SmsKind, SmsMessage, SmsStatus
from gateway.channels.notices import not_before
from gateway.channels.outbound import TOPIC, open_body, open_phone, scrub_secret, template_of
from gateway.channels.seam import (
    DeliveryReport,
    DeliveryStatus,
    Recipient,
    SendOutcome,
    SendStatus,
    SmsBatch,
    SmsSender,
    TelcoUnavailable,
)
from gateway.clock import utcnow
from gateway.db import Database
from gateway.outbox import OutboxEvent
from gateway.pii.codec import PiiCodec

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # a message the telco kept refusing whole is given up after this many tries
REASON_MAX = 100
_LOCK = "chitra:lock:sms-sender"
# What a delivery report makes of a sent message; PENDING keeps it as it is.
_DELIVERY = {DeliveryStatus.DELIVERED: SmsStatus.DELIVERED,
             DeliveryStatus.FAILED: SmsStatus.FAILED,
             DeliveryStatus.REJECTED: SmsStatus.REJECTED}

_Item = tuple[SmsMessage, str]  # a message and its phone, opened


@dataclass
class SendReport:
    """Count what one pass of the sender did."""

    sent: int = 0
    failed: int = 0
    retry: int = 0
    calls: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def _batches(messages: Sequence[_Item], size: int) -> Iterable[list[_Item]]:
    """Group messages by text, kind and template into batches where each phone appears once.

    A telco may answer by number, so one phone twice in a call could not be told apart.
    """
    by_body: dict[tuple[str, str, str | None], list[_Item]] = defaultdict(list)
    for item in messages:
        by_body[(item[0].body, item[0].kind, item[0].template_json)].append(item)
    for items in by_body.values():
        while items:
            batch: list[_Item] = []
            seen: set[str] = set()
            rest: list[_Item] = []
            for item in items:
                if item[1] in seen or len(batch) >= size:
                    rest.append(item)
                else:
                    seen.add(item[1])
                    batch.append(item)
            yield batch
            items = rest


def send_queued(db: Database, codec: PiiCodec, sender: SmsSender, *,
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
        return _send(db, codec, sender, now or utcnow(), limit, notice_hours)
    finally:
        if lock is not None:
            lock.release()


def _send(db: Database, codec: PiiCodec, sender: SmsSender, now: datetime, limit: int,
          notice_hours: tuple[int, int]) -> SendReport:
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
    for batch in _batches(items, max(1, int(sender.max_batch))):
        report.calls += 1
        first = batch[0][0]
        request = SmsBatch(open_body(codec, first),
                           tuple(Recipient(phone, m.ref) for m, phone in batch),
                           first.kind, template_of(first))
        try:
            outcomes = sender.send(request)
        except TelcoUnavailable as exc:
            # The whole call failed: nothing was accepted; try later.
            log.warning("sms batch of %d not sent: %s", len(batch), exc.__class__.__name__)
            _retry_later(db, [m.id for m, _ in batch], report)
            continue
        by_ref = {o.message_ref: o for o in outcomes}
        with db.session() as s:
            for message, _ in batch:
                _apply_outcome(s, message.id, by_ref.get(message.ref), sender.name, now, report)
    return report


def _count_attempt(message: SmsMessage, report: SendReport, reason: str) -> None:
    """Count a try that sent nothing; give the message up after ``MAX_ATTEMPTS``."""
    message.attempts += 1
    message.updated_at = utcnow()
    if message.attempts >= MAX_ATTEMPTS:
        message.status = SmsStatus.FAILED.value
        message.failure_reason = reason[:REASON_MAX]
        scrub_secret(message)
        report.failed += 1
    else:
        report.retry += 1


def _retry_later(db: Database, ids: list[int], report: SendReport) -> None:
    with db.session() as s:
        for message in s.scalars(sa.select(SmsMessage).where(SmsMessage.id.in_(ids))):
            _count_attempt(message, report, "SendError")


def _apply_outcome(s: Session, message_id: int, outcome: SendOutcome | None, telco: str,
                   now: datetime, report: SendReport) -> None:
    message = s.get(SmsMessage, message_id)
    if message is None:
        return
    if outcome is not None and outcome.status is SendStatus.RETRY:
        _count_attempt(message, report, outcome.reason or "SendError")
        return
    message.attempts += 1
    message.updated_at = now
    scrub_secret(message)  # sent or refused for good: a one-time code is not kept either way
    message.telco = telco
    if outcome is not None and outcome.status is SendStatus.SENT:
        message.status = SmsStatus.SENT.value
        message.sent_at = now
        message.telco_message_id = (outcome.telco_message_id or "")[:100] or None
        report.sent += 1
        return
    reason = ((outcome.reason if outcome else None) or "NoRecipientStatus")[:REASON_MAX]
    message.status = SmsStatus.FAILED.value
    message.failure_reason = reason
    report.failed += 1
    report.reasons[reason] = report.reasons.get(reason, 0) + 1


def apply_delivery_report(session: Session, report: DeliveryReport, *,
                          telco: str | None = None) -> bool:
    """Record a delivery report on the message it names; return whether one was found.

    ``telco`` narrows the search to that aggregator's ids (two telcos may reuse an id).
    """
    query = sa.select(SmsMessage).where(
        SmsMessage.telco_message_id == report.telco_message_id[:100])
    if telco is not None:
        query = query.where(SmsMessage.telco == telco)
    message = session.scalar(query.order_by(SmsMessage.id).limit(1))
    if message is None:
        return False
    final = _DELIVERY.get(report.status)
    if final is None or SmsStatus(message.status) in FINAL_SMS_STATES:
        return True  # still on its way, or a late report after a final one: keep what we know
    message.status = final.value
    message.failure_reason = (report.reason or None) and report.reason[:REASON_MAX]
    message.updated_at = utcnow()
    return True
