"""Session state round-trips through Redis and a hop costs one read and one pipelined write."""

from __future__ import annotations

from typing import Any

import redis

from tests.ussd_menus.fakes import SINGLE, Dialer, FakePort
from ussd_menus.engine import UssdEngine
from ussd_menus.session import RedisSessionStore, SessionState


def test_state_round_trips_through_json() -> None:
    state = SessionState("s1", "vi_accented", "history", stack=["main"], people=[["b1", "Ng***"]])
    state.note_input("1", secret=False)
    state.note_input("98", secret=False)
    state.note_input("4827", secret=True)
    state.note_input("Nguyen Van An chua nhan", secret=False)
    again = SessionState.from_json(state.to_json())
    assert again == state
    assert again.trail == ["1", "98", "***", "***"]


def test_the_trail_stays_short() -> None:
    state = SessionState("s1", "vi", "main")
    for i in range(100):
        state.note_input(str(i), secret=False)
    assert len(state.trail) == 20 and state.trail[-1] == "99"


class _Counting(redis.Redis):
    """Count round trips: single commands and pipeline flushes."""

    trips: list[str]

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.trips.append(str(args[0]))
        return super().execute_command(*args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe = super().pipeline(transaction, shard_hint)
        execute = pipe.execute

        def counted(raise_on_error: bool = True) -> Any:
            self.trips.append("PIPELINE")
            return execute(raise_on_error)

        pipe.execute = counted  # type: ignore[method-assign]
        return pipe


def test_a_hop_costs_one_get_and_one_pipelined_write(port: FakePort, redis_url: str) -> None:
    client = _Counting.from_url(redis_url)
    client.trips = []
    engine = UssdEngine(port, RedisSessionStore(client))
    dialer = Dialer(engine, SINGLE, session_id="ATUid_count")
    dialer.dial()
    client.trips.clear()
    dialer.send("3")
    dialer.send("98")
    assert client.trips == ["GET", "PIPELINE", "GET", "PIPELINE"]
    client.close()
