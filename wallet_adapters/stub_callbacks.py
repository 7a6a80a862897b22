"""Deliver a provider stub's callbacks: signed with Standard Webhooks, on time, in threads.

A heap of due deliveries and a few sender threads keep late and pending-then-resolved
callbacks cheap even with thousands in flight (one timer thread per callback would not).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from wallet_adapters import standard_webhooks
from wallet_adapters.base import TransferStatus
from wallet_adapters.sandbox.book import BookEntry

log = logging.getLogger(__name__)

# What a stub sends for one book entry: extra headers and the JSON body.
Render = Callable[[BookEntry], tuple[dict[str, str], dict[str, Any]]]


class CallbackDispatcher:
    """Send each scheduled callback once, when due, signed with Standard Webhooks.

    Args:
        secret: ``whsec_`` secret signing every callback.
        render: builds the provider's extra headers and JSON body for an entry at send time.
        method: the HTTP method the provider calls us with (GSMA: ``PUT``).
        workers: sender threads.
        name: names the sender threads, for thread dumps.
    """

    def __init__(
        self,
        secret: str,
        render: Render,
        *,
        method: str = "POST",
        workers: int = 4,
        timeout_s: float = 5.0,
        name: str = "stub",
    ):
        self._secret = secret
        self._render = render
        self._method = method
        self._name = name
        self._workers = workers
        self._timeout_s = timeout_s
        self._heap: list[tuple[float, int, BookEntry, str]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stopped = False
        self._threads: list[threading.Thread] = []
        self._http: httpx.Client | None = None
        self.sent = 0
        self.failed = 0

    def start(self) -> None:
        """Start the sender threads."""
        self._stopped = False
        self._http = httpx.Client(timeout=self._timeout_s)
        self._threads = [
            threading.Thread(target=self._run, name=f"{self._name}-callback-{i}", daemon=True)
            for i in range(self._workers)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop sending; callbacks not yet due are dropped (like a provider shutting down)."""
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._http is not None:
            self._http.close()

    def schedule(self, delay: float, entry: BookEntry, url: str) -> None:
        """Send the callback for ``entry`` to ``url`` after ``delay`` seconds."""
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._seq), entry, url))
            self._cond.notify()

    def pending(self) -> int:
        """Count callbacks not yet sent."""
        with self._cond:
            return len(self._heap)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
                if self._stopped:
                    return
                _, _, entry, url = heapq.heappop(self._heap)
            if entry.status() is TransferStatus.PENDING:
                self.schedule(0.005, entry, url)  # due a hair early; a pending PUT says nothing
                continue
            self._send(entry, url)

    def _send(self, entry: BookEntry, url: str) -> None:
        extra, payload = self._render(entry)
        body = json.dumps(payload, separators=(",", ":")).encode()
        status = entry.status().value
        headers = standard_webhooks.signed_headers(
            self._secret, body, msg_id=f"evt_{entry.provider_ref}_{status}"
        )
        headers.update({"Content-Type": "application/json", **extra})
        try:
            assert self._http is not None
            response = self._http.request(self._method, url, content=body, headers=headers)
            delivered = response.is_success
            if not delivered:
                log.debug("callback to %s answered %s", url, response.status_code)
        except httpx.HTTPError as exc:
            delivered = False
            log.debug("callback to %s failed: %s", url, exc)
        with self._cond:  # counters are shared by the sender threads
            if delivered:
                self.sent += 1
            else:
                self.failed += 1
