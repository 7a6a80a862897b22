"""Keep one USSD session's state in Redis under the aggregator's session id, with a TTL."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis

from ussd_menus.batch import Batch

#: Marker kept in the input trail instead of a PIN or one-time code.
SECRET_MARK = "***"
_TRAIL_MAX = 20  # enough to explain a session afterwards; bounded so a state stays small


@dataclass
class SessionState:
    """Remember where one caller is in the menus between hops."""

    session_id: str
    lang: str
    screen: str
    stack: list[str] = field(default_factory=list)  # screens to go back to, newest last
    page: int = 0
    pages: int = 1  # pages of the screen last shown, so "98" is checked without re-rendering
    consumed: int = 0  # inputs of the aggregator's cumulative `text` already handled
    person: str | None = None  # ref of the beneficiary acted for
    people: list[list[str]] = field(default_factory=list)  # [ref, masked name] per person
    pin_ok: bool = False
    pending: str | None = None  # protected screen to open once the PIN is right
    data: dict[str, str] = field(default_factory=dict)  # non-secret values between screens
    trail: list[str] = field(default_factory=list)  # menu choices; other inputs masked
    resume: dict[str, Any] | None = None  # snapshot of a dropped session, offered once

    def note_input(self, value: str, *, secret: bool) -> None:
        """Append an input to the trail: menu choices as typed, anything longer masked."""
        # Longer inputs may be a PIN typed on the wrong screen or a note naming someone.
        self.trail.append(value if not secret and len(value) <= 2 else SECRET_MARK)
        del self.trail[:-_TRAIL_MAX]

    def to_json(self) -> bytes:
        """Serialise the state compactly for Redis."""
        return json.dumps(vars(self), separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> SessionState:
        """Rebuild a state from ``to_json`` output, ignoring fields an older release wrote."""
        values = json.loads(raw)
        return cls(**{k: v for k, v in values.items() if k in _FIELDS})


_FIELDS = frozenset(SessionState.__dataclass_fields__)


def _decode(raw: object) -> SessionState | None:
    if not isinstance(raw, bytes | str):
        return None
    try:
        return SessionState.from_json(raw)
    except (ValueError, TypeError):
        return None  # unreadable (a release with another shape): start afresh rather than fail


class SessionStore(Protocol):
    """Load and save session states; a hop costs one load and one save."""

    def load(self, session_id: str) -> SessionState | None:
        """Return the state saved for this aggregator session id, or None."""
        ...

    def load_dropped(self, phone: str) -> SessionState | None:
        """Return the latest unfinished state of this phone still inside the resume window."""
        ...

    def save(self, state: SessionState, phone: str, *, resumable: bool) -> None:
        """Save the state; keep it resumable from this phone or forget the resume copy."""
        ...

    def end(self, state: SessionState, phone: str) -> None:
        """Record a finished session (a retried last hop must replay) and drop its resume copy."""
        ...


class RedisSessionStore:
    """Store sessions in Redis: ``{prefix}:s:{session id}`` and a resume copy per phone."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "ussd",
        ttl_seconds: int = 300,
        resume_seconds: int = 180,
        phone_key_secret: bytes = b"",
    ) -> None:
        """Use ``client``; sessions live ``ttl_seconds``, dropped ones resume ``resume_seconds``."""
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._resume = resume_seconds
        self._secret = phone_key_secret
        self._primed = threading.local()  # values prefetched for this thread's current hop

    def _session_key(self, session_id: str) -> str:
        return f"{self._prefix}:s:{session_id}"

    def _phone_key(self, phone: str) -> str:
        # A keyed hash, so KEYS/SCAN output does not list beneficiaries' phone numbers.
        digest = hashlib.blake2b(phone.encode(), key=self._secret, digest_size=12).hexdigest()
        return f"{self._prefix}:r:{digest}"

    def prefetch(self, pipe: redis.client.Pipeline | Batch, session_id: str, phone: str) -> None:
        """Queue the reads of a hop (its session, the phone's resume copy) on the caller's pipeline.

        The caller executes the pipeline with its own commands (the rate limit) and hands the
        two results to ``primed``: a hop then costs one round trip before the menus and one
        after, instead of three or four on a busy Redis.
        """
        pipe.get(self._session_key(session_id))
        pipe.get(self._phone_key(phone))

    @contextmanager
    def primed(self, session_id: str, phone: str, values: Sequence[object]) -> Iterator[None]:
        """Let ``load`` and ``load_dropped`` answer from ``prefetch``'s results in this block."""
        self._primed.values = {("s", session_id): values[0], ("r", phone): values[1]}
        try:
            yield
        finally:
            self._primed.values = None

    def _take(self, kind: str, ident: str) -> tuple[bool, object]:
        values = getattr(self._primed, "values", None)
        if not values or (kind, ident) not in values:
            return False, None
        return True, values.pop((kind, ident))  # once: a second read goes to Redis

    def load(self, session_id: str) -> SessionState | None:
        """Return the state saved for this aggregator session id, or None."""
        found, raw = self._take("s", session_id)
        return _decode(raw if found else self._redis.get(self._session_key(session_id)))

    def load_dropped(self, phone: str) -> SessionState | None:
        """Return the latest unfinished state of this phone still inside the resume window."""
        found, raw = self._take("r", phone)
        return _decode(raw if found else self._redis.get(self._phone_key(phone)))

    def save(self, state: SessionState, phone: str, *, resumable: bool) -> None:
        """Save the state; keep it resumable from this phone or forget the resume copy."""
        blob = state.to_json()
        pipe = Batch(self._redis)
        pipe.set(self._session_key(state.session_id), blob, ex=self._ttl)
        if resumable:
            # Refreshed on every hop, so the window counts from the caller's last answer.
            pipe.set(self._phone_key(phone), blob, ex=self._resume)
        else:
            pipe.delete(self._phone_key(phone))
        pipe.execute()

    def end(self, state: SessionState, phone: str) -> None:
        """Keep the finished state until its TTL, so a retried last hop replays, not repeats."""
        self.save(state, phone, resumable=False)
