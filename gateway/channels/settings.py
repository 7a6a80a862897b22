"""Beneficiary channels' settings: what notices print, when they go, and per-phone limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway import settings as parse


@dataclass(frozen=True)
class ChannelSettings:
    """Hold the channel settings, parsed once when the app is created."""

    hotline: str
    ussd_code: str
    sms_shortcode: str
    ussd_hops_per_minute: int
    sms_inbound_per_hour: int
    notice_hours: tuple[int, int]  # local hours [start, end) for non-urgent notices
    notice_reminder_days: int  # 0: no reminders


def load(cfg: Mapping[str, Any]) -> ChannelSettings:
    """Parse the channel settings.

    Raises:
        gateway.settings.SettingError: a value cannot be used (the message names it).
    """
    return ChannelSettings(
        hotline=parse.required_text(cfg, "HOTLINE", "1900 0000"),
        ussd_code=parse.required_text(cfg, "USSD_CODE", "*384*12#"),
        sms_shortcode=parse.required_text(cfg, "SMS_SHORTCODE", "8088"),
        ussd_hops_per_minute=parse.integer(cfg, "USSD_HOPS_PER_MINUTE", low=1, default=30),
        sms_inbound_per_hour=parse.integer(cfg, "SMS_INBOUND_PER_HOUR", low=1, default=10),
        notice_hours=parse.hour_range(cfg, "NOTICE_HOURS", default="7-22"),
        notice_reminder_days=parse.integer(cfg, "NOTICE_REMINDER_DAYS", low=0, high=14,
                                           default=0),
    )
