"""Session state round-trips through Redis and a hop costs one read and one pipelined write."""

from __future__ import annotations

from typing import Any

import redis

from tests.support.ussd import Dialer
from tests.ussd_menus.fakes import SINGLE, FakePort
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
    """Count round trips as the server sees them: each packed send on a connection.

    A send of one command is named by it ("GET"); a send of several is "PIPELINE", however it
    was built (redis-py's pipeline or the store's lean batch).
    """

    _trips: list[str]

    @property
    def trips(self) -> list[str]:
        return self._trips

    @trips.setter
    def trips(self, value: list[str]) -> None:
        self._trips[:] = value  # the connections append to this very list

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> _Counting:  # type: ignore[override]
        trips: list[str] = []

        class Counted(redis.Connection):
            def send_packed_command(self, command: Any, check_health: bool = True) -> None:
                data = b"".join(command) if isinstance(command, list) else bytes(command)
                # Each command is a RESP array: "*<n>\r\n$<len>\r\n<NAME>\r\n...".
                commands = data.count(b"\r\n*") + data.startswith(b"*")
                name = data.split(b"\r\n")[2].decode().upper()
                trips.append("PIPELINE" if commands > 1 else name)
                super().send_packed_command(command, check_health)

        client = super().from_url(url, connection_class=Counted, **kwargs)
        client.__class__ = cls
        client._trips = trips
        return client  # type: ignore[return-value]


def test_a_hop_costs_one_get_and_one_pipelined_write(port: FakePort, redis_url: str) -> None:
    client = _Counting.from_url(redis_url)
    client.trips = []
    engine = UssdEngine(port, RedisSessionStore(client))
    # A first session opens the connections: the pool's for reads, the thread's for batches.
    Dialer(engine, SINGLE, session_id="ATUid_warm").dial()
    dialer = Dialer(engine, SINGLE, session_id="ATUid_count")
    dialer.dial()
    client.trips.clear()
    dialer.send("3")
    dialer.send("98")
    assert client.trips == ["GET", "PIPELINE", "GET", "PIPELINE"]
    client.close()
