"""`gateway worker`: a supervised pool of worker processes plus the relay and sweeper loop.

Worker processes that die (crash, OOM, kill -9) are restarted. Work they held is not lost:
their payments are in the database, and the sweeper re-drives anything stuck.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from flask import Flask
from rq import Queue

from gateway.disbursement.sweeper import DEFAULT_DEADLINES, Deadlines
from gateway.redis_conn import get_redis
from gateway.telco.base import SmsSender
from workers import notify
from workers.relay import QUEUE, relay_once, sweep_once

log = logging.getLogger(__name__)


class Pool:
    """Start, watch and restart worker processes; relay and sweep in between."""

    def __init__(self, app: Flask, processes: int = 2, *, interval: float = 1.0,
                 sweep_every: float = 5.0, env: dict[str, str] | None = None,
                 deadlines: Deadlines = DEFAULT_DEADLINES, notify_every: float | None = 5.0,
                 sms_api: SmsSender | None = None) -> None:
        """Supervise ``processes`` workers; relay every tick, sweep and notify when due.

        ``notify_every`` seconds between SMS passes (None: no SMS pass); ``sms_api`` is the
        SMS sender (default: the configured telco's, None if its account is not set).
        """
        self.app = app
        self.processes = max(processes, 1)
        self.interval = interval
        self.sweep_every = sweep_every
        self.notify_every = notify_every
        self.sms_api = sms_api if sms_api is not None else notify.sms_api(app)
        self.notifier: threading.Thread | None = None
        self._last_notify = 0.0
        self.deadlines = deadlines  # how long a payment may sit in a state before a sweep
        self.env = {**os.environ, **(env or {})}
        self.children: list[subprocess.Popen[bytes]] = []
        self.stopping = False
        self.restarts = 0

    def _spawn(self, index: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "workers.worker", "--name", f"chitra-{os.getpid()}-{index}-"
             f"{self.restarts}"], env=self.env, stdin=subprocess.DEVNULL)

    def start(self) -> None:
        """Start the worker processes."""
        self.children = [self._spawn(i) for i in range(self.processes)]

    def tick(self, queue: Queue, last_sweep: float) -> float:
        """Restart dead workers, relay the outbox, sweep when due; return the sweep time."""
        for i, child in enumerate(self.children):
            if child.poll() is not None and not self.stopping:
                self.restarts += 1
                log.warning("worker %s exited with %s; restarting", child.pid, child.returncode)
                self.children[i] = self._spawn(i)
        self._notify_when_due()
        try:
            relay_once(self.app, queue)
            if time.monotonic() - last_sweep >= self.sweep_every:
                sweep_once(self.app, queue, deadlines=self.deadlines)
                return time.monotonic()
        except Exception:  # Redis or the database is down: try again next tick
            log.warning("relay/sweep failed; retrying", exc_info=True)
        return last_sweep

    def _notify_when_due(self) -> None:
        """Start an SMS pass in the background when one is due and none is running."""
        if self.notify_every is None or self.stopping:
            return
        if self.notifier is not None and self.notifier.is_alive():
            return
        if time.monotonic() - self._last_notify < self.notify_every:
            return
        self._last_notify = time.monotonic()
        self.notifier = threading.Thread(target=self._notify, name="chitra-sms", daemon=True)
        self.notifier.start()

    def _notify(self) -> None:
        try:
            notify.notify_once(self.app, self.sms_api)
        except Exception:  # the database, Redis or AT is down: the next pass tries again
            log.warning("sms pass failed; retrying", exc_info=True)

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Start the workers and supervise until interrupted (or until ``until()`` is true)."""
        self.start()
        self.loop(until)

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until every worker process has registered with Redis."""
        from rq import Worker

        deadline = time.monotonic() + timeout
        while len(Worker.all(connection=get_redis(self.app))) < self.processes:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")
            time.sleep(0.05)

    def loop(self, until: Callable[[], bool] | None = None) -> None:
        """Relay, sweep and restart dead workers until stopped; then stop the workers."""
        queue = Queue(QUEUE, connection=get_redis(self.app))
        last_sweep = 0.0

        def stop(*_: object) -> None:
            self.stopping = True

        # Signal handlers can only be set from the main thread (tests may drive the loop
        # from another one).
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, stop) if main else None
        parent = os.getppid()
        try:
            while not self.stopping and not (until and until()):
                if os.getppid() != parent:
                    log.warning("parent process is gone; stopping the pool")
                    break
                last_sweep = self.tick(queue, last_sweep)
                time.sleep(self.interval)
        except KeyboardInterrupt:
            pass
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
            self.shutdown()

    def shutdown(self) -> None:
        """Stop the worker processes (SIGTERM lets RQ finish the current job) and the SMS pass."""
        self.stopping = True
        if self.notifier is not None:
            self.notifier.join(30)  # one pass: at most a few AT calls with timeouts
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
