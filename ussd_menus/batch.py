"""Send a USSD hop's few Redis commands in one round trip, on a connection its thread keeps.

A hop makes two small round trips (count and read; save). Through redis-py each costs about
as much CPU as the network trip itself: taking a connection from the pool and giving it back,
then parsing every reply through its generic parser with its observability hooks (the
gateway's docs/performance.md has the figures). On a 2-core server that is a tenth of a
hop. So :class:`Batch` keeps one connection per thread, made with the client's own
connection class and settings (redis-py still connects, authenticates, selects the database
and sends), packs the commands itself and reads the handful of replies with the small RESP
reader below.
"""

from __future__ import annotations

import os
import socket
import threading
import weakref
from typing import Any

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

_CRLF = b"\r\n"
_READ_SIZE = 65536
# Each thread's kept connection, per client; a client that goes away takes them with it.
_HELD: weakref.WeakKeyDictionary[redis.Redis, threading.local] = weakref.WeakKeyDictionary()
_HELD_LOCK = threading.Lock()


class Batch:
    """Queue a few commands and send them in one round trip; replies come back raw.

    Replies are as Redis sends them: bytes for strings (``b"OK"`` for SET), ints, None for a
    missing key. An error reply raises :class:`redis.ResponseError` once every reply is read;
    any other failure drops the connection, so no unread reply can reach the next hop.
    Same method names as a redis-py pipeline for the few commands a hop uses.
    """

    __slots__ = ("_client", "_commands")

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._commands: list[tuple[Any, ...]] = []

    def get(self, key: str) -> Batch:
        self._commands.append(("GET", key))
        return self

    def set(self, key: str, value: str | bytes, *, ex: int) -> Batch:
        self._commands.append(("SET", key, value, "EX", ex))
        return self

    def delete(self, key: str) -> Batch:
        self._commands.append(("DEL", key))
        return self

    def incr(self, key: str) -> Batch:
        self._commands.append(("INCRBY", key, 1))
        return self

    def expire(self, key: str, seconds: int) -> Batch:
        self._commands.append(("EXPIRE", key, seconds))
        return self

    def execute(self) -> list[Any]:
        """Send every queued command at once and return their replies in order."""
        commands, self._commands = self._commands, []
        if not commands:
            return []
        conn = _connection(self._client)
        try:
            conn.send_packed_command([_pack(commands)])
            replies = _read_replies(conn, len(commands))
        except BaseException:
            conn.disconnect()  # the next batch on this thread connects afresh
            raise
        for reply in replies:
            if isinstance(reply, ResponseError):
                raise reply
        return replies


def _connection(client: redis.Redis) -> redis.connection.AbstractConnection:
    """Return this thread's connection to ``client``'s server, made once per thread.

    Made as the client's pool makes its own (same class and settings: address, password,
    database, TLS, timeouts) but kept outside the pool, by the thread: it goes when the
    thread goes (a development server's thread per request must not leave one behind in
    the pool's in-use set). A forked child makes its own rather than share its parent's
    socket.
    """
    local = _HELD.get(client)
    if local is None:
        with _HELD_LOCK:
            local = _HELD.setdefault(client, threading.local())
    held = getattr(local, "held", None)
    pid = os.getpid()
    if held is None or held[0] != pid:
        pool = client.connection_pool
        held = (pid, pool.connection_class(**pool.connection_kwargs))
        local.held = held
    return held[1]


def _pack(commands: list[tuple[Any, ...]]) -> bytes:
    """Encode commands in RESP (arrays of bulk strings), as redis-py would, in one buffer."""
    out = bytearray()
    for command in commands:
        out += b"*%d\r\n" % len(command)
        for arg in command:
            if isinstance(arg, str):
                arg = arg.encode()
            elif isinstance(arg, int):
                arg = b"%d" % arg
            out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    return bytes(out)


class _Incomplete(Exception):
    """The buffer ends before the reply does: read more from the socket."""


def _read_replies(conn: redis.connection.AbstractConnection, count: int) -> list[Any]:
    """Read ``count`` replies from the connection's socket (RESP2, and RESP3's null)."""
    sock: socket.socket = conn._sock  # type: ignore[attr-defined]  # noqa: SLF001
    buf = bytearray()
    while True:
        try:
            chunk = sock.recv(_READ_SIZE)
        except TimeoutError:
            raise RedisTimeoutError("Timeout reading from Redis") from None
        except OSError as exc:
            raise RedisConnectionError(f"Error reading from Redis: {exc}") from None
        if not chunk:
            raise RedisConnectionError("Redis closed the connection")
        buf += chunk
        replies: list[Any] = []
        pos = 0
        try:
            while len(replies) < count:
                reply, pos = _parse(buf, pos)
                replies.append(reply)
        except _Incomplete:
            continue  # replies are small: parse again from the start once more has come
        if pos != len(buf):
            raise RedisConnectionError("unexpected data after the replies")
        return replies


def _parse(buf: bytearray, pos: int) -> tuple[Any, int]:
    """Parse one reply starting at ``pos``; return it and the position after it."""
    end = buf.find(_CRLF, pos)
    if end < 0:
        raise _Incomplete
    kind, line = buf[pos:pos + 1], buf[pos + 1:end]
    pos = end + 2
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, pos
        if len(buf) < pos + size + 2:
            raise _Incomplete
        return bytes(buf[pos:pos + size]), pos + size + 2
    if kind == b":":
        return int(line), pos
    if kind == b"+":
        return bytes(line), pos
    if kind == b"-":
        return ResponseError(line.decode("utf-8", "replace")), pos
    if kind == b"_":
        return None, pos
    if kind == b"*":
        size = int(line)
        if size < 0:
            return None, pos
        items = []
        for _ in range(size):
            item, pos = _parse(buf, pos)
            items.append(item)
        return items, pos
    raise RedisConnectionError(f"unexpected reply type {kind!r} from Redis")
