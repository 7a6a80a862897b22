"""Standard Webhooks 1.0: sign and verify callbacks with HMAC-SHA256.

Headers: ``webhook-id``, ``webhook-timestamp`` (unix seconds) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">``, several separated by spaces).
Secrets are ``whsec_<base64>``. Verification accepts any of several secrets (rotation), rejects
timestamps more than five minutes old or in the future, compares in constant time, works on the
raw bytes, and rejects replays through an optional ``seen`` hook backed by shared state.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import secrets as _secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping

from wallet_adapters.errors import CallbackRejected, WebhookVerificationError

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


def generate_secret(nbytes: int = 32) -> str:
    """Make a new random ``whsec_`` secret."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(nbytes)).decode()


def secret_key(secret: str | bytes) -> bytes:
    """Decode a ``whsec_<base64>`` secret to its key bytes (raw bytes pass through).

    Raises:
        WebhookVerificationError: with code ``bad_secret`` if the secret is not valid base64.
    """
    if isinstance(secret, bytes):
        return secret
    return _decode_secret(secret)


@functools.lru_cache(maxsize=64)
def _decode_secret(secret: str) -> bytes:
    # Adapters are rebuilt per worker call; decoding the same few secrets once is enough.
    text = secret.strip()
    if text.startswith(SECRET_PREFIX):
        text = text[len(SECRET_PREFIX) :]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("bad_secret", "webhook secret is not valid base64") from None


def split_secrets(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Split a setting holding one or more secrets (space or comma separated) into a tuple."""
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(part for part in value.replace(",", " ").split() if part)
    return tuple(value)


def _digest(key: bytes, msg_id: str, timestamp: int | str, body: bytes) -> bytes:
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    return hmac.new(key, to_sign, hashlib.sha256).digest()


def sign(secret: str | bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """Compute one ``v1,<base64>`` signature over the raw body."""
    return "v1," + base64.b64encode(_digest(secret_key(secret), msg_id, timestamp, body)).decode()


def signed_headers(
    secrets: str | Iterable[str],
    body: bytes,
    *,
    msg_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """Build the three Standard Webhooks headers for a body, signed with every given secret.

    Args:
        secrets: one secret, or several (space/comma separated or an iterable) during rotation.
        msg_id: the event id, identical on every redelivery of the same event.
        timestamp: unix seconds; now by default.
    """
    keys = [secret_key(s) for s in split_secrets(secrets)]
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    ts = int(time.time()) if timestamp is None else int(timestamp)
    signature = " ".join(
        "v1," + base64.b64encode(_digest(k, msg_id, ts, body)).decode() for k in keys
    )
    return {ID_HEADER: msg_id, TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: signature}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # Plain dicts are case-sensitive; HTTP header names are not.
        for key, candidate in headers.items():
            if key.lower() == name:
                return candidate
    return value


class Verifier:
    """Verify Standard Webhooks signatures against several secrets, decoded once.

    Args:
        secrets: the accepted secrets; any one valid signature passes (rotation).
        tolerance: seconds a timestamp may be old or ahead of our clock.
    """

    def __init__(self, secrets: str | Iterable[str], *, tolerance: int = TOLERANCE_SECONDS):
        self._keys = tuple(secret_key(s) for s in split_secrets(secrets))
        if not self._keys:
            raise WebhookVerificationError("bad_secret", "no webhook secret configured")
        self.tolerance = tolerance

    def verify(
        self,
        headers: Mapping[str, str],
        body: bytes,
        *,
        seen: Callable[[str], bool] | None = None,
        now: float | None = None,
    ) -> str:
        """Check a callback's signature, freshness and novelty; give its webhook id.

        Args:
            headers: the request headers (any case).
            body: the raw request body, exactly as received.
            seen: returns True if this webhook id was already accepted (e.g. Redis SETNX); it
                is consulted only after the signature is valid, so forgeries cannot burn ids.
            now: the current unix time, for tests.

        Raises:
            WebhookVerificationError: codes ``missing_header``, ``bad_timestamp``, ``stale``,
                ``future``, ``bad_signature``, ``replay``.
        """
        msg_id = _header(headers, ID_HEADER)
        ts_text = _header(headers, TIMESTAMP_HEADER)
        sig_header = _header(headers, SIGNATURE_HEADER)
        for name, value in ((ID_HEADER, msg_id), (TIMESTAMP_HEADER, ts_text),
                            (SIGNATURE_HEADER, sig_header)):
            if not value:
                raise WebhookVerificationError("missing_header", f"missing header {name}")
        assert msg_id is not None and ts_text is not None and sig_header is not None
        try:
            timestamp = int(ts_text)
        except ValueError:
            raise WebhookVerificationError(
                "bad_timestamp", "webhook-timestamp is not unix seconds"
            ) from None
        current = time.time() if now is None else now
        if timestamp < current - self.tolerance:
            raise WebhookVerificationError("stale", "webhook timestamp is too old")
        if timestamp > current + self.tolerance:
            raise WebhookVerificationError("future", "webhook timestamp is in the future")
        offered: list[bytes] = []
        for part in sig_header.split():
            version, _, encoded = part.partition(",")
            if version != "v1":
                continue  # v1a (Ed25519) and unknown versions are not ours to check
            try:
                offered.append(base64.b64decode(encoded, validate=True))
            except (binascii.Error, ValueError):
                continue
        valid = False
        for key in self._keys:
            expected = _digest(key, msg_id, ts_text, body)
            # Check every offered signature, not just the first, so rotation works both ways.
            for candidate in offered:
                if hmac.compare_digest(expected, candidate):
                    valid = True
        if not valid:
            raise WebhookVerificationError("bad_signature", "no valid webhook signature")
        if seen is not None and seen(msg_id):
            raise WebhookVerificationError("replay", f"webhook {msg_id} was already received")
        return msg_id


def verify(
    secrets: str | Iterable[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    seen: Callable[[str], bool] | None = None,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> str:
    """Verify one callback against any of ``secrets``; give its webhook id.

    Raises:
        WebhookVerificationError: see :meth:`Verifier.verify`.
    """
    return Verifier(secrets, tolerance=tolerance).verify(headers, body, seen=seen, now=now)


def verifier_for(setting: str | Iterable[str] | None) -> Verifier | None:
    """Build the verifier of an adapter's ``webhook_secret`` setting; None when it is unset."""
    secrets = split_secrets(setting)
    return Verifier(secrets) if secrets else None


def verified_event_id(
    verifier: Verifier | None,
    headers: Mapping[str, str],
    body: bytes,
    *,
    seen: Callable[[str], bool] | None = None,
    idempotency_key: str | None = None,
) -> str:
    """Verify a callback for an adapter; give its webhook id.

    Args:
        idempotency_key: our key as read from the untrusted body, carried on the rejection so
            the gateway can ask for the transfer's status.

    Raises:
        CallbackRejected: no secret configured (``no_secret``) or any verification failure,
            with :class:`Verifier`'s codes.
    """
    if verifier is None:
        raise CallbackRejected("no_secret",
                               "no webhook secret configured; callbacks cannot be trusted",
                               idempotency_key=idempotency_key)
    try:
        return verifier.verify(headers, body, seen=seen)
    except WebhookVerificationError as exc:
        raise CallbackRejected(exc.code, exc.reason, idempotency_key=idempotency_key) from None
