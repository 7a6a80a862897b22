"""Apply a provider callback: verified outcomes move the payment, anything else only asks.

A callback that cannot be verified never marks a payment paid: it only triggers a status
query. A verified one is applied through the same monotonic transitions as the engine's own
answers, so duplicates, reordering and concurrency leave one effect.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.outbox import Topic, emit
from gateway.payroll.models import Payment, PaymentState
from gateway.payroll.payments import Change, transition_batch
from wallet_adapters import CallbackEvent, TransferStatus

log = logging.getLogger(__name__)
_REF = re.compile(r"[0-9a-f]{32}")
S = PaymentState
TARGETS = {TransferStatus.SUCCEEDED: S.SUCCEEDED, TransferStatus.FAILED: S.FAILED,
           TransferStatus.PENDING: S.ACCEPTED}


@dataclass(frozen=True, slots=True)
class Applied:
    """What a callback did: ``status`` is the HTTP answer to give."""

    status: int
    result: str


def normalise_ref(key: str) -> str:
    """Return our payment reference from an idempotency key as providers echo it.

    Anything that cannot be one of our references (32 hex digits) becomes ``""``, which names
    no payment: an untrusted key never reaches the database as typed (PostgreSQL refuses NUL
    characters in text with an error, not a miss).
    """
    ref = str(key).replace("-", "").strip().lower()
    return ref if _REF.fullmatch(ref) else ""


def request_status_query(session: Session, idempotency_key: str | None, why: str) -> bool:
    """Stage a status query for the payment a callback names (if we know it)."""
    if not idempotency_key:
        return False
    payment_id = session.scalar(sa.select(Payment.id).where(
        Payment.ref == normalise_ref(idempotency_key)))
    if payment_id is None:
        return False
    emit(session, Topic.PAYMENTS_POLL.value, [{"payment_ids": [payment_id], "why": why}])
    return True


def apply_event(session: Session, provider: str, event: CallbackEvent) -> Applied:
    """Apply one verified callback event to its payment."""
    row = session.execute(sa.select(Payment.id, Payment.amount, Payment.provider).where(
        Payment.ref == normalise_ref(event.idempotency_key))).first()
    if row is None or row.provider != provider:
        log.warning("callback from %s names no payment of that provider", provider)
        return Applied(404, "unknown payment")
    if event.amount is not None and event.amount != row.amount:
        # A well-formed success for another amount is never settled: ask the provider.
        log.warning("callback for payment %s reports another amount; asking", row.id)
        request_status_query(session, event.idempotency_key, "amount mismatch in callback")
        return Applied(409, "amount does not match; status query requested")
    target = TARGETS.get(event.status)
    if target is None:
        return Applied(202, "not final; nothing to do")
    if target is S.SUCCEEDED and event.amount is None:
        # Money is never settled on a callback that does not say how much arrived (absent
        # or unreadable, e.g. "500.50" in đồng): the status query's answer decides.
        log.warning("callback for payment %s reports success without an amount; asking", row.id)
        request_status_query(session, event.idempotency_key, "success callback without amount")
        return Applied(202, "no amount; status query requested")
    moved = transition_batch(session, target, [
        Change(row.id, event.provider_ref, event.reason if target is S.FAILED else None)])
    return Applied(200, "applied" if moved else "already applied")


def event_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return the request headers as a plain dict with lower-case names."""
    return {k.lower(): v for k, v in headers.items()}
