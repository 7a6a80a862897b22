"""The hop's Redis batches: one round trip, raw replies, one kept connection per thread."""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from types import SimpleNamespace

import pytest
import redis

from ussd_menus.batch import Batch, _connection, _pack, _read_replies


def _client_id(client: redis.Redis) -> int:
    """Ask the server which client this thread's kept connection is."""
    conn = _connection(client)
    conn.send_command("CLIENT", "ID")
    return int(conn.read_response())


def test_replies_come_back_as_redis_sends_them(redis_client: redis.Redis) -> None:
    blob = b"\x00\xff\r\n*2\r\n$-1\r\n" * 3  # looks like RESP inside: must stay data
    replies = (Batch(redis_client).get("t-b:none").set("t-b:s", blob, ex=60).get("t-b:s")
               .incr("t-b:n").incr("t-b:n").expire("t-b:n", 60).expire("t-b:none", 60)
               .delete("t-b:s").delete("t-b:s").execute())
    assert replies == [None, b"OK", blob, 1, 2, 1, 0, 1, 0]
    assert redis_client.ttl("t-b:n") == 60


def test_an_error_reply_is_raised_once_every_reply_is_read(redis_client: redis.Redis) -> None:
    redis_client.set("t-b:text", "not a number")
    redis_client.set("t-b:b", "B")
    before = _client_id(redis_client)
    with pytest.raises(redis.ResponseError, match="not an integer"):
        Batch(redis_client).incr("t-b:text").get("t-b:b").execute()
    # The GET's reply was read too: the same connection goes on in step.
    assert Batch(redis_client).get("t-b:b").incr("t-b:n").execute() == [b"B", 1]
    assert _client_id(redis_client) == before
    assert Batch(redis_client).execute() == []


def test_a_large_value_arriving_in_many_reads_is_whole(redis_client: redis.Redis) -> None:
    big = os.urandom(3 * 1024 * 1024)
    assert Batch(redis_client).set("t-b:big", big, ex=60).get("t-b:big").get("t-b:x").execute() \
        == [b"OK", big, None]


def test_a_thread_keeps_one_connection_and_threads_do_not_share(
        redis_client: redis.Redis) -> None:
    mine = set()
    for _ in range(5):
        Batch(redis_client).get("k").execute()
        mine.add(_client_id(redis_client))
    assert len(mine) == 1
    theirs: list[int] = []

    def other() -> None:
        Batch(redis_client).get("k").execute()
        theirs.append(_client_id(redis_client))

    worker = threading.Thread(target=other)
    worker.start()
    worker.join()
    assert theirs and theirs[0] not in mine


def _named(redis_url: str, name: str) -> int:
    with redis.Redis.from_url(redis_url) as admin:
        return sum(1 for c in admin.client_list() if c.get("name") == name)


def test_a_thread_that_ends_takes_its_connection_with_it(redis_url: str) -> None:
    name = f"t-batch-{os.getpid()}"  # tells this test's connections from other workers'
    client = redis.Redis.from_url(redis_url, client_name=name)
    Batch(client).get("k").execute()  # this thread's, kept for the rest of the test
    assert _named(redis_url, name) == 1

    def hop() -> None:  # as a development server's thread per request
        assert Batch(client).set("t-b:k", "v", ex=60).get("t-b:k").execute() == [b"OK", b"v"]

    for _ in range(5):
        worker = threading.Thread(target=hop)
        worker.start()
        worker.join()
    gc.collect()
    assert _named(redis_url, name) == 1
    assert client.connection_pool._in_use_connections == set()  # noqa: SLF001
    client.close()


def test_a_connection_the_server_dropped_fails_one_batch_then_reconnects(
        redis_client: redis.Redis, redis_url: str) -> None:
    Batch(redis_client).set("t-b:k", "v", ex=60).execute()
    victim = _client_id(redis_client)
    with redis.Redis.from_url(redis_url) as admin:
        assert admin.client_kill_filter(_id=victim) == 1
    with pytest.raises(redis.ConnectionError):
        Batch(redis_client).get("t-b:k").execute()
    assert Batch(redis_client).get("t-b:k").execute() == [b"v"]
    assert _client_id(redis_client) != victim


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_opens_its_own_connection(redis_client: redis.Redis) -> None:
    Batch(redis_client).set("t-b:k", "v", ex=60).execute()
    parent = _client_id(redis_client)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its connection's id and whether the batch worked
        try:
            ok = Batch(redis_client).get("t-b:k").execute() == [b"v"]
            os.write(write, f"{_client_id(redis_client)} {ok}".encode())
        finally:
            os._exit(0)
    os.close(write)
    child_id, ok = os.read(read, 100).decode().split()
    os.close(read)
    os.waitpid(pid, 0)
    assert ok == "True" and int(child_id) != parent
    # The parent's connection was not disturbed by the child.
    assert Batch(redis_client).get("t-b:k").execute() == [b"v"]
    assert _client_id(redis_client) == parent


def test_replies_split_at_any_byte_are_read_whole() -> None:
    wire = (b"+OK\r\n:42\r\n$-1\r\n_\r\n$5\r\nab\r\nc\r\n*2\r\n$1\r\nx\r\n:-7\r\n"
            b"-ERR wrong\r\n$0\r\n\r\n")
    ours, theirs = socket.socketpair()
    ours.settimeout(5)

    def trickle() -> None:
        for i in range(len(wire)):
            theirs.sendall(wire[i:i + 1])
            time.sleep(0.0005)

    feeder = threading.Thread(target=trickle)
    feeder.start()
    replies = _read_replies(SimpleNamespace(_sock=ours), 8)  # type: ignore[arg-type]
    feeder.join()
    assert replies[:6] == [b"OK", 42, None, None, b"ab\r\nc", [b"x", -7]]
    assert isinstance(replies[6], redis.ResponseError) and str(replies[6]) == "ERR wrong"
    assert replies[7] == b""
    ours.close()
    theirs.close()


def test_a_reply_that_never_comes_times_out() -> None:
    ours, theirs = socket.socketpair()
    ours.settimeout(0.2)
    theirs.sendall(b"+OK\r\n")  # one of the two replies
    with pytest.raises(redis.TimeoutError):
        _read_replies(SimpleNamespace(_sock=ours), 2)  # type: ignore[arg-type]
    ours.close()
    theirs.close()


def test_a_batch_writes_the_same_bytes_as_redis_py() -> None:
    commands = [("GET", "k"), ("SET", "s", "Tiền " * 3, "EX", 300), ("INCRBY", "n", 1),
                ("SET", "b", b"\x00\xff\r\n", "EX", 5), ("DEL", "k")]
    connection = redis.Connection()  # packs without connecting
    assert _pack(commands) == b"".join(connection.pack_commands(commands))
