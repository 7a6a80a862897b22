"""The signature eSMS puts on every MO (inbound short-code SMS) it forwards to us.

``esms-api/svoucher-connect/connect-to-shortcode-service.md``: ``sign`` hashes five values,
``cpid``, ``smsid``, ``content``, the receive time and the service's ``PrivateKey``, as
``MD5(value1 + value2 + ... + private_key)`` over UTF-8, written in base64 (its .NET, Java and
PHP samples all base64 the raw digest).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def mo_sign(cpid: str, smsid: str, content: str, receiver_time: str, private_key: str) -> str:
    """Compute the ``sign`` eSMS sends with an MO."""
    text = cpid + smsid + content + receiver_time + private_key
    return base64.b64encode(hashlib.md5(text.encode("utf-8")).digest()).decode("ascii")


def mo_sign_valid(given: str, cpid: str, smsid: str, content: str, receiver_time: str,
                  private_key: str) -> bool:
    """Tell, in constant time, whether ``given`` is the MO's signature under ``private_key``."""
    expected = mo_sign(cpid, smsid, content, receiver_time, private_key)
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"),
                               expected.encode("ascii"))
