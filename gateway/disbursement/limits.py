"""Per-provider throttling: a token bucket in Redis shared by every worker, and a cap on the
calls one process keeps in flight."""

from __future__ import annotations

import asyncio
import time

import redis

# KEYS[1] bucket; ARGV rate per second, burst, now (s). Returns seconds to wait (0 = go).
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], 60)
return tostring(wait)
"""


class ProviderThrottle:
    """Admit calls to one provider at ``rate_per_s`` across all workers (0 = unlimited)."""

    def __init__(self, client: redis.Redis | None, provider: str, rate_per_s: int,
                 max_in_flight: int) -> None:
        self.rate = rate_per_s
        self.key = f"chitra:rate:{provider}"
        self.client = client
        self.script = client.register_script(_TAKE) if client is not None and rate_per_s else None
        self.in_flight = asyncio.Semaphore(max(max_in_flight, 1))

    async def admit(self) -> None:
        """Wait until the shared bucket grants one call."""
        if self.script is None:
            return
        while True:
            wait = float(self.script(keys=[self.key],
                                     args=[self.rate, max(self.rate, 1), time.time()]))
            if wait <= 0:
                return
            await asyncio.sleep(wait)
