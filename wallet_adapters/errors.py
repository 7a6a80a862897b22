"""Errors raised by wallet adapters: one base type with a ``retryable`` flag, a few subclasses.

The worker's decision table is small on purpose:

- ``retryable=True``: the provider did not apply the request; resend with the SAME key later.
- ``TransferOutcomeUnknown``: the request may have been applied; never resend blindly, ask
  ``status(key)`` until it answers.
- anything else: a final refusal (bad request, declined by validation, modified request).
"""

from __future__ import annotations


class AdapterError(Exception):
    """Report a provider or adapter failure the caller can act on.

    Args:
        code: short machine-readable code, e.g. ``"provider_unavailable"`` or the provider's own
            error code such as ``"insufficientFunds"``.
        reason: a human-readable sentence (never contains secrets or full phone numbers).
        retryable: True when the request was certainly NOT applied, so resending it with the
            same idempotency key is safe and may succeed.
    """

    default_code = "adapter_error"

    def __init__(self, code: str | None = None, reason: str = "", *, retryable: bool = False):
        self.code = code or self.default_code
        self.reason = reason or self.code
        self.retryable = retryable
        super().__init__(f"{self.code}: {self.reason}")


class TransferOutcomeUnknown(AdapterError):
    """Signal that a transfer may or may not have been applied (timeout, lost answer).

    The caller must NOT resend; it must resolve the outcome with ``status(idempotency_key)``.
    ``retryable`` is always False for that reason.
    """

    default_code = "outcome_unknown"

    def __init__(self, code: str | None = None, reason: str = "", *, idempotency_key: str = ""):
        super().__init__(code, reason, retryable=False)
        self.idempotency_key = idempotency_key


class TransferNotFound(AdapterError):
    """Signal that the provider has no record of a transfer under our idempotency key.

    ``retryable`` is True: the provider never applied it, so sending it (again) with the same key
    is safe.
    """

    default_code = "not_found"

    def __init__(self, code: str | None = None, reason: str = "", *, idempotency_key: str = ""):
        super().__init__(code, reason, retryable=True)
        self.idempotency_key = idempotency_key


class InvalidRequest(AdapterError, ValueError):
    """Reject a request the provider would refuse anyway (bad amount, MSISDN, key format)."""

    default_code = "invalid_request"


class NotSupported(AdapterError):
    """Signal that this provider does not offer an optional operation (balance, account check)."""

    default_code = "not_supported"


class CallbackRejected(AdapterError):
    """Reject a provider callback that could not be verified or parsed.

    ``idempotency_key`` is filled when it could be read from the (untrusted) request, so the
    caller may trigger a status query; the callback itself must never be trusted as an outcome.
    """

    default_code = "callback_rejected"

    def __init__(
        self, code: str | None = None, reason: str = "", *, idempotency_key: str | None = None
    ):
        super().__init__(code, reason, retryable=False)
        self.idempotency_key = idempotency_key


class WebhookVerificationError(AdapterError):
    """Report why a Standard Webhooks signature check failed.

    Codes: ``missing_header``, ``bad_timestamp``, ``stale``, ``future``, ``bad_signature``,
    ``replay``, ``bad_secret``.
    """

    default_code = "bad_signature"


class UnknownProvider(AdapterError, LookupError):
    """Signal that no adapter is registered (or enabled) under the requested name."""

    default_code = "unknown_provider"


class InvalidSettings(AdapterError, ValueError):
    """Signal that adapter settings are missing, unknown or of the wrong type."""

    default_code = "invalid_settings"
