"""gateway.web.serving.InlineWorker under a real gunicorn: keep-alive, pipelining, new and
silent connections, errors and a graceful stop with a connection still open."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.embedded_redis import free_port
from gateway.web.serving import has_data

HERE = Path(__file__).resolve().parent


def start(workers: int, *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn with InlineWorker serving tests/web/echo_app.py; wait until it accepts."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(HERE), "-b", f"127.0.0.1:{port}",
         "-k", "gateway.web.serving.InlineWorker", "--workers", str(workers),
         "--keep-alive", "30", "--log-level", "warning", *options, "echo_app:app"],
        stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited with {server.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise AssertionError("gunicorn did not come up")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers (SIGTERM; SIGKILL if it lingers)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def one_worker() -> Iterator[int]:
    """A gunicorn with one InlineWorker process: anything that blocked it would show."""
    server, port = start(workers=1)
    yield port
    stop(server)


def call(conn: http.client.HTTPConnection, method: str, path: str, body: bytes = b"") -> str:
    conn.request(method, path, body=body)
    response = conn.getresponse()
    text = response.read().decode()
    assert response.status == 200, text
    return text


def test_a_kept_alive_connection_is_served_request_after_request(one_worker):
    conn = http.client.HTTPConnection("127.0.0.1", one_worker, timeout=30)
    answers = [call(conn, "POST", "/echo", b"hop 0")]
    first = conn.sock  # http.client opens a new socket if the server closed the last one
    answers += [call(conn, "POST", "/echo", b"hop %d" % i) for i in range(1, 5)]
    assert conn.sock is first
    conn.close()
    assert [a.split(" ", 1)[1] for a in answers] == [f"POST /echo hop {i}" for i in range(5)]


def test_a_body_the_app_did_not_read_does_not_spill_into_the_next_request(one_worker):
    conn = http.client.HTTPConnection("127.0.0.1", one_worker, timeout=30)
    assert call(conn, "POST", "/ignore", b"x" * 5000).endswith("POST /ignore ")
    assert call(conn, "POST", "/echo", b"next").endswith("POST /echo next")
    conn.close()


def test_pipelined_requests_are_answered_in_order(one_worker):
    # 600 requests in one write: served one after another from the parser's buffer, which a
    # recursive hand-back (serve, finish, serve the buffered one, ...) could not survive.
    count = 600
    requests = b"".join(b"GET /echo?%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(count))
    with socket.create_connection(("127.0.0.1", one_worker), timeout=30) as sock:
        sock.sendall(requests)
        data = b""
        while data.count(b"HTTP/1.1 200") < count or not data.endswith(b"GET /echo "):
            chunk = sock.recv(65536)
            assert chunk, f"closed after {data.count(b'HTTP/1.1 200')} answers"
            data += chunk
    assert data.count(b"HTTP/1.1 200") == count
    assert b"HTTP/1.1 500" not in data


def test_a_silent_connection_does_not_keep_others_waiting(one_worker):
    silent = socket.create_connection(("127.0.0.1", one_worker), timeout=30)
    try:
        # gthread's own wait for a silent connection's first bytes is 5 s, in the thread
        # that serves: with one worker, anything that waited there would miss this timeout.
        conn = http.client.HTTPConnection("127.0.0.1", one_worker, timeout=4)
        assert call(conn, "POST", "/echo", b"while another is silent").endswith("silent")
        conn.close()
        silent.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nlate")
        reply = b""
        while not reply.endswith(b"late"):
            chunk = silent.recv(4096)
            assert chunk, reply
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200")
    finally:
        silent.close()


def test_connections_that_arrive_together_are_all_served(one_worker):
    socks = [socket.create_connection(("127.0.0.1", one_worker), timeout=30) for _ in range(50)]
    try:
        for i, sock in enumerate(socks):
            sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\nc%d"
                         % (len(b"c%d" % i), i))
        for i, sock in enumerate(socks):
            reply = b""
            while not reply.endswith(b" c%d" % i):
                chunk = sock.recv(4096)
                assert chunk, reply
                reply += chunk
            assert reply.startswith(b"HTTP/1.1 200")
    finally:
        for sock in socks:
            sock.close()


def test_an_app_error_is_a_500_and_the_worker_serves_on(one_worker):
    conn = http.client.HTTPConnection("127.0.0.1", one_worker, timeout=30)
    conn.request("GET", "/boom")
    response = conn.getresponse()
    response.read()
    assert response.status == 500
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", one_worker, timeout=30)
    assert call(conn, "GET", "/echo").endswith("GET /echo ")
    conn.close()


def test_sigterm_stops_the_workers_cleanly():
    server, port = start(workers=2)
    try:
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        assert call(kept, "GET", "/echo").endswith("GET /echo ")  # left open, kept alive
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            stop(server)


def test_a_request_longer_than_the_worker_timeout_is_not_killed():
    # The arbiter kills a worker that has not said it is alive for --timeout seconds; the
    # heartbeat keeps saying so while the loop's thread serves a long request.
    server, port = start(1, "--timeout", "2")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        pid = call(conn, "GET", "/echo").split()[0]
        assert call(conn, "GET", "/sleep?4.5").split()[0] == pid
        conn.close()
    finally:
        stop(server)


def test_has_data_tells_a_waiting_request_and_an_ended_stream_from_silence():
    left, right = socket.socketpair()
    with left, right:
        left.setblocking(False)
        assert not has_data(left)
        right.sendall(b"GET / HTTP/1.1\r\n")
        assert has_data(left)
        assert left.recv(100) == b"GET / HTTP/1.1\r\n"  # peeking consumed nothing
        assert not has_data(left)
        right.close()
        assert has_data(left)  # end of stream: serving it closes the connection
