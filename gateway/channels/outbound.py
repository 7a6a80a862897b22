"""Stage outbound SMS in the caller's transaction; a sender drains them later.

Nothing here talks to the telco: the web layer answers in milliseconds and a lost answer from
the SMS API never rolls back a confirmed receipt or a complaint.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.channels.models import SmsKind, SmsMessage, SmsStatus
from gateway.channels.seam import Template
from gateway.clock import utcnow
from gateway.outbox import emit
from gateway.pii.codec import PiiCodec

TOPIC = "sms.outbound"
BODY_MAX = 459  # three concatenated GSM-7 parts; our texts are far shorter
# What a one-time code message's body becomes once sent: the code is not kept.
SCRUBBED = "[one-time code removed after sending]"


def stage_sms(session: Session, codec: PiiCodec, phone: str, body: str, kind: SmsKind, *,
              not_before: datetime | None = None, dedupe_key: str | None = None,
              template: Template | None = None) -> int | None:
    """Queue one SMS to an E.164 phone with an outbox row; return its id (None if a duplicate).

    ``dedupe_key`` names the event the message tells of; the same key never queues twice.
    A one-time code message (``SmsKind.OTP``) is stored sealed like personal data, and the
    sender replaces it with ``SCRUBBED`` once it is sent or given up. ``template`` asks for
    a template send (Zalo ZNS first) where the telco offers one; ``body`` is its SMS fallback.
    """
    if dedupe_key is not None and session.scalar(
            sa.select(SmsMessage.id).where(SmsMessage.dedupe_key == dedupe_key)) is not None:
        return None
    ref = secrets.token_hex(8)
    now = utcnow()
    message = SmsMessage(
        ref=ref, phone_enc=codec.seal("sms_message", "phone", ref, phone),
        phone_bidx=codec.phone_index(phone),
        body=(codec.seal("sms_message", "body", ref, body[:BODY_MAX]) if kind is SmsKind.OTP
              else body[:BODY_MAX]),
        kind=kind.value,
        status=SmsStatus.QUEUED.value, not_before=not_before, attempts=0,
        dedupe_key=dedupe_key, template_json=template_json(template), created_at=now,
        updated_at=now)
    session.add(message)
    session.flush()
    emit(session, TOPIC, [{"sms_id": message.id}])
    return message.id


def open_body(codec: PiiCodec, message: SmsMessage) -> str:
    """Return the text to send: one-time code messages are unsealed (only the sender does)."""
    if message.kind == SmsKind.OTP.value and message.body != SCRUBBED:
        return codec.open("sms_message", "body", message.ref, message.body)
    return message.body


def scrub_secret(message: SmsMessage) -> None:
    """Forget a one-time code message's text once it needs no further sending."""
    if message.kind == SmsKind.OTP.value:
        message.body = SCRUBBED


def open_phone(codec: PiiCodec, message: SmsMessage) -> str:
    """Decrypt the message's phone (only the sender needs it)."""
    return codec.open("sms_message", "phone", message.ref, message.phone_enc)


def template_json(template: Template | None) -> str | None:
    """Write a template send as stored on its message (None for a plain SMS)."""
    if template is None:
        return None
    return json.dumps({"template_id": template.template_id, "params": dict(template.params)},
                      ensure_ascii=False, sort_keys=True)


def template_of(message: SmsMessage) -> Template | None:
    """Read a message's template send, or None for a plain SMS."""
    if not message.template_json:
        return None
    data = json.loads(message.template_json)
    return Template(str(data["template_id"]),
                    {str(k): str(v) for k, v in dict(data.get("params") or {}).items()})
