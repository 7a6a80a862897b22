"""The pool's SMS pass: unanswered inbound SMS, payment notices and reminders, then sending.

The pool's supervisor runs one pass every few seconds in a background thread, so a slow
SMS API never delays the outbox relay. Inbound messages whose handling failed (Redis or the
database was down) are answered first, their replies queued as SMS. Notices wait for daytime
in Vietnam (``NOTICE_HOURS``); replies and complaint tickets go at once. Queued SMS go
through the configured telco (``CHITRA_SMS_TELCO``). A Redis lock inside ``send_queued``
keeps two pools (two hosts) from sending the same message twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

from gateway import telco
from gateway.channels.inbound import inbox
from gateway.channels.notices import notice_settings, stage_notices, stage_reminders
from gateway.channels.sms import SendReport, send_queued
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.redis_conn import get_redis
from gateway.settings import settings as app_settings
from gateway.telco.base import SmsSender

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyReport:
    """Count what one SMS pass did."""

    notices: int
    reminders: int
    answered: int
    sent: int
    failed: int
    retry: int
    calls: int


def sms_api(app: Flask) -> SmsSender | None:
    """Build the configured telco's SMS sender, or None when sending is not set up."""
    return telco.sender(app)


def notify_once(app: Flask, api: SmsSender | None, *,
                now: datetime | None = None) -> NotifyReport:
    """Answer inbound SMS left unanswered, stage due notices, send what may go now.

    Without ``api`` (the telco's account not set) notices are still staged and wait in
    ``sms_message`` until sending is configured.
    """
    db, codec, redis_client = get_db(app), get_pii(app), get_redis(app)
    answered = inbox(app).retry_unanswered()
    settings = notice_settings(app_settings(app).channels)
    notices = stage_notices(db, codec, settings, redis_client=redis_client, now=now)
    reminders = stage_reminders(db, codec, settings, redis_client=redis_client, now=now)
    report = SendReport()
    if api is not None:
        report = send_queued(db, codec, api, now=now, redis_client=redis_client,
                             notice_hours=(settings.start_hour, settings.end_hour))
    if notices or reminders or answered or report.calls:
        # Counts only: bodies and numbers are personal data.
        log.info("sms pass: %d inbound answered late, %d notices and %d reminders queued, "
                 "%d sent, %d failed, %d to retry", answered, notices, reminders, report.sent,
                 report.failed, report.retry)
    return NotifyReport(notices, reminders, answered, report.sent, report.failed, report.retry,
                        report.calls)
