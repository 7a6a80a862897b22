"""What each documented eSMS ``CodeResult`` means for a message, and each ``SendStatus``.

Sources: ``esms-api/table-of-error-codes.md`` (every code), the response tabs of
``esms-api/send-sms-api/send-otp-customer-care-message.md`` and
``esms-api/callback-url.md`` (``SendStatus``, ``SendSuccess``/``SendFailed``, ``TypeId``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from gateway.telco.base import DeliveryStatus


class Verdict(enum.Enum):
    """How the sender treats an answer code."""

    SENT = "sent"          # accepted (100), or accepted by an earlier try (124)
    FAILED = "failed"      # this message, to this phone, will never be accepted
    RETRY = "retry"        # this message may be accepted later
    ACCOUNT = "account"    # nothing can be sent now (keys, balance, brandname, IP): stop, retry
    NO_ZALO = "no_zalo"    # the Zalo half is misconfigured: send the plain SMS instead


ACCEPTED = "100"
DUPLICATE = "124"  # "Request exist": a RequestId seen in the last 24 hours was accepted then

# Every code of the table; the short reason is what a failed message keeps (no personal data).
CODES: Mapping[str, tuple[Verdict, str]] = {
    "99": (Verdict.FAILED, "phone blocked by eSMS"),
    "100": (Verdict.SENT, "accepted"),
    "101": (Verdict.ACCOUNT, "wrong ApiKey or SecretKey"),
    "102": (Verdict.ACCOUNT, "no price list"),
    "103": (Verdict.ACCOUNT, "balance too low"),
    "104": (Verdict.ACCOUNT, "brandname not registered"),
    "105": (Verdict.FAILED, "message code not found"),
    "106": (Verdict.FAILED, "recording not found"),
    "107": (Verdict.FAILED, "too few numbers for an advert"),
    "108": (Verdict.FAILED, "phone format refused"),
    "110": (Verdict.NO_ZALO, "Zalo data refused"),
    "115": (Verdict.FAILED, "hashed phone refused"),
    "118": (Verdict.ACCOUNT, "message type not supported"),
    "120": (Verdict.FAILED, "too many numbers"),
    "124": (Verdict.SENT, "accepted earlier (same RequestId)"),
    "140": (Verdict.ACCOUNT, "our IP is not whitelisted"),
    "146": (Verdict.FAILED, "text does not match a registered template"),
    "160": (Verdict.RETRY, "too many requests a second"),
    "171": (Verdict.FAILED, "code used or expired"),
    "177": (Verdict.FAILED, "brandname not registered on this network"),
    "199": (Verdict.RETRY, "request already being processed"),
    "204": (Verdict.NO_ZALO, "Zalo OA unknown"),
    "210": (Verdict.NO_ZALO, "Zalo payload refused"),
    "300": (Verdict.ACCOUNT, "message type missing"),
    "301": (Verdict.ACCOUNT, "service type not supported"),
    "687": (Verdict.FAILED, "more than 500 numbers"),
    "789": (Verdict.NO_ZALO, "ZNS template not configured for the OA"),
    "790": (Verdict.NO_ZALO, "wrong ZNS template"),
    "791": (Verdict.NO_ZALO, "OA id or template id missing"),
    "799": (Verdict.NO_ZALO, "Zalo OA not active"),
    "801": (Verdict.NO_ZALO, "ZNS mode 3 cannot be scheduled"),
    "802": (Verdict.NO_ZALO, "ZNS mode 3 not allowed"),
    "851": (Verdict.FAILED, "message id missing"),
}


def verdict(answer: Mapping[str, object]) -> tuple[Verdict, str]:
    """Judge one send answer: its verdict and a short reason naming the code.

    An answer without ``CodeResult`` (the documented ``{"error": "Invalid request"}``,
    "Connection is error") is an account-wide failure: nothing was accepted.
    """
    code = str(answer.get("CodeResult") or "").strip()
    if not code:
        return Verdict.ACCOUNT, "no CodeResult (connection error)"
    found = CODES.get(code)
    if found is None:
        return Verdict.FAILED, f"{code}: undocumented code"
    return found[0], f"{code}: {found[1]}"


# --- delivery reports -------------------------------------------------------------------

# SendStatus: 1 pending approval, 2 waiting to send, 4 reject, 5 sent successfully,
# 7 sent to the telco, waiting for the report.
SEND_STATUS: Mapping[str, DeliveryStatus] = {
    "1": DeliveryStatus.PENDING,
    "2": DeliveryStatus.PENDING,
    "4": DeliveryStatus.REJECTED,
    "5": DeliveryStatus.DELIVERED,
    "7": DeliveryStatus.PENDING,
}
# TypeId of a Zalo ZNS report (24 ZNS OTP, 25 customer-care ZNS): a failed ZNS half of a
# multichannel message is followed by its SMS half, which reports for itself.
ZNS_TYPES = frozenset({"24", "25"})


def _count(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def delivery_status(send_status: str, success: str | None, failed: str | None,
                    type_id: str | None) -> tuple[DeliveryStatus, str | None] | None:
    """Map one callback's fields to a status and reason, or None for an unknown status.

    ``SendStatus`` 5 says eSMS finished with the message; ``SendSuccess``/``SendFailed`` say
    how it went (the documented customer-care sample reports ``SendStatus=5`` with
    ``SendSuccess=0&SendFailed=2``: finished, and failed).
    """
    status = SEND_STATUS.get(send_status.strip())
    if status is None:
        return None
    if status is DeliveryStatus.REJECTED:
        return status, "4: rejected"
    if status is not DeliveryStatus.DELIVERED:
        return status, None
    ok, bad = _count(success), _count(failed)
    if ok:
        return DeliveryStatus.DELIVERED, None
    if bad:
        if (type_id or "").strip() in ZNS_TYPES:
            return DeliveryStatus.PENDING, "ZNS failed: SMS fallback"
        return DeliveryStatus.FAILED, "5: not delivered"
    if ok == 0 and bad == 0:
        return DeliveryStatus.PENDING, None  # finished with nothing counted yet: wait
    return DeliveryStatus.DELIVERED, None
