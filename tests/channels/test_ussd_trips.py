"""A USSD hop through the real app costs two Redis round trips: count and read, then save."""

from __future__ import annotations

from flask import Flask

from gateway.telco.services import init_services
from tests.channels.test_ussd import AN, MAIN_VI
from tests.payroll.conftest import add_people
from tests.ussd_menus.test_session import _Counting
from ussd_menus.session import RedisSessionStore, SessionState


def test_a_hop_counts_the_rate_limit_and_reads_the_session_in_one_round_trip(
        app: Flask, dial, redis_url: str) -> None:
    add_people(app, ["an"])
    counting = _Counting.from_url(redis_url)
    counting.trips = []
    app.extensions["chitra.redis"] = counting
    init_services(app)  # the hop service over the counting client
    session = dial(AN)
    session.dial()  # the first hop of the process also opens the connection
    counting.trips.clear()
    session = dial(AN)
    # A session's first hop too: its language is read in the same round trip.
    assert session.dial().startswith(MAIN_VI)
    assert counting.trips == ["PIPELINE", "PIPELINE"]
    counting.trips.clear()
    assert session.send("1").startswith("CON Tro cap xa hoi hang thang")
    assert session.send("0").startswith(MAIN_VI)
    assert counting.trips == ["PIPELINE", "PIPELINE", "PIPELINE", "PIPELINE"]
    counting.close()


def test_prefetched_values_answer_once_and_only_for_their_session(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    store = RedisSessionStore(client, prefix="t-prefetch")
    saved = SessionState("s-real", "vi", "history")
    store.save(saved, AN, resumable=True)
    stale = SessionState("s-real", "vi", "main").to_json()
    with store.primed("s-real", AN, [stale, None]):
        assert store.load("s-real").screen == "main"  # the prefetched value
        assert store.load("s-real").screen == "history"  # a second read goes to Redis
        assert store.load_dropped(AN) is None  # prefetched: nothing was resumable then
    assert store.load("s-real").screen == "history"  # outside the block: Redis
    with store.primed("s-other", AN, [stale, None]):
        assert store.load("s-real").screen == "history"  # another session's value is ignored
    client.close()
