"""One long-lived event loop per process, for adapters that keep connection pools.

RQ runs job functions synchronously; each job hands its coroutine to this loop and waits.
Adapters (and their HTTP clients) live as long as the process, bound to this one loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def loop() -> asyncio.AbstractEventLoop:
    """Return the process's background loop, starting it on first use."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            new = asyncio.new_event_loop()
            threading.Thread(target=new.run_forever, name="chitra-async", daemon=True).start()
            _loop = new
        return _loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on the background loop and return its result."""
    return submit(coro).result()


def submit(coro: Coroutine[Any, Any, T]) -> Future[T]:
    """Start a coroutine on the background loop; the caller waits on the returned future."""
    return asyncio.run_coroutine_threadsafe(coro, loop())
