"""Turn ``notice.payment`` outbox events into SMS notices, sent in daytime only.

Notices are unaccented Vietnamese by default (160 GSM-7 characters, where accents would cut a
message to 70) and English when the phone chose English in the menus. A notice to the
beneficiary's own phone names no one: the amount, the month, the masked wallet and what to do
next are all they need. A notice to someone else's phone (a caregiver's wallet, a
representative) names whose payment it is, masked, since that phone may receive for several.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import redis
import sqlalchemy as sa

from gateway.channels.language import PhoneLanguage
from gateway.channels.models import SmsKind, SmsMessage
from gateway.channels.outbound import stage_sms
from gateway.channels.seam import Template
from gateway.clock import LOCAL
from gateway.db import Database
from gateway.outbox import OutboxEvent
from gateway.payroll.models import SIM_SWAP_HOLD, Cycle, CycleState, Payment, PaymentState
from gateway.pii.codec import PiiCodec
from gateway.pii.mask import mask_name, mask_phone
from gateway.registry.models import Beneficiary, WalletLink
from gateway.settings import ChannelSettings
from gateway.vn.money import vnd
from ussd_menus import catalogs
from ussd_menus.gsm7 import strip_accents

TOPIC = "notice.payment"
OUTCOMES = frozenset({"succeeded", "failed", "held"})  # the payment states notices tell of
NAME_MAX = 18  # a masked name in a notice; longer ones shrink to initials

# The texts are in the message catalogs (ussd_menus/catalogs, keys ``notice.*``).
NOTICE_LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class NoticeSettings:
    """Say what notices print and when they may go out."""

    hotline: str = "1900 0000"
    shortcode: str = "8088"
    ussd_code: str = "*384*12#"
    start_hour: int = 7
    end_hour: int = 22
    reminder_days: int = 0  # remind this many days before the payment date; 0: no reminders


def not_before(now_utc: datetime, start_hour: int = 7, end_hour: int = 22) -> datetime | None:
    """Return when a non-urgent notice may go (naive UTC), or None if it may go now."""
    local = now_utc.replace(tzinfo=UTC).astimezone(LOCAL)
    if start_hour <= local.hour < end_hour:
        return None
    day = local.date() if local.hour < start_hour else local.date() + timedelta(days=1)
    opens = datetime.combine(day, time(start_hour), tzinfo=LOCAL)
    return opens.astimezone(UTC).replace(tzinfo=None)


def money(amount: int, lang: str = "vi") -> str:
    """Format đồng as ``1.250.000 d`` (``1.250.000 VND`` in English)."""
    return catalogs.money(lang, amount)


def notice_name(full_name: str) -> str:
    """Mask a name for a notice, unaccented and short: ``Nguyen Van An`` → ``N***** V** A*``.

    Long names shrink to initials (``N* T* M* K*``) so the notice still fits one SMS.
    """
    masked = strip_accents(mask_name(full_name))
    if len(masked) <= NAME_MAX:
        return masked
    return " ".join(word[0] + "*" for word in masked.split())[:NAME_MAX]


def notice_text(state: str, amount: int, month: str, wallet: str, settings: NoticeSettings,
                lang: str = "vi", person: str | None = None, day: str = "") -> str:
    """Write the notice for a payment that reached ``state`` (succeeded, failed or held).

    ``state`` "reminder" announces the payment ``day`` (dd/mm/yyyy) ahead. ``person``
    (already masked) names whose payment it is, for a phone that is not theirs.
    """
    lang = lang if lang in NOTICE_LANGUAGES else "vi"
    head = (catalogs.text(lang, "notice.head_for", name=person) if person
            else catalogs.text(lang, "notice.head"))
    return catalogs.text(
        lang, f"notice.{state}", head=head, amount=money(amount, lang), month=month,
        wallet=wallet, date=day, hotline=settings.hotline, shortcode=settings.shortcode,
        ussd=settings.ussd_code)


def notice_template(kind: str, amount: int, month: str, wallet: str, settings: NoticeSettings,
                    person: str | None = None, day: str | None = None) -> Template:
    """Give a notice's template send: its kind and values, for telcos with templates (Zalo ZNS).

    A telco maps the kind (``succeeded``, ``held_sim``, ``reminder`` ...) to a template it
    has registered, or sends the SMS text instead; the values are accented (a ZNS template
    is) and hold nothing unmasked: the wallet phone and a name are masked already.
    """
    params = {"amount": vnd(amount), "month": month, "wallet": wallet,
              "hotline": settings.hotline}
    if person:
        params["name"] = person
    if day:
        params["date"] = day
    return Template(kind, params)


def held_kind(reason: str | None) -> str:
    """Pick the held notice for a hold's reason: verify the wallet, SIM changed, or review."""
    if reason == SIM_SWAP_HOLD:
        return "held_sim"
    if reason is None or reason.startswith("wallet not verified"):
        return "held"  # the beneficiary can fix it: menu 5 sends a code to the wallet phone
    return "held_review"  # flagged, changed or missing wallet: an officer acts


def notice_settings(channels: ChannelSettings) -> NoticeSettings:
    """Return what notices print and when they go, from the app's parsed channel settings."""
    start, end = channels.notice_hours
    return NoticeSettings(channels.hotline, channels.sms_shortcode, channels.ussd_code, start,
                          end, channels.notice_reminder_days)


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
            if row is None or state not in OUTCOMES or row[0].state != state:
                continue
            payment, period, person, wallet = row
            phone, own = _recipient(codec, person, wallet)
            lang = _language(redis_client, codec, phone)
            name = None if own else notice_name(
                codec.open("beneficiary", "name", person.ref, person.name_enc))
            wallet_phone = (codec.open("wallet_link", "phone", wallet.ref, wallet.phone_enc)
                            if wallet is not None else phone)
            kind = held_kind(payment.state_reason) if state == "held" else state
            month = f"{period.month:02d}/{period.year}"
            body = notice_text(kind, payment.amount, month, mask_phone(wallet_phone), settings,
                               lang, name)
            template = notice_template(kind, payment.amount, month, mask_phone(wallet_phone),
                                       settings, name)
            if stage_sms(s, codec, phone, body, SmsKind.NOTICE, not_before=wait,
                         dedupe_key=f"payment:{payment.id}:{state}",
                         template=template) is not None:
                queued += 1
    return queued


def stage_reminders(db: Database, codec: PiiCodec, settings: NoticeSettings, *,
                    redis_client: redis.Redis | None = None, now: datetime | None = None,
                    limit: int = 2000) -> int:
    """Queue one reminder per ready payment whose cycle pays ``reminder_days`` from today.

    Each pass queues at most ``limit`` (one short transaction); a payment is reminded once
    (``dedupe_key``), and a cycle whose reminders are all queued is marked in Redis for the
    day so later passes skip it with one lookup.
    """
    if settings.reminder_days <= 0:
        return 0
    now = now or datetime.now(UTC).replace(tzinfo=None)
    today = now.replace(tzinfo=UTC).astimezone(LOCAL).date()
    payday = today + timedelta(days=settings.reminder_days)
    wait = not_before(now, settings.start_hour, settings.end_hour)
    queued = 0
    with db.session() as s:
        cycles = list(s.scalars(sa.select(Cycle.id).where(
            Cycle.state == CycleState.RELEASED.value, Cycle.payment_date == payday)))
        for cycle_id in cycles:
            marker = f"chitra:reminded:{cycle_id}:{payday.isoformat()}"
            if redis_client is not None and redis_client.exists(marker):
                continue
            prefix = f"reminder:{cycle_id}:"
            room = limit - queued
            # Not yet reminded: no message carries the payment's key (a unique column).
            key = sa.literal(prefix) + sa.cast(Payment.id, sa.String)
            rows = s.execute(
                sa.select(Payment, Cycle.period, Beneficiary, WalletLink)
                .join(Cycle, Cycle.id == Payment.cycle_id)
                .join(Beneficiary, Beneficiary.id == Payment.beneficiary_id)
                .join(WalletLink, WalletLink.beneficiary_id == Beneficiary.id)
                .where(Payment.cycle_id == cycle_id, Payment.state == PaymentState.READY.value,
                       ~sa.exists().where(SmsMessage.dedupe_key == key))
                .order_by(Payment.id).limit(room + 1)).all()
            for payment, period, person, wallet in rows[:room]:
                phone, own = _recipient(codec, person, wallet)
                name = None if own else notice_name(
                    codec.open("beneficiary", "name", person.ref, person.name_enc))
                wallet_phone = codec.open("wallet_link", "phone", wallet.ref, wallet.phone_enc)
                month = f"{period.month:02d}/{period.year}"
                day = f"{payday.day:02d}/{payday.month:02d}/{payday.year}"
                body = notice_text("reminder", payment.amount, month, mask_phone(wallet_phone),
                                   settings, _language(redis_client, codec, phone), name, day)
                template = notice_template("reminder", payment.amount, month,
                                           mask_phone(wallet_phone), settings, name, day)
                if stage_sms(s, codec, phone, body, SmsKind.NOTICE, not_before=wait,
                             dedupe_key=f"{prefix}{payment.id}", template=template) is not None:
                    queued += 1
            if len(rows) > room:
                break  # this pass is full; the next one carries on
            if redis_client is not None:
                redis_client.set(marker, 1, ex=3 * 86400)
    return queued


def _recipient(codec: PiiCodec, person: Beneficiary,
               wallet: WalletLink | None) -> tuple[str, bool]:
    """Choose who hears of a payment; return the phone and whether it is the person's own.

    The wallet's phone first: whoever holds the wallet got (or must fix) the money, be it the
    beneficiary or a caregiver. Without a wallet, the representative (người nhận thay) if
    there is one, else the beneficiary.
    """
    if wallet is not None:
        phone = codec.open("wallet_link", "phone", wallet.ref, wallet.phone_enc)
        return phone, wallet.phone_bidx == person.phone_bidx
    if person.rep_phone_enc and person.rep_phone_bidx != person.phone_bidx:
        return codec.open("beneficiary", "rep_phone", person.ref, person.rep_phone_enc), False
    return codec.open("beneficiary", "phone", person.ref, person.phone_enc), True


def _language(redis_client: redis.Redis | None, codec: PiiCodec, phone: str) -> str:
    if redis_client is None:
        return "vi"
    # Accented Vietnamese would force UCS-2 (70 characters): notices stay unaccented.
    return "en" if PhoneLanguage(codec, redis_client).get(phone) == "en" else "vi"

