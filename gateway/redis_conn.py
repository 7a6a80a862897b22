"""The app's Redis connection (queues, sessions, one-time codes, rate limits)."""

from __future__ import annotations

import redis
from flask import Flask, current_app


def init_app(app: Flask) -> None:
    """Connect lazily to REDIS_URL if one is set."""
    url = app.config.get("REDIS_URL")
    app.extensions["chitra.redis"] = (
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5) if url else None
    )


def get_redis(app: Flask | None = None) -> redis.Redis:
    """Return the app's Redis client.

    Raises:
        RuntimeError: no Redis is configured (set CHITRA_REDIS_URL or use `gateway run`).
    """
    client = (app or current_app).extensions.get("chitra.redis")
    if client is None:
        raise RuntimeError("no Redis configured: set CHITRA_REDIS_URL or start with `gateway run`")
    return client
