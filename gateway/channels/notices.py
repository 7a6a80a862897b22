"""Turn ``notice.payment`` outbox events into SMS notices, sent in daytime only.

Notices are unaccented Vietnamese by default (160 GSM-7 characters, where accents would cut a
message to 70) and English when the phone chose English in the menus. They name no person:
the amount, the month, the masked wallet and what to do next are all the beneficiary needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis
import sqlalchemy as sa

from gateway.channels.models import SmsKind
from gateway.channels.outbound import stage_sms
from gateway.channels.port import language_key
from gateway.db import Database
from gateway.money import digits
from gateway.outbox import OutboxEvent
from gateway.payroll.models import Cycle, Payment
from gateway.pii.codec import PiiCodec
from gateway.pii.mask import mask_phone
from gateway.registry.models import Beneficiary, WalletLink

TOPIC = "notice.payment"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "succeeded": ("ChiTra: Da chuyen {amount} tro cap thang {month} vao vi {wallet}. "
                      "Soan XN gui {shortcode} hoac bam {ussd} de xac nhan da nhan."),
        "failed": ("ChiTra: Chua chuyen duoc {amount} tro cap thang {month}. Vui long goi "
                   "{hotline} hoac den UBND xa/phuong de kiem tra vi."),
        "held": ("ChiTra: Tien tro cap thang {month} ({amount}) dang tam giu vi vi chua xac "
                 "minh. Mang CCCD den UBND xa/phuong hoac goi {hotline}."),
        "money": "{amount} d",
    },
    "en": {
        "succeeded": ("ChiTra: {amount} benefit for {month} sent to wallet {wallet}. "
                      "Text XN to {shortcode} or dial {ussd} to confirm you got it."),
        "failed": ("ChiTra: we could not send your {amount} benefit for {month}. Call "
                   "{hotline} or visit the commune office to check your wallet."),
        "held": ("ChiTra: your {month} benefit ({amount}) is on hold: the wallet is not "
                 "verified. Bring your ID card to the commune office or call {hotline}."),
        "money": "{amount} VND",
    },
}


@dataclass(frozen=True)
class NoticeSettings:
    """Say what notices print and when they may go out."""

    hotline: str = "1900 0000"
    shortcode: str = "8088"
    ussd_code: str = "*384*12#"
    start_hour: int = 7
    end_hour: int = 22


def parse_hours(value: str) -> tuple[int, int]:
    """Read ``"7-22"`` as the local hours [start, end) when notices may be sent.

    Raises:
        ValueError: not two hours between 0 and 24 with start before end.
    """
    start, _, end = str(value).partition("-")
    hours = int(start), int(end)
    if not 0 <= hours[0] < hours[1] <= 24:
        raise ValueError(f"NOTICE_HOURS must look like 7-22, not {value!r}")
    return hours


def not_before(now_utc: datetime, start_hour: int = 7, end_hour: int = 22) -> datetime | None:
    """Return when a non-urgent notice may go (naive UTC), or None if it may go now."""
    local = now_utc.replace(tzinfo=UTC).astimezone(LOCAL)
    if start_hour <= local.hour < end_hour:
        return None
    day = local.date() if local.hour < start_hour else local.date() + timedelta(days=1)
    opens = datetime.combine(day, time(start_hour), tzinfo=LOCAL)
    return opens.astimezone(UTC).replace(tzinfo=None)


def money(amount: int, lang: str = "vi") -> str:
    """Format đồng as ``1.250.000 d``."""
    return TEXTS[lang]["money"].format(amount=digits(amount))


def notice_text(state: str, amount: int, month: str, wallet: str, settings: NoticeSettings,
                lang: str = "vi") -> str:
    """Write the notice for a payment that reached ``state`` (succeeded, failed or held)."""
    lang = lang if lang in TEXTS else "vi"
    return TEXTS[lang][state].format(
        amount=money(amount, lang), month=month, wallet=wallet, hotline=settings.hotline,
        shortcode=settings.shortcode, ussd=settings.ussd_code)


def stage_notices(db: Database, codec: PiiCodec, settings: NoticeSettings, *,
                  redis_client: redis.Redis | None = None, now: datetime | None = None,
                  limit: int = 1000) -> int:
    """Queue one SMS per pending ``notice.payment`` event still true; return how many queued."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    wait = not_before(now, settings.start_hour, settings.end_hour)
    queued = 0
    with db.session() as s:
        events = list(s.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.topic == TOPIC, OutboxEvent.dispatched_at.is_(None))
            .order_by(OutboxEvent.id).limit(limit)))
        for event in events:
            event.dispatched_at = now
            payload = event.payload if isinstance(event.payload, dict) else {}
            state = str(payload.get("state", ""))
            row = s.execute(
                sa.select(Payment, Cycle.period, Beneficiary, WalletLink)
                .join(Cycle, Cycle.id == Payment.cycle_id)
                .join(Beneficiary, Beneficiary.id == Payment.beneficiary_id)
                .outerjoin(WalletLink, WalletLink.beneficiary_id == Beneficiary.id)
                .where(Payment.id == payload.get("payment_id"))).first()
            # A notice overtaken by events (held, then paid) would only confuse.
            if row is None or state not in TEXTS["vi"] or row[0].state != state:
                continue
            payment, period, person, wallet = row
            if wallet is not None:
                phone = codec.open("wallet_link", "phone", wallet.ref, wallet.phone_enc)
            else:
                phone = codec.open("beneficiary", "phone", person.ref, person.phone_enc)
            lang = _language(redis_client, codec, phone)
            body = notice_text(state, payment.amount, f"{period.month:02d}/{period.year}",
                               mask_phone(phone), settings, lang)
            if stage_sms(s, codec, phone, body, SmsKind.NOTICE, not_before=wait,
                         dedupe_key=f"payment:{payment.id}:{state}") is not None:
                queued += 1
    return queued


def _language(redis_client: redis.Redis | None, codec: PiiCodec, phone: str) -> str:
    if redis_client is None:
        return "vi"
    raw = redis_client.get(language_key(codec, phone))
    # Accented Vietnamese would force UCS-2 (70 characters): notices stay unaccented.
    return "en" if raw == b"en" else "vi"

