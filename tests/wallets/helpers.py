"""Read what wallet verification left behind: links, one-time code SMS, payment states."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from gateway.channels.models import SmsKind, SmsMessage
from gateway.db import get_db
from gateway.payroll.models import Payment
from gateway.pii.codec import get_pii
from gateway.registry.models import Beneficiary, WalletLink

AN = "+84912345678"  # Nguyễn Văn An: his roster phone is also his wallet phone
NEW_PHONE = "+84935551234"


def link_of(app: Flask, beneficiary_ref: str) -> WalletLink:
    """Return the beneficiary's wallet link as stored now."""
    with get_db(app).sessionmaker() as s:
        link = s.scalar(sa.select(WalletLink).join(Beneficiary)
                        .where(Beneficiary.ref == beneficiary_ref))
        assert link is not None
        s.expunge(link)
        return link


def otp_messages(app: Flask) -> list[SmsMessage]:
    """Return the one-time code SMS rows, oldest first."""
    with get_db(app).sessionmaker() as s:
        rows = list(s.scalars(sa.select(SmsMessage).where(SmsMessage.kind == SmsKind.OTP.value)
                              .order_by(SmsMessage.id)))
        for row in rows:
            s.expunge(row)
        return rows


def received_code(app: Flask, message: SmsMessage | None = None) -> str:
    """Read the code as the wallet phone would: from the (sealed) queued SMS."""
    message = message or otp_messages(app)[-1]
    text = get_pii(app).open("sms_message", "body", message.ref, message.body)
    found = re.search(r"\b(\d{6})\b", text)
    assert found, "no code in the message"
    return found.group(1)


def payment_state(app: Flask, payment_id: int) -> tuple[str, str | None]:
    """Return a payment's state and reason."""
    with get_db(app).sessionmaker() as s:
        p = s.get(Payment, payment_id)
        assert p is not None
        return p.state, p.state_reason
