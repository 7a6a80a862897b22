"""The floor of any Flask USSD app: parse AT's form, one Redis GET, answer ``CON ...``.

Served by ``bench/ussd.py`` under the same gunicorn settings as the real app; what the real
app costs beyond this is ChiTra's own work (sessions, menus, database, rate limit).
"""

from __future__ import annotations

import os

import redis
from flask import Flask, Response, request

app = Flask(__name__)
_redis = redis.Redis.from_url(os.environ["CHITRA_REDIS_URL"], socket_connect_timeout=2,
                              socket_timeout=5)


@app.post("/telco/africastalking/<key>/ussd")
def ussd(key: str) -> Response:
    """Read the hop's fields and one Redis key, and answer a fixed screen."""
    session_id = request.form.get("sessionId", "")
    state = _redis.get("bench:floor:state")
    text = request.form.get("text", "")
    body = f"CON {state.decode() if state else 'menu'} {len(session_id) + len(text)}"
    return Response(body, 200, mimetype="text/plain")


@app.get("/healthz")
def healthz() -> Response:
    """Say the server is up."""
    return Response("ok", 200, mimetype="text/plain")
