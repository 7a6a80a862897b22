"""Count a phone's requests per fixed window in Redis, keyed by blind index, never the number."""

from __future__ import annotations

import time

import redis


def hit(client: redis.Redis, scope: str, phone_index: str, window_seconds: int) -> int:
    """Count one request in the current window and return how many came in it.

    Callers compare the count with ``limit``; returning the count lets them answer the
    first refused request and stay silent for the rest.
    """
    window = int(time.time()) // window_seconds
    key = f"chitra:rl:{scope}:{phone_index}:{window}"
    pipe = client.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, window_seconds + 5)
    count, _ = pipe.execute()
    return int(count)
