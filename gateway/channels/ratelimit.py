"""Count a phone's requests per fixed window in Redis, keyed by blind index, never the number."""

from __future__ import annotations

import time

import redis

from ussd_menus.batch import Batch


def hit(client: redis.Redis, scope: str, phone_index: str, window_seconds: int) -> int:
    """Count one request in the current window and return how many came in it.

    Callers compare the count with ``limit``; returning the count lets them answer the
    first refused request and stay silent for the rest.
    """
    pipe = client.pipeline(transaction=False)
    queue_hit(pipe, scope, phone_index, window_seconds)
    count, _ = pipe.execute()
    return int(count)


def queue_hit(pipe: redis.client.Pipeline | Batch, scope: str, phone_index: str,
              window_seconds: int) -> None:
    """Queue one request's count on the caller's pipeline; its first result is the count.

    Lets a caller fold the count into a round trip it makes anyway (the USSD session read).
    """
    window = int(time.time()) // window_seconds
    key = f"chitra:rl:{scope}:{phone_index}:{window}"
    pipe.incr(key)
    pipe.expire(key, window_seconds + 5)
