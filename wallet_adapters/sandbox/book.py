"""A fake provider's book: what it applied, idempotent on our key, with injected faults.

Both the in-process sandbox adapter and the GSMA HTTP simulator keep their money here, so a
test can prove what the "provider" really did: each key is applied at most once, a reused key
with other parameters is refused (Mojaloop 3106 "modified request"), and every execution is
logged separately from the idempotency index so a double application would show.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from wallet_adapters.base import TransferStatus
from wallet_adapters.errors import InvalidSettings


@dataclass(slots=True)
class Faults:
    """Describe how often the fake provider misbehaves; rates are probabilities in [0, 1]."""

    latency_ms: float = 0.0
    failure_rate: float = 0.0  # final declines
    retryable_error_rate: float = 0.0  # 503 before applying anything
    timeout_after_apply_rate: float = 0.0  # applied, but the caller never hears back
    pending_rate: float = 0.0  # answers pending, resolved after pending_ms
    pending_ms: float = 200.0
    duplicate_callback_rate: float = 0.0
    lost_callback_rate: float = 0.0
    late_callback_rate: float = 0.0
    late_callback_ms: float = 500.0
    seed: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Faults:
        """Build faults from a settings mapping, ignoring keys that are not fault knobs.

        Raises:
            InvalidSettings: if a value is not a number or a rate is outside [0, 1].
        """
        faults = cls()
        faults.update(values)
        return faults

    def update(self, values: Mapping[str, Any]) -> None:
        """Change some knobs in place, validating them.

        Raises:
            InvalidSettings: if a value is not a number or a rate is outside [0, 1].
        """
        for name in FAULT_NAMES:
            if name not in values or values[name] is None and name != "seed":
                continue
            raw = values[name]
            try:
                value: Any = None if raw is None else (int(raw) if name == "seed" else float(raw))
            except (TypeError, ValueError):
                raise InvalidSettings(reason=f"{name} must be a number") from None
            if name.endswith("_rate") and not 0.0 <= value <= 1.0:
                raise InvalidSettings(reason=f"{name} must be between 0 and 1")
            if name.endswith("_ms") and value < 0:
                raise InvalidSettings(reason=f"{name} must not be negative")
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        """Give the knobs as a plain dict."""
        return asdict(self)


FAULT_NAMES = tuple(f.name for f in fields(Faults))


@dataclass(slots=True)
class BookEntry:
    """Hold one transfer the fake provider accepted under our idempotency key."""

    idempotency_key: str
    amount: int
    msisdn: str
    note: str
    provider_ref: str
    outcome: TransferStatus  # SUCCEEDED or FAILED once resolved
    reason: str | None
    resolve_at: float  # time.monotonic() after which the outcome is visible
    requests: int = 1

    def status(self, now: float | None = None) -> TransferStatus:
        """Give the status a caller sees at ``now`` (pending until resolved)."""
        if self.resolve_at and (time.monotonic() if now is None else now) < self.resolve_at:
            return TransferStatus.PENDING
        return self.outcome

    def as_dict(self) -> dict[str, Any]:
        """Give the entry as JSON-friendly values."""
        return {
            "idempotency_key": self.idempotency_key,
            "amount": self.amount,
            "msisdn": self.msisdn,
            "note": self.note,
            "provider_ref": self.provider_ref,
            "status": self.status().value,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "requests": self.requests,
        }


SubmissionKind = Literal["applied", "replayed", "unavailable", "modified"]


@dataclass(slots=True)
class Submission:
    """Tell the front end (adapter or simulator) what happened to one transfer request.

    ``timed_out`` means the transfer was applied but the answer must be lost. ``callbacks``
    holds the delays (seconds) of the callback deliveries to make: none if lost, two if
    duplicated.
    """

    kind: SubmissionKind
    entry: BookEntry | None = None
    timed_out: bool = False
    callbacks: tuple[float, ...] = ()


_NO_CALLBACKS: tuple[float, ...] = ()


class ProviderBook:
    """Keep a fake provider's ledger, thread-safe, applying each key at most once."""

    def __init__(self, name: str = "default", *, ref_prefix: str = "SBX"):
        self.name = name
        self._ref_prefix = ref_prefix
        self._lock = threading.Lock()
        self._entries: dict[str, BookEntry] = {}
        self._attempts: dict[str, int] = {}
        self._executions: dict[str, int] = {}
        self._counter = 0

    def submit(
        self, key: str, amount: int, msisdn: str, note: str, faults: Faults
    ) -> Submission:
        """Process one transfer request under our key, injecting faults.

        Returns:
            What happened; the caller turns it into a result, an error or an HTTP answer.
        """
        with self._lock:
            attempt = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempt
            entry = self._entries.get(key)
            if entry is not None:
                if entry.amount != amount or entry.msisdn != msisdn:
                    return Submission("modified", entry)
                entry.requests += 1
                return Submission("replayed", entry)
            # A 503 is decided before anything is written: nothing was applied.
            if faults.retryable_error_rate and (
                _draw(faults.seed, key, attempt, "retry") < faults.retryable_error_rate
            ):
                return Submission("unavailable")
            declined = bool(faults.failure_rate) and (
                _draw(faults.seed, key, attempt, "fail") < faults.failure_rate
            )
            pending = bool(faults.pending_rate) and (
                _draw(faults.seed, key, attempt, "pend") < faults.pending_rate
            )
            self._counter += 1
            entry = BookEntry(
                idempotency_key=key,
                amount=amount,
                msisdn=msisdn,
                note=note,
                provider_ref=f"{self._ref_prefix}{self._counter:010d}",
                outcome=TransferStatus.FAILED if declined else TransferStatus.SUCCEEDED,
                reason="declined by the provider (simulated)" if declined else None,
                resolve_at=time.monotonic() + faults.pending_ms / 1000.0 if pending else 0.0,
            )
            self._entries[key] = entry
            self._executions[key] = self._executions.get(key, 0) + 1
        timed_out = bool(faults.timeout_after_apply_rate) and (
            _draw(faults.seed, key, attempt, "tmo") < faults.timeout_after_apply_rate
        )
        return Submission("applied", entry, timed_out, self._plan_callbacks(entry, faults))

    def _plan_callbacks(self, entry: BookEntry, faults: Faults) -> tuple[float, ...]:
        if not (faults.lost_callback_rate or faults.late_callback_rate or entry.resolve_at
                or faults.duplicate_callback_rate):
            return (0.0,)
        key, seed = entry.idempotency_key, faults.seed
        if faults.lost_callback_rate and _draw(seed, key, 0, "lost") < faults.lost_callback_rate:
            return _NO_CALLBACKS
        delay = max(entry.resolve_at - time.monotonic(), 0.0) if entry.resolve_at else 0.0
        if faults.late_callback_rate and _draw(seed, key, 0, "late") < faults.late_callback_rate:
            delay += faults.late_callback_ms / 1000.0
        if faults.duplicate_callback_rate and (
            _draw(faults.seed, key, 0, "dup") < faults.duplicate_callback_rate
        ):
            return (delay, delay)
        return (delay,)

    def get(self, key: str) -> BookEntry | None:
        """Give the entry applied under ``key``, or None if the provider never applied it."""
        return self._entries.get(key)

    def resolve_pending(self) -> int:
        """Make every pending transfer reach its final outcome now; give how many changed."""
        now = time.monotonic()
        changed = 0
        with self._lock:
            for entry in self._entries.values():
                if entry.resolve_at and entry.resolve_at > now:
                    entry.resolve_at = now
                    changed += 1
        return changed

    def applied(self) -> list[dict[str, Any]]:
        """List every applied transfer with its status and execution count."""
        with self._lock:
            entries = list(self._entries.values())
            executions = dict(self._executions)
        return [{**e.as_dict(), "applied": executions[e.idempotency_key]} for e in entries]

    def applied_count(self, key: str) -> int:
        """Count how many times the provider executed a transfer for ``key`` (never above 1)."""
        return self._executions.get(key, 0)

    def requests_count(self, key: str) -> int:
        """Count every request seen for ``key``, including refused and replayed ones."""
        return self._attempts.get(key, 0)

    def paid_total(self) -> int:
        """Sum the amounts of transfers that succeeded (pending ones included once resolved)."""
        with self._lock:
            return sum(
                e.amount for e in self._entries.values() if e.status() is TransferStatus.SUCCEEDED
            )

    def reset(self) -> None:
        """Forget everything, as a brand-new provider."""
        with self._lock:
            self._entries.clear()
            self._attempts.clear()
            self._executions.clear()
            self._counter = 0


def _draw(seed: int | None, key: str, attempt: int, purpose: str) -> float:
    """Give a number in [0, 1): random, or a pure function of (seed, key, attempt, purpose).

    Hashing instead of one seeded stream keeps a seeded run reproducible even when hundreds
    of concurrent calls reach the provider in a different order each time.
    """
    if seed is None:
        return random.random()
    digest = hashlib.blake2b(
        f"{seed}:{key}:{attempt}:{purpose}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") / 18446744073709551616.0


_books: dict[str, ProviderBook] = {}
_books_lock = threading.Lock()


def get_book(name: str = "default") -> ProviderBook:
    """Give the per-process book named ``name``, creating it on first use."""
    book = _books.get(name)
    if book is None:
        with _books_lock:
            book = _books.setdefault(name, ProviderBook(name))
    return book


def reset_books(name: str | None = None) -> None:
    """Reset one named book, or every book in this process when ``name`` is None."""
    with _books_lock:
        if name is None:
            targets = list(_books.values())
        else:
            targets = [_books[name]] if name in _books else []
    for book in targets:
        book.reset()
