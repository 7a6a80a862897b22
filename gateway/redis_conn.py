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


class RedisNotConfigured(RuntimeError):
    """The app has no Redis: the command line turns this into a plain error message."""


def get_redis(app: Flask | None = None) -> redis.Redis:
    """Return the app's Redis client.

    Raises:
        RedisNotConfigured: no Redis is configured (set CHITRA_REDIS_URL or use `gateway run`).
    """
    client = (app or current_app).extensions.get("chitra.redis")
    if client is None:
        raise RedisNotConfigured(
            "no Redis configured: set CHITRA_REDIS_URL (or use the one `gateway run` prints)")
    return client
