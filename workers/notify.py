"""The pool's SMS pass: payment notices and reminders, then queued SMS sent through AT.

The pool's supervisor runs one pass every few seconds in a background thread, so a slow
SMS API never delays the outbox relay. Notices wait for daytime in Vietnam
(``NOTICE_HOURS``); replies and complaint tickets go at once. A Redis lock inside
``send_queued`` keeps two pools (two hosts) from sending the same message twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

from gateway.channels.notices import notice_settings, stage_notices, stage_reminders
from gateway.channels.sms import SendReport, SmsApi, send_queued, sms_api_from_config
from gateway.db import get_db
from gateway.pii.codec import get_pii
from gateway.redis_conn import get_redis
from gateway.settings import settings as app_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyReport:
    """Count what one SMS pass did."""

    notices: int
    reminders: int
    sent: int
    failed: int
    retry: int
    calls: int


def sms_api(app: Flask) -> SmsApi | None:
    """Build the AT SMS client from the app's settings, or None when sending is not set up."""
    try:
        return sms_api_from_config(app.config)
    except RuntimeError:
        return None


def notify_once(app: Flask, api: SmsApi | None, *, now: datetime | None = None) -> NotifyReport:
    """Stage due payment notices, then send every queued SMS that may go now.

    Without ``api`` (no ``AT_API_KEY``) notices are still staged and wait in ``sms_message``
    until sending is configured.
    """
    db, codec, redis_client = get_db(app), get_pii(app), get_redis(app)
    settings = notice_settings(app_settings(app).channels)
    notices = stage_notices(db, codec, settings, redis_client=redis_client, now=now)
    reminders = stage_reminders(db, codec, settings, redis_client=redis_client, now=now)
    report = SendReport()
    if api is not None:
        report = send_queued(db, codec, api, sender_id=app.config.get("AT_SENDER_ID"),
                             now=now, redis_client=redis_client,
                             notice_hours=(settings.start_hour, settings.end_hour))
    if notices or reminders or report.calls:
        # Counts only: bodies and numbers are personal data.
        log.info("sms pass: %d notices and %d reminders queued, %d sent, %d failed, "
                 "%d to retry", notices, reminders, report.sent, report.failed, report.retry)
    return NotifyReport(notices, reminders, report.sent, report.failed, report.retry,
                        report.calls)
