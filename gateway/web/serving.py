"""A gunicorn worker that answers requests on its event loop's own thread.

``gunicorn -k gateway.web.serving.InlineWorker --workers N ... wsgi:app`` (README, "Serving in
production")

gunicorn's ``gthread`` worker runs an event loop (accept, keep-alive connections waiting for
their next request) on its main thread and hands every request to a thread pool; the pool
hands the connection back through a queue and a pipe. ChiTra runs one thread per worker
process (processes give the parallelism; see README "Serving in production"), and then that
hand-off is pure cost: per request two thread switches with the GIL passed each way, a pipe
write and read, a future and its callbacks: about a fifth of the server's CPU per request
for a minimal Flask app (bench/ussd.py's floor). gunicorn's ``sync`` worker has no hand-off
but closes every connection.

``InlineWorker`` is ``gthread`` with the pool taken out: the same event loop, keep-alive
bookkeeping, HTTP parsing and error handling (all inherited), the request served in place.
What one thread per worker already meant still holds: one request at a time per process, and
a client that sends half a request holds its worker until it sends the rest or hangs up, as
it held gthread's one thread (put a buffering reverse proxy in front, as gunicorn's own
documentation asks). What differs:

- a new connection is served at once when its request is already there (the usual case: the
  client writes as soon as it connects), and otherwise waits in the event loop, never in the
  worker (``gthread`` waited up to 5 s in the pool thread);
- every connection waiting in the accept queue is taken at each wake-up, not one: a worker
  that served a batch of requests in between would otherwise leave new callers queued for
  several batches (docs/performance.md has what bench/ussd.py measured);
- a heartbeat thread tells the arbiter the worker is alive once a second, as gthread's loop
  did while its pool thread served: a long request (a roster upload) is not killed at
  ``--timeout`` as it would be under the ``sync`` worker.

It builds on ``gthread``'s internals (``TConn``, ``enqueue_req``, ``finish_request``), which
gunicorn changes between major versions, so ``pyproject.toml`` holds gunicorn to 27.x and
``tests/web/test_serving.py`` runs this worker under a real gunicorn.
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent import futures
from typing import Any

from gunicorn.workers import gthread


class _NoPool:
    """Stands in for ``gthread``'s thread pool, which it only ever shuts down here."""

    def shutdown(self, wait: bool = True, **_: Any) -> None:
        """Nothing runs elsewhere: nothing to stop."""


def has_data(sock: socket.socket) -> bool:
    """Say whether reading ``sock`` would not block: bytes waiting, end of stream or an error.

    Only a connection whose request has not arrived yet answers False.
    """
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False
    except OSError:  # reset: serving it finds out and closes it
        return True
    return True


def _outcome(handle: Callable[[Any], Any], conn: Any) -> futures.Future[Any]:
    """Run ``handle(conn)`` and return its result as the completed future gthread expects."""
    done: futures.Future[Any] = futures.Future()
    try:
        done.set_result(handle(conn))
    except Exception as exc:  # handle() catches its own; never let one take the loop down
        done.set_exception(exc)
    return done


class InlineWorker(gthread.ThreadWorker):
    """``gthread`` without its thread pool: each request is served on the event loop thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set up gthread's state plus the queue of connections ready to be served."""
        super().__init__(*args, **kwargs)
        self._ready: deque[Any] = deque()
        self._serving = False

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        """Warn about settings this worker cannot honour."""
        super().check_config(cfg, log)
        if cfg.threads > 1:
            log.warning("InlineWorker serves one request at a time per process: "
                        "--threads %s is ignored; run more --workers instead", cfg.threads)
        if "h2" in getattr(cfg, "http_protocols", ()):
            log.warning("InlineWorker: an HTTP/2 connection holds its worker until it closes; "
                        "terminate HTTP/2 at the reverse proxy")

    def run(self) -> None:
        """Run gthread's event loop, with the heartbeat beside it."""
        threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True).start()
        super().run()

    def _heartbeat(self) -> None:
        while self.alive:
            self.notify()
            time.sleep(1.0)

    def get_thread_pool(self) -> Any:
        """No pool: requests are served on the event loop's thread."""
        return _NoPool()

    def enqueue_req(self, conn: Any) -> None:
        """Serve ``conn``'s request now, then hand the connection back to gthread's loop.

        ``finish_request`` calls back here when the client already sent its next request
        (pipelining): that connection is queued and served by the loop below, not by
        recursion, so a long pipeline cannot exhaust the stack.
        """
        self._ready.append(conn)
        if self._serving:
            return
        self._serving = True
        try:
            while self._ready:
                ready = self._ready.popleft()
                self.finish_request(ready, _outcome(self.handle, ready))
        finally:
            self._serving = False

    def accept(self, listener: socket.socket) -> None:
        """Take every connection waiting on ``listener``; serve those whose request is in."""
        while self.nr_conns < self.worker_connections:
            try:
                client, address = listener.accept()
            except OSError as exc:
                if exc.errno == errno.ECONNABORTED:
                    continue
                if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    return
                raise
            self.nr_conns += 1
            conn = gthread.TConn(self.cfg, client, address, listener.getsockname())
            if has_data(client):
                conn.data_ready = True
                self.enqueue_req(conn)
            else:  # nothing sent yet: wait in the event loop, as gthread's deferral does
                done: futures.Future[Any] = futures.Future()
                done.set_result(gthread._DEFER)  # noqa: SLF001
                self.finish_request(conn, done)
