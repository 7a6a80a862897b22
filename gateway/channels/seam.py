"""The telco seam's types: what every SMS aggregator adapter gives the gateway and gets from it.

Neutral on purpose: nothing here names an aggregator's fields, codes or hosts. An adapter in
``gateway/telco/<aggregator>/`` turns its wire format into these values (it imports them as
``gateway.telco.base``); the gateway's services (``gateway.channels.sms``, ``.inbound``,
``.hop``) work on them alone. They live in the channels room because the channels own
these services and a domain room never imports a door (docs/architecture.md).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class SendStatus(str, enum.Enum):
    """What the telco did with one recipient's message."""

    SENT = "sent"  # the telco accepted this recipient's message
    FAILED = "failed"  # refused for good for this recipient (reason kept)
    RETRY = "retry"  # not accepted now; try again later (counts an attempt)


@dataclass(frozen=True)
class Recipient:
    """One phone of a batch and the message it stands for."""

    phone: str  # E.164, e.g. "+84912345678"
    # Our sms_message.ref: stable across retries; the idempotency key for telcos that
    # de-duplicate (eSMS RequestId).
    message_ref: str


@dataclass(frozen=True)
class Template:
    """An optional template send (Zalo ZNS first, SMS fallback)."""

    template_id: str  # e.g. a ZNS template id, from settings
    params: Mapping[str, str]  # template parameters (no unmasked personal data)


@dataclass(frozen=True)
class SmsBatch:
    """One text to several recipients, sent in one call."""

    body: str  # the SMS text (unaccented GSM-7 by default; accented => Unicode)
    recipients: tuple[Recipient, ...]
    kind: str  # "notice" | "reply" | "ticket" | "otp"
    # None: plain SMS. A sender without template support ignores it.
    template: Template | None = None


@dataclass(frozen=True)
class SendOutcome:
    """What became of one recipient's message."""

    message_ref: str
    status: SendStatus
    telco_message_id: str | None = None  # the telco's id for delivery reports
    reason: str | None = None  # short, no personal data


class TelcoUnavailable(Exception):
    """The whole call failed before the telco could accept anything: retry later.

    For example the network, an HTTP 5xx, or an account out of credit.
    """


class SmsSender(Protocol):
    """Send batches of SMS through one aggregator."""

    name: str  # "africastalking", "esms"
    max_batch: int  # recipients per send() call

    def send(self, batch: SmsBatch) -> list[SendOutcome]:
        """Send the batch and return exactly one outcome per recipient.

        Raises:
            TelcoUnavailable: nothing was accepted; every recipient is retried later.
        """
        ...


class DeliveryStatus(str, enum.Enum):
    """Where a sent message stands, as a delivery report tells it."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class DeliveryReport:
    """The telco's word on one sent message."""

    telco_message_id: str
    status: DeliveryStatus
    reason: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One SMS a phone sent us."""

    telco: str  # "africastalking" | "esms"
    telco_message_id: str  # the telco's id of the inbound message (de-duplication key)
    phone: str  # E.164 sender
    text: str
