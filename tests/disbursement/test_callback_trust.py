"""Wallet callbacks at the HTTP door: every forgery is refused, rotation works, nothing forged pays.

``test_callbacks.py`` covers the happy path and one tampered body; this file covers every other
Standard Webhooks negative through the real endpoint, key rotation end to end, replays, and
what a forged "success" leads to once the provider is asked.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.db import get_db
from gateway.disbursement import service
from gateway.ledger import accounts
from gateway.ledger.models import Posting
from gateway.outbox import OutboxEvent
from gateway.refs import as_uuid
from tests.support.scenario import due_cycle, payment_states
from wallet_adapters import standard_webhooks as sw
from wallet_adapters.sandbox import get_book
from workers import context

OLD = sw.generate_secret()
NEW = sw.generate_secret()
RETIRED = sw.generate_secret()
URL = "/wallets/sandbox/callback"


def receive_with(app: Flask, book: str, secrets: str) -> None:
    """Make the app's sandbox adapter verify callbacks with ``secrets`` (space separated)."""
    app.config["WALLET_ADAPTER_OVERRIDES"] = {"sandbox": {"book": book, "webhook_secret": secrets}}
    service.forget(app)


@pytest.fixture
def sent(app, make_disburser, sandbox_book) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Release five payments the provider keeps pending (and will decline), no callbacks sent."""
    context.use(app)
    receive_with(app, sandbox_book, f"{NEW} {OLD}")
    ids = due_cycle(app)
    disburser = make_disburser(pending_rate=1.0, pending_ms=600_000, failure_rate=1.0)
    assert disburser.send(ids).by_state == {"accepted": 5}
    entries = {e["idempotency_key"]: e for e in get_book(sandbox_book).applied()}
    with get_db(app).sessionmaker() as s:
        from gateway.payroll.models import Payment

        refs = dict(s.execute(sa.select(Payment.id, Payment.ref)).all())
    by_id = {pid: entries[as_uuid(refs[pid])] for pid in ids}
    return {"ids": ids, "entries": by_id, "disburser": disburser, "book": sandbox_book}


def event(entry: dict[str, Any], *, status: str = "succeeded", amount: int | None = None,
          key: str | None = None) -> bytes:
    """Write a sandbox transfer event, as the provider would, with chosen fields."""
    return json.dumps({"type": f"transfer.{status}", "timestamp": "2026-11-05T01:00:00+00:00",
                       "data": {"idempotency_key": key or entry["idempotency_key"],
                                "status": status, "provider_ref": entry["provider_ref"],
                                "amount": entry["amount"] if amount is None else amount,
                                "reason": None}}, separators=(",", ":")).encode()


def post(client, headers: dict[str, str], body: bytes):  # type: ignore[no-untyped-def]
    return client.post(URL, data=body, headers={**headers, "Content-Type": "application/json"})


def paid_postings(app: Flask) -> int:
    with get_db(app).sessionmaker() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(Posting).where(
            Posting.account == accounts.paid("sandbox")))


def polls(app: Flask) -> list[int]:
    with get_db(app).sessionmaker() as s:
        payloads = s.scalars(sa.select(OutboxEvent.payload).where(
            OutboxEvent.topic == "payments.poll").order_by(OutboxEvent.id))
        return [pid for p in payloads for pid in p["payment_ids"]]


def _without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != name}


def _negatives(body: bytes) -> dict[str, tuple[dict[str, str], bytes, str]]:
    """Every way a callback can fail verification: (headers, body, expected error code)."""
    now = int(time.time())
    good = sw.signed_headers(NEW, body)
    ts = int(good[sw.TIMESTAMP_HEADER])
    return {
        "tampered body": (good, body.replace(b'"succeeded"', b'"failed"'), "bad_signature"),
        "tampered amount": (good, body.replace(b'"amount":', b'"amount":1'), "bad_signature"),
        "tampered id": ({**good, sw.ID_HEADER: good[sw.ID_HEADER] + "x"}, body, "bad_signature"),
        "tampered timestamp": ({**good, sw.TIMESTAMP_HEADER: str(ts - 1)}, body,
                               "bad_signature"),
        "wrong secret": (sw.signed_headers(RETIRED, body), body, "bad_signature"),
        "missing id": (_without(good, sw.ID_HEADER), body, "missing_header"),
        "missing timestamp": (_without(good, sw.TIMESTAMP_HEADER), body, "missing_header"),
        "missing signature": (_without(good, sw.SIGNATURE_HEADER), body, "missing_header"),
        "empty signature": ({**good, sw.SIGNATURE_HEADER: ""}, body, "missing_header"),
        "stale timestamp": (sw.signed_headers(NEW, body, timestamp=now - 301), body, "stale"),
        # A minute past the tolerance: the cases before it may take a second or more to run.
        "future timestamp": (sw.signed_headers(NEW, body, timestamp=now + 360), body, "future"),
        "timestamp not a number": ({**good, sw.TIMESTAMP_HEADER: "soon"}, body,
                                   "bad_timestamp"),
        "only an unknown version": (
            {**good, sw.SIGNATURE_HEADER: good[sw.SIGNATURE_HEADER].replace("v1,", "v1a,")},
            body, "bad_signature"),
        "signature not base64": ({**good, sw.SIGNATURE_HEADER: "v1,%%%"}, body,
                                 "bad_signature"),
    }


def test_every_unverifiable_callback_is_refused_and_only_asks_the_provider(app, client, sent):
    ids, entries = sent["ids"], sent["entries"]
    body = event(entries[ids[0]])
    before = payment_states(app)
    for case, (headers, payload, code) in _negatives(body).items():
        answer = post(client, headers, payload)
        assert answer.status_code == 401, case
        assert answer.get_json() == {"error": code, "status_query": "requested"}, case
        assert payment_states(app) == before, case
    assert paid_postings(app) == 0
    assert set(polls(app)) == {ids[0]}  # each refusal asked about the payment it named


def test_any_secret_of_a_rotation_is_accepted_and_a_retired_one_is_not(app, client, sent):
    ids, entries = sent["ids"], sent["entries"]
    signed_by = {ids[0]: OLD, ids[1]: NEW, ids[2]: f"{OLD} {NEW}", ids[3]: f"{RETIRED} {OLD}",
                 ids[4]: RETIRED}
    answers = {}
    for pid, secrets in signed_by.items():
        body = event(entries[pid])
        answers[pid] = post(client, sw.signed_headers(secrets, body), body).status_code
    assert answers == {ids[0]: 200, ids[1]: 200, ids[2]: 200, ids[3]: 200, ids[4]: 401}
    final = payment_states(app)
    assert [final[pid] for pid in ids] == ["succeeded"] * 4 + ["accepted"]


def test_rotation_end_to_end_from_the_provider_to_our_endpoint(app, client, make_disburser,
                                                               sandbox_book):
    """The provider signs with its secret; we accept it while it is in our list, not after."""
    received: list[tuple[dict[str, str], bytes]] = []
    context.use(app)
    receive_with(app, sandbox_book, f"{NEW} {OLD}")  # we already know the new secret
    ids = due_cycle(app)
    provider = make_disburser(pending_rate=1.0, pending_ms=100, webhook_secret=OLD,
                              callback_sink=lambda h, b: received.append((dict(h), b)))
    assert provider.send(ids).by_state == {"accepted": 5}
    deadline = time.monotonic() + 10
    while len(received) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(received) == 5
    for headers, body in received[:3]:
        assert post(client, headers, body).status_code == 200
    receive_with(app, sandbox_book, NEW)  # the old secret retired too early
    for headers, body in received[3:]:
        assert post(client, headers, body).status_code == 401
    settled = [pid for pid, state in payment_states(app).items() if state != "accepted"]
    assert len(settled) == 3
    assert len(polls(app)) == 2


def test_a_replayed_id_has_no_second_effect_even_within_the_tolerance(app, client, sent,
                                                                      redis_client):
    ids, entries = sent["ids"], sent["entries"]
    body = event(entries[ids[0]])
    headers = sw.signed_headers(NEW, body, timestamp=int(time.time()) - 290)
    assert post(client, headers, body).get_json() == {"result": "applied"}
    after_first = (payment_states(app), paid_postings(app))
    for _ in range(3):
        answer = post(client, headers, body)
        assert (answer.status_code, answer.get_json()) == (200, {"result": "duplicate"})
    assert (payment_states(app), paid_postings(app)) == after_first
    # The same id with another (validly signed) body is still that one event.
    other = event(entries[ids[1]])
    same_id = sw.signed_headers(NEW, other, msg_id=headers[sw.ID_HEADER])
    assert post(client, same_id, other).get_json() == {"result": "duplicate"}
    assert payment_states(app)[ids[1]] == "accepted"
    # Remembered per provider for far longer than a timestamp stays fresh.
    ttl = redis_client.ttl(f"chitra:cb:sandbox:{headers[sw.ID_HEADER]}")
    assert ttl > sw.TOLERANCE_SECONDS


def test_a_forged_success_never_pays_even_after_the_provider_is_asked(app, client, sent):
    ids, entries, disburser = sent["ids"], sent["entries"], sent["disburser"]
    target = ids[0]
    forged = event(entries[target], status="succeeded")
    answer = post(client, sw.signed_headers(RETIRED, forged), forged)
    assert answer.status_code == 401 and answer.get_json()["status_query"] == "requested"
    assert polls(app) == [target]
    assert payment_states(app)[target] == "accepted" and paid_postings(app) == 0
    # The status query runs: the provider still says pending, so nothing moves.
    disburser.poll(polls(app))
    assert payment_states(app)[target] == "accepted" and paid_postings(app) == 0
    # The provider decides: declined. The forged success is still not believed.
    get_book(sent["book"]).resolve_pending()
    disburser.poll(polls(app))
    assert payment_states(app)[target] == "failed"
    again = post(client, sw.signed_headers(RETIRED, forged), forged)
    assert again.status_code == 401
    assert payment_states(app)[target] == "failed" and paid_postings(app) == 0


def test_a_signed_success_for_another_amount_or_payment_never_pays(app, client, sent):
    ids, entries = sent["ids"], sent["entries"]
    before = payment_states(app)
    wrong_amount = event(entries[ids[0]], amount=entries[ids[0]]["amount"] + 1)
    answer = post(client, sw.signed_headers(NEW, wrong_amount), wrong_amount)
    assert answer.status_code == 409
    assert polls(app) == [ids[0]]
    unknown = event(entries[ids[1]], key="00000000-0000-4000-8000-000000000000")
    answer = post(client, sw.signed_headers(NEW, unknown), unknown)
    assert (answer.status_code, answer.get_json()) == (404, {"result": "unknown payment"})
    not_json = b'{"data": "succeeded"'
    answer = post(client, sw.signed_headers(NEW, not_json), not_json)
    assert (answer.status_code, answer.get_json()["error"]) == (401, "malformed")
    assert payment_states(app) == before and paid_postings(app) == 0


def test_a_callback_not_applied_can_be_redelivered(app, client, sent, monkeypatch):
    """If applying fails, the event id is released so the provider's retry still counts."""
    from gateway.web import wallet_callbacks

    ids, entries = sent["ids"], sent["entries"]
    body = event(entries[ids[0]])
    headers = sw.signed_headers(NEW, body)
    real = wallet_callbacks.apply_event

    def database_down(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.OperationalError("UPDATE payment", {}, Exception("connection lost"))

    monkeypatch.setattr(wallet_callbacks, "apply_event", database_down)
    assert post(client, headers, body).status_code >= 500
    assert payment_states(app)[ids[0]] == "accepted"
    monkeypatch.setattr(wallet_callbacks, "apply_event", real)
    assert post(client, headers, body).get_json() == {"result": "applied"}
    assert payment_states(app)[ids[0]] == "succeeded"


def test_an_enabled_provider_without_an_adapter_answers_404_not_500(client):
    # The test settings enable "viettelmoney", for which no adapter is registered.
    answer = client.post("/wallets/viettelmoney/callback", data=b"{}")
    assert answer.status_code == 404


def test_a_signed_success_that_does_not_say_how_much_never_pays(app, client, sent):
    ids, entries = sent["ids"], sent["entries"]
    before = payment_states(app)
    no_amount = json.loads(event(entries[ids[2]]))
    no_amount["data"]["amount"] = None
    body = json.dumps(no_amount, separators=(",", ":")).encode()
    answer = post(client, sw.signed_headers(NEW, body), body)
    assert answer.status_code == 202
    assert polls(app) == [ids[2]]  # the status query's answer decides
    assert payment_states(app) == before and paid_postings(app) == 0
