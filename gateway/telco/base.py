"""The telco seam, as adapters import it: the neutral types of :mod:`gateway.channels.seam`.

An adapter in ``gateway/telco/<aggregator>/`` reads its wire format into these values and
implements :class:`SmsSender`; see docs/adding-a-telco.md.
"""

from gateway.channels.seam import (
    DeliveryReport,
    DeliveryStatus,
    InboundMessage,
    Recipient,
    SendOutcome,
    SendStatus,
    SmsBatch,
    SmsSender,
    TelcoUnavailable,
    Template,
)

__all__ = [
    "DeliveryReport",
    "DeliveryStatus",
    "InboundMessage",
    "Recipient",
    "SendOutcome",
    "SendStatus",
    "SmsBatch",
    "SmsSender",
    "TelcoUnavailable",
    "Template",
]
