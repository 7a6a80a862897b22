"""Send released payments to wallet providers and resolve what comes back.

One call of ``send`` handles a chunk of payments:

1. claim: in one transaction, payments still ``ready`` move to ``held`` (with the reason)
   or ``sending`` — a conditional UPDATE, so a duplicate job claims nothing;
2. call: every claimed payment goes to its provider concurrently, throttled per provider,
   with the payment's own idempotency key (its reference) on every try;
3. apply: outcomes are written as they arrive, a small batch per transaction, with their
   ledger postings. A timeout or a lost answer makes the payment ``unknown``: only ``poll``
   (a status query with the same key) resolves it — never a blind resend. Errors the
   provider certainly did not apply return the payment to ``ready`` with a back-off.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

import wallet_adapters
from gateway.clock import utcnow
from gateway.db import Database, id_in
from gateway.disbursement.limits import ProviderThrottle
from gateway.disbursement.providers import provider_settings
from gateway.payroll.models import Cycle, Payment, PaymentState
from gateway.payroll.payments import Change, transition_batch
from gateway.pii.codec import PiiCodec
from gateway.refs import as_uuid
from gateway.registry.models import WalletLink
from gateway.wallets.payout_gate import HOLD_REASON as SIM_SWAP_HOLD
from gateway.wallets.payout_gate import sim_swap_gate
from otp import SimSwapCheck
from wallet_adapters import (
    AdapterError,
    TransferNotFound,
    TransferOutcomeUnknown,
    TransferRequest,
    TransferResult,
    TransferStatus,
)

log = logging.getLogger(__name__)
S = PaymentState
MAX_ATTEMPTS = 8  # retryable errors (never applied) before the payment is given up as failed
# Outcomes are applied in batches of up to APPLY_BATCH, gathered for at most APPLY_WINDOW_S
# after the first one arrives: large enough that a fast provider costs one transaction per
# few hundred payments, short enough that one slow answer delays nobody else's.
APPLY_BATCH = 500
APPLY_WINDOW_S = 0.05


def backoff(attempts: int) -> timedelta:
    """Return the wait before another try after ``attempts`` retryable failures."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 900))


@dataclass
class Outcome:
    """Counts of what one ``send`` or ``poll`` call did."""

    claimed: int = 0
    held: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Disburser:
    """Pays chunks of payments through the configured adapters (one per process)."""

    def __init__(self, db: Database, codec: PiiCodec, *, redis_client: Any = None,
                 enabled: Sequence[str] | None = None, callback_base: str | None = None,
                 adapter_overrides: dict[str, dict[str, Any]] | None = None,
                 now: Callable[[], datetime] = utcnow, sim_swap: SimSwapCheck | None = None,
                 sim_swap_max_age_hours: int = 72) -> None:
        self.db = db
        # None: no SIM-swap check configured, and the claim step asks nothing.
        self.sim_swap = sim_swap
        self.sim_swap_max_age_hours = sim_swap_max_age_hours
        self.codec = codec
        self.redis = redis_client
        self.enabled = list(enabled) if enabled is not None else None
        self.callback_base = callback_base.rstrip("/") if callback_base else None
        self.overrides = adapter_overrides or {}
        self.now = now
        self._adapters: dict[str, Any] = {}
        self._throttles: dict[str, ProviderThrottle] = {}

    # -- adapters -----------------------------------------------------------------------

    def adapter(self, provider: str) -> Any:
        """Return this process's adapter for a provider, building it on first use."""
        adapter = self._adapters.get(provider)
        if adapter is None:
            with self.db.sessionmaker() as session:
                kind, settings, rate, in_flight = provider_settings(session, self.codec, provider)
            settings = {**settings, **self.overrides.get(provider, {})}
            adapter = wallet_adapters.create(kind, settings, enabled=None)
            self._adapters[provider] = adapter
            # Never keep more calls in flight than the adapter has connections: the rest
            # would wait for a connection and could time out before leaving.
            connections = int(settings.get("max_connections") or in_flight)
            self._throttles[provider] = ProviderThrottle(self.redis, provider, rate,
                                                         min(in_flight, connections))
        return adapter

    # -- send -----------------------------------------------------------------------------

    def send(self, payment_ids: Sequence[int]) -> Outcome:
        """Claim, pay and settle a chunk of payments; return what happened.

        Outcomes are written as they arrive, in small batches, while the rest of the chunk's
        calls are still in flight: a slow provider answer does not hold back the others' ledger
        postings and notices, and a worker killed mid-chunk leaves only its unanswered calls
        in ``sending`` for the sweeper (each resolved by a status query).
        """
        outcome = Outcome()
        claimed = self._claim(payment_ids, outcome)
        if not claimed:
            return outcome
        arrived: queue.SimpleQueue[tuple[dict[str, Any], Any]] = queue.SimpleQueue()
        calls = self._submit(self._call_all(claimed, arrived))
        left = len(claimed)
        while left:
            batch = self._next_batch(arrived, left, calls)
            self._apply(batch, outcome)
            left -= len(batch)
        calls.result()
        return outcome

    @staticmethod
    def _next_batch(arrived: queue.SimpleQueue[tuple[dict[str, Any], Any]], left: int,
                    calls: Any) -> list[tuple[dict[str, Any], Any]]:
        """Wait for the next outcome, then gather more for a short window or up to a batch."""
        while True:
            try:
                batch = [arrived.get(timeout=1.0)]
                break
            except queue.Empty:
                if calls.done():
                    # The calls ended without answering for everyone (the loop was stopped):
                    # raise, leaving the rest in ``sending`` for the sweeper's status queries.
                    calls.result()
                    raise RuntimeError(
                        "transfer calls ended without an outcome for every payment") from None
        deadline = time.monotonic() + APPLY_WINDOW_S
        while len(batch) < min(left, APPLY_BATCH):
            wait = deadline - time.monotonic()
            if wait <= 0:
                break
            try:
                batch.append(arrived.get(timeout=wait))
            except queue.Empty:
                break
        return batch

    def _claim(self, payment_ids: Sequence[int], outcome: Outcome) -> list[dict[str, Any]]:
        P, W, C = Payment.__table__, WalletLink.__table__, Cycle.__table__
        now = self.now()
        with self.db.session() as session:
            rows = session.execute(
                sa.select(P.c.id, P.c.ref, P.c.amount, P.c.provider, P.c.phone_bidx,
                          P.c.attempts, W.c.verified, W.c.flag, W.c.phone_bidx.label("w_bidx"),
                          W.c.phone_enc, W.c.ref.label("w_ref"), W.c.id.label("w_id"),
                          C.c.period)
                .select_from(P.join(C, C.c.id == P.c.cycle_id)
                             .outerjoin(W, W.c.id == P.c.wallet_link_id))
                .where(id_in(session, P.c.id, payment_ids), P.c.state == S.READY.value,
                       sa.or_(P.c.next_attempt_at.is_(None), P.c.next_attempt_at <= now))
            ).all()
            holds: list[Change] = []
            go: dict[int, Any] = {}
            for r in rows:
                reason = hold_reason(r.verified, r.flag, r.w_bidx, r.phone_bidx)
                if reason:
                    holds.append(Change(r.id, reason=reason))
                else:
                    go[r.id] = r
            if self.sim_swap is not None and go:
                swapped, deferred = sim_swap_gate(session, self.codec, self.sim_swap,
                                                  self.sim_swap_max_age_hours, go, now)
                holds += [Change(pid, reason=SIM_SWAP_HOLD) for pid in sorted(swapped)]
                go = {pid: r for pid, r in go.items() if pid not in swapped | deferred}
            outcome.held = len(transition_batch(session, S.HELD, holds))
            moved = transition_batch(session, S.SENDING, [Change(pid) for pid in go])
            claimed = []
            for pid in moved:
                r = go[pid]
                claimed.append({
                    "id": pid, "key": as_uuid(r.ref), "amount": r.amount,
                    "provider": r.provider, "attempts": r.attempts + 1,
                    "msisdn": self.codec.open("wallet_link", "phone", r.w_ref, r.phone_enc),
                    "note": f"Tro cap {r.period:%m/%Y}",
                })
        outcome.claimed = len(claimed)
        return claimed

    async def _call_all(self, claimed: list[dict[str, Any]],
                        arrived: queue.SimpleQueue[tuple[dict[str, Any], Any]]) -> None:
        async def one(p: dict[str, Any]) -> None:
            arrived.put((p, await self._call(p)))

        await asyncio.gather(*(one(p) for p in claimed))

    async def _call(self, p: dict[str, Any]) -> TransferResult | BaseException:
        try:
            adapter = self.adapter(p["provider"])
            throttle = self._throttles[p["provider"]]
            callback = (f"{self.callback_base}/wallets/{p['provider']}/callback"
                        if self.callback_base else None)
            request = TransferRequest(p["key"], p["amount"], p["msisdn"], p["note"], callback)
            async with throttle.in_flight:
                await throttle.admit()
                return await adapter.transfer(request)
        except BaseException as exc:  # every failure is classified in _apply
            return exc

    def _apply(self, batch: list[tuple[dict[str, Any], Any]], outcome: Outcome) -> None:
        groups: dict[PaymentState, list[Change]] = defaultdict(list)
        now = self.now()
        for p, result in batch:
            target, change = classify(p, result, now)
            groups[target].append(change)
        with self.db.session() as session:
            for target, changes in groups.items():
                outcome.by_state[target.value] += len(transition_batch(session, target, changes))

    # -- poll -----------------------------------------------------------------------------

    def poll(self, payment_ids: Sequence[int]) -> Outcome:
        """Ask providers about accepted or unknown payments and apply the answers."""
        P = Payment.__table__
        outcome = Outcome()
        with self.db.sessionmaker() as session:
            rows = [dict(r._mapping) for r in session.execute(
                sa.select(P.c.id, P.c.ref, P.c.provider, P.c.state, P.c.amount)
                .where(id_in(session, P.c.id, payment_ids),
                       P.c.state.in_([S.ACCEPTED.value, S.UNKNOWN.value])))]
        if not rows:
            return outcome
        results = self._run(self._status_all(rows))
        groups: dict[PaymentState, list[Change]] = defaultdict(list)
        undecided: list[int] = []
        for row, result in zip(rows, results, strict=True):
            decided = resolve(row, result)
            if decided is not None:
                groups[decided[0]].append(decided[1])
            else:
                undecided.append(row["id"])
        with self.db.session() as session:
            for target, changes in groups.items():
                outcome.by_state[target.value] += len(transition_batch(session, target, changes))
            if undecided:
                # Asked just now: the sweeper waits a full poll interval before asking again.
                session.execute(P.update().where(
                    id_in(session, P.c.id, undecided),
                    P.c.state.in_([S.ACCEPTED.value, S.UNKNOWN.value]),
                ).values(updated_at=self.now()))
        return outcome

    async def _status_all(self, rows: list[dict[str, Any]]) -> list[Any]:
        async def one(row: dict[str, Any]) -> Any:
            try:
                adapter = self.adapter(row["provider"])
                throttle = self._throttles[row["provider"]]
                async with throttle.in_flight:
                    await throttle.admit()
                    return await adapter.status(as_uuid(row["ref"]))
            except BaseException as exc:  # classified by resolve()
                return exc

        return await asyncio.gather(*(one(r) for r in rows))

    @staticmethod
    def _run(coro: Any) -> Any:
        from gateway.disbursement.runner import run

        return run(coro)

    @staticmethod
    def _submit(coro: Any) -> Any:
        from gateway.disbursement.runner import submit

        return submit(coro)


def hold_reason(verified: bool | None, flag: str | None, wallet_bidx: str | None,
                payment_bidx: str) -> str | None:
    """Return why a payment must not be sent now, or None if it may go."""
    if wallet_bidx is None:
        return "no wallet link"
    if wallet_bidx != payment_bidx:
        return "wallet changed since the cycle was approved; an officer must review"
    if flag:
        return f"wallet flagged ({flag}); an officer must review"
    if not verified:
        return "wallet not verified"
    return None


def classify(p: dict[str, Any], result: Any, now: datetime) -> tuple[PaymentState, Change]:
    """Map a transfer's answer (or exception) to the payment's next state."""
    pid = p["id"]
    if isinstance(result, TransferResult):
        if result.amount is not None and result.amount != p["amount"]:
            # Never settle on an amount we did not send; a status query decides.
            return S.UNKNOWN, Change(pid, result.provider_ref, "provider reported another amount")
        if result.status is TransferStatus.SUCCEEDED:
            return S.SUCCEEDED, Change(pid, result.provider_ref)
        if result.status is TransferStatus.FAILED:
            return S.FAILED, Change(pid, result.provider_ref, result.reason or "declined")
        if result.status is TransferStatus.PENDING:
            return S.ACCEPTED, Change(pid, result.provider_ref)
        return S.UNKNOWN, Change(pid, result.provider_ref, result.reason or "outcome unknown")
    if isinstance(result, TransferOutcomeUnknown):
        return S.UNKNOWN, Change(pid, None, f"{result.code}: {result.reason}"[:200])
    if isinstance(result, AdapterError):
        reason = f"{result.code}: {result.reason}"[:200]
        if result.retryable and p["attempts"] < MAX_ATTEMPTS:
            return S.READY, Change(pid, None, reason, next_attempt_at=now + backoff(p["attempts"]))
        if result.retryable:
            return S.FAILED, Change(pid, None, f"gave up after {p['attempts']} tries: {reason}")
        return S.FAILED, Change(pid, None, reason)
    # Anything else (a bug, an odd network failure): the request may have gone out.
    log.warning("payment %s: unexpected %s during transfer", pid, type(result).__name__)
    return S.UNKNOWN, Change(pid, None, f"unexpected {type(result).__name__}")


def resolve(row: dict[str, Any], result: Any) -> tuple[PaymentState, Change] | None:
    """Map a status answer to the payment's next state (None: keep waiting)."""
    pid = row["id"]
    if isinstance(result, TransferResult):
        if result.amount is not None and result.amount != row["amount"]:
            log.warning("payment %s: provider reports another amount; not settled", pid)
            return None
        if result.status is TransferStatus.SUCCEEDED:
            return S.SUCCEEDED, Change(pid, result.provider_ref)
        if result.status is TransferStatus.FAILED:
            return S.FAILED, Change(pid, result.provider_ref, result.reason or "declined")
        if result.status is TransferStatus.PENDING and row["state"] == S.UNKNOWN.value:
            return S.ACCEPTED, Change(pid, result.provider_ref)
        return None
    if isinstance(result, TransferNotFound) and row["state"] == S.UNKNOWN.value:
        # The provider has no record of our key: it never arrived, so sending is safe.
        return S.READY, Change(pid, None, "not found at the provider; will be sent again")
    return None
