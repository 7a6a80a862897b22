"""Provider callbacks through the web endpoint: verified ones settle once, others only ask."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from gateway.db import get_db
from gateway.outbox import OutboxEvent
from tests.support.scenario import due_cycle, payment_states
from workers import context


@pytest.fixture
def callbacks(app, make_disburser, sandbox_book):  # type: ignore[no-untyped-def]
    """Send a released cycle through a sandbox that answers pending, then calls back."""
    received: list[tuple[dict[str, str], bytes]] = []
    app.config["WALLET_ADAPTER_OVERRIDES"] = {"sandbox": {"book": sandbox_book}}
    context.use(app)
    ids = due_cycle(app)
    # Pending long enough that no answer, however late under load, already reads "succeeded".
    disburser = make_disburser(pending_rate=1.0, pending_ms=100,
                               callback_sink=lambda h, b: received.append((dict(h), b)))
    assert disburser.send(ids).by_state == {"accepted": 5}
    deadline = time.monotonic() + 10
    while len(received) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)  # the sandbox calls back from its event loop
    assert len(received) == 5
    return ids, received


def post(client, headers, body):  # type: ignore[no-untyped-def]
    return client.post("/wallets/sandbox/callback", data=body,
                       headers={**headers, "Content-Type": "application/json"})


def test_verified_callbacks_settle_and_duplicates_change_nothing(client, app, callbacks):
    ids, received = callbacks
    for headers, body in received:
        assert post(client, headers, body).status_code == 200
    assert set(payment_states(app).values()) <= {"succeeded", "failed"}
    before = payment_states(app)
    for headers, body in received:  # redelivered
        answer = post(client, headers, body)
        # Refused as a replay by its event id, or found already applied: one effect either way.
        assert answer.status_code == 200
        assert answer.get_json()["result"] in ("duplicate", "already applied")
    assert payment_states(app) == before


def test_tampered_callback_never_pays_and_only_triggers_a_status_query(client, app, callbacks):
    ids, received = callbacks
    headers, body = received[0]
    forged = json.loads(body)
    forged["data"]["status"] = "succeeded"
    forged["data"]["amount"] = 99_000_000
    tampered = json.dumps(forged).encode()
    answer = post(client, headers, tampered)
    assert answer.status_code == 401
    assert set(payment_states(app).values()) == {"accepted"}
    with get_db(app).sessionmaker() as s:
        polls = list(s.scalars(sa.select(OutboxEvent.payload).where(
            OutboxEvent.topic == "payments.poll")))
    assert len(polls) == 1 and polls[0]["payment_ids"][0] in ids
    missing = post(client, {}, body)
    assert missing.status_code == 401
    assert set(payment_states(app).values()) == {"accepted"}


def test_unknown_provider_path_is_404(client):
    assert client.post("/wallets/nope/callback", data=b"{}").status_code == 404
