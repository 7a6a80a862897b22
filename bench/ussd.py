"""Benchmark: USSD hops per second through the real app under gunicorn, against a Flask floor.

Seeds ``--size`` beneficiaries (default 5,000; a generated Huế roster, caregivers included)
with two paid cycles (10/2026 confirmed-or-paid, 11/2026 paid), so the menus show real data.
Then, for each of two apps under the same gunicorn settings on loopback — the floor (a minimal
Flask endpoint that parses AT's form and does one Redis GET: what any Flask USSD app pays)
and ChiTra's real app (``wsgi:app``) — it drives concurrent USSD sessions in Africa's
Talking's wire format (form POSTs of ``sessionId, serviceCode, phoneNumber, text`` to
``/telco/africastalking/<key>/ussd``) for ``--duration`` seconds after a warm-up, and prints
req/s and p50/p99 latency. Journeys: dial, 1 entitlement, 0 back, 3 history, 00 home; a
pre-filled ``*384*12*1#``; the wallet; a language change and back. History and wallet are
PIN-protected: the journeys stop at the PIN screen and go back, so no PIN hash is computed.
An error is any non-200,
any body not starting with ``CON``/``END``, any "system busy" or "too many requests" screen,
and a connection dropped before its reply; errors are counted and the first few printed.

Gunicorn: both apps under the same settings: ``--worker-class inline`` (default;
``gateway.web.serving.InlineWorker``, gunicorn's gthread event loop serving each request on
its own thread) or ``gthread`` (gunicorn's, one pool thread per process), ``--workers``
processes (default: one per core on SQLite, two on PostgreSQL), ``--keep-alive 30``, one
listening socket shared by the workers (``--reuse-port`` for one each). Processes give the
parallelism (the GIL serialises Python within one). This VM's speed drifts between runs, so
the choices below rest on interleaved pairs; their figures, with dates, are in
docs/performance.md. Worker class: gthread hands each request from its loop to a pool thread
and back through a pipe, two thread switches and GIL hand-offs per hop, so ``inline`` serves
more hops. Socket: with gthread --reuse-port served more (on a shared socket every new
connection woke every worker's poller); with ``inline`` the shared socket wins, because a
worker busy serving does not poll, so a new connection goes to a worker that is free, where
hashing left one worker with more sessions than the other. Workers: with ``inline`` and a
shared socket one per core did as well as two: Redis waits are short, and fewer processes
contend for the cores. On PostgreSQL, where every read waits for the server, more workers
gave more req/s with a p99 alike. Neither worker is ``sync``, which closes every connection
(that would measure TCP set-up instead of the app).

The load generator is one thread in one process: an epoll loop over non-blocking sockets
writing raw HTTP/1.1 for ``--connections`` concurrent callers, each session on its own
keep-alive connection (opening it is counted in the session's first hop; long-lived connections
tied the load to whichever worker accepted them). Each request is one ``send`` formatted from
pieces percent-encoded once, byte for byte what ``urlencode`` gives; each response is read by
its head's status and Content-Length. Its CPU per request is printed (less than with asyncio
streams), mostly in the kernel: a wake-up per response, and per
session a TCP connect (on loopback the handshake runs mostly inside the caller's connect()) and
close. So the server gets most of the machine; both apps are measured the same way, and the
server's CPU per hop (from /proc) is printed since it depends less than req/s on what else
runs.

The per-phone USSD limit (``USSD_HOPS_PER_MINUTE``, 30 by default) is raised to 1,000,000 for
the run: sessions rotate over every seeded phone, but at 3,000 hops/s 5,000 phones would
each make 36 hops a minute. Every hop is still counted (INCR/EXPIRE in the hop's first
Redis round trip).

    python bench/ussd.py [--size N] [--duration S] [--database-url postgresql://...]
                         [--redis-url redis://...] [--workers N] [--threads 1]
                         [--worker-class inline|gthread] [--reuse-port]

Ends with ``RESULT req_per_s=... p50_ms=... p99_ms=... floor_req_per_s=... floor_ratio=...``.
"""

from __future__ import annotations

import argparse
import base64
import errno
import itertools
import os
import random
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

KEY = "bench-at-callback-key"
KEYS = {"PII_KEYS": f"b1:{base64.b64encode(b'p' * 32).decode()}",
        "BLIND_INDEX_KEY": base64.b64encode(b"i" * 32).decode(), "SECRET_KEY": "bench"}
HOPS_PER_MINUTE = 1_000_000

# Cumulative ``text`` of each hop, as AT sends it; "1" first is a pre-filled *384*12*1#.
JOURNEYS: list[list[str]] = [
    ["", "1", "1*0", "1*0*3", "1*0*3*00"],
    ["", "3", "3*0", "3*0*1"],
    ["1", "1*00", "1*00*5"],
    ["", "6", "6*3", "6*3*1", "6*3*1*00", "6*3*1*00*6", "6*3*1*00*6*1"],
    ["", "1"],
]


def environment(url: str, redis_url: str) -> dict[str, str]:
    """Return the CHITRA_* environment the app's processes share."""
    env = {f"CHITRA_{k}": v for k, v in KEYS.items()}
    env.update({"CHITRA_ENV": "production", "CHITRA_DATABASE_URL": url,
                "CHITRA_REDIS_URL": redis_url, "CHITRA_PROVINCE_CODE": "46",
                "CHITRA_LOG_LEVEL": "WARNING", "CHITRA_AT_CALLBACK_KEY": KEY,
                "CHITRA_USSD_HOPS_PER_MINUTE": str(HOPS_PER_MINUTE)})
    return env


# --- seeding ----------------------------------------------------------------------------

def seed(url: str, size: int) -> list[str]:
    """Import ``size`` people, pay them for two months; return the phones that may dial."""
    import sqlalchemy as sa
    from cycle import fresh_database
    from disburse import release

    from gateway import create_app
    from gateway.db import get_db
    from gateway.payroll.models import Payment, PaymentState
    from gateway.payroll.payments import Change, transition_batch
    from gateway.pii.codec import get_pii
    from gateway.registry.models import WalletLink
    from gateway.rosters.demo import HEADER, RosterGenerator
    from gateway.rosters.importer import ImportSettings, import_roster
    from gateway.rosters.source import memory_source
    from gateway.vn.cells import InvalidValue
    from gateway.vn.phone import parse_phone

    fresh_database(url, "")
    app = create_app()
    rows = list(RosterGenerator(seed=2021, province_code="46", today=date(2026, 11, 27))
                .rows(size))
    db = get_db(app)
    with app.app_context():
        with db.sessionmaker() as s:
            report = import_roster(s, get_pii(app), memory_source("bench", HEADER, rows),
                                   ImportSettings(providers=["sandbox"], province_code="46"))
        with db.session() as s:
            s.execute(sa.update(WalletLink).values(verified=True, flag=None))
        for month in (10, 11):
            cycle_id = release(app, date(2026, month, 1))
            with db.sessionmaker() as s:
                ids = list(s.scalars(sa.select(Payment.id).where(Payment.cycle_id == cycle_id)))
            for i in range(0, len(ids), 2000):
                chunk = [Change(pid) for pid in ids[i:i + 2000]]
                with db.session() as s:
                    transition_batch(s, PaymentState.SENDING, chunk)
                    transition_batch(s, PaymentState.SUCCEEDED, chunk)
                    if month == 10:  # most confirmed receipt the month before
                        transition_batch(s, PaymentState.CONFIRMED, chunk[: len(chunk) * 2 // 3])
    settle(db.engine)
    db.dispose()
    phones: set[str] = set()
    for row in rows:
        for raw in (row[5], row[12]):  # own phone, representative's phone
            if raw:
                try:
                    phones.add(parse_phone(str(raw)))
                except InvalidValue:
                    pass
    print(f"seeded: {report.accepted} people, 2 paid cycles, {len(phones)} phones dial in")
    return sorted(phones)


def settle(engine: object) -> None:
    """Do now the upkeep a fresh bulk load would trigger while we measure.

    Seeding writes some 130,000 rows just before the measured window: on PostgreSQL the
    autovacuum daemon then vacuums and analyses those tables for tens of seconds on the same
    two cores, and SQLite's write-ahead log holds all of it. A live system serves from a
    settled database, so vacuum and analyse (PostgreSQL) or checkpoint the log (SQLite) first.
    """
    import sqlalchemy as sa

    assert isinstance(engine, sa.Engine)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# --- servers ----------------------------------------------------------------------------

WORKER_CLASSES = {"inline": "gateway.web.serving.InlineWorker", "gthread": "gthread"}


def start_gunicorn(target: str, port: int, args: argparse.Namespace, env: dict[str, str],
                   chdir: Path) -> subprocess.Popen[bytes]:
    """Start gunicorn on 127.0.0.1:port serving ``target`` (``module:app``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(chdir), "-b", f"127.0.0.1:{port}",
         "-k", WORKER_CLASSES[args.worker_class], "--workers", str(args.workers),
         "--threads", str(args.threads), "--keep-alive", "30", "--backlog", "2048",
         *(["--reuse-port"] if args.reuse_port else []), "--log-level", "warning", target],
        env={**os.environ, **env}, stdin=subprocess.DEVNULL)


def wait_up(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until the server answers /healthz."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn gracefully (SIGTERM), then for good."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()


# --- load -------------------------------------------------------------------------------

@dataclass
class Tally:
    """Latencies of successful hops and the errors seen."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    recording: bool = False

    def error(self, what: str) -> None:
        """Count one error, keeping the first few for the printout."""
        if not self.recording:
            return
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what[:120])


def bad_screens() -> tuple[str, ...]:
    """Return the texts of screens that mean the hop failed (system error, rate limited)."""
    from ussd_menus import catalogs

    return tuple({catalogs.text(lang, key) for lang in catalogs.CATALOGS
                  for key in ("error.system", "ussd.too_fast")})


def _quote(value: str) -> bytes:
    """Percent-encode one form value exactly as ``urllib.parse.urlencode`` does by default."""
    return urllib.parse.quote_plus(value).encode("ascii")


# Each hop's body is ``urlencode({sessionId, serviceCode, phoneNumber, networkCode, text})``,
# assembled from pieces quoted once: the fixed fields here, each phone once per run, each
# journey's texts once, the session id once per session.
_SERVICE = b"&serviceCode=" + _quote("*384*12#") + b"&phoneNumber="
_NETWORK = b"&networkCode=" + _quote("45204") + b"&text="
_JOURNEYS = [[_quote(text) for text in journey] for journey in JOURNEYS]


class _Caller:
    """One of the concurrent callers: its RNG, and the session and connection in flight.

    A session's hops share a connection; the next session opens a new one. Gunicorn's
    workers each accept connections, so long-lived connections would tie the load to
    whichever worker happened to accept them (runs then varied by 2x); a connection per
    session spreads the load as a telco gateway's separate callbacks would.
    """

    __slots__ = ("rng", "tag", "sessions", "sock", "connecting", "form", "journey", "hop",
                 "t0", "buf", "out")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tag = rng.getrandbits(32)
        self.sessions = itertools.count()
        self.sock: socket.socket | None = None
        self.connecting = False
        self.form = b""  # the body up to ``text=``
        self.journey: list[bytes] = []
        self.hop = 0  # index in journey of the hop in flight
        self.t0 = 0.0  # when the hop in flight started (the session's connect, for its first)
        self.buf = b""  # response bytes received so far
        self.out = b""  # request bytes the socket did not take yet


def _parse(header: bytes) -> tuple[int, int, bool]:
    """Return the status, Content-Length and whether ``Connection: close`` of a response head.

    ``header`` is the status line and header lines, without the blank line that ends them.
    """
    status = int(header.split(b" ", 2)[1])
    lower = header.lower()
    length, close = 0, False
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.find(b"\r\n", at + 17)
        length = int(lower[at + 17:end if end >= 0 else None])
    at = lower.find(b"\r\nconnection:")
    if at >= 0:
        end = lower.find(b"\r\n", at + 13)
        close = lower[at + 13:end if end >= 0 else None].strip() == b"close"
    return status, length, close


def cpu_seconds(pid: int) -> float:
    """Return the CPU time used so far by a process and its children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            children = [int(c) for c in fh.read().split()]
    except OSError:
        return float("nan")
    for each in [pid, *children]:
        try:
            with open(f"/proc/{each}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except OSError:
            pass
    return total


def drive(port: int, phones: list[str], connections: int, warmup: float, duration: float,
          on_start: Callable[[], None] = lambda: None) -> tuple[Tally, float]:
    """Warm up, then record ``duration`` seconds of hops; return the tally and seconds.

    ``connections`` callers play sessions back to back until the run ends, all from this one
    thread: one epoll set over non-blocking sockets, each request one ``send`` formatted from
    pre-quoted pieces, each response read up to its head's Content-Length.
    """
    tally = Tally()
    rng = random.Random(7)
    ring = itertools.cycle([_quote(phone) for phone in rng.sample(phones, len(phones))])
    bad = frozenset(screen.encode() for screen in bad_screens())
    head = (f"POST /telco/africastalking/{KEY}/ussd HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ").encode()
    address = ("127.0.0.1", port)
    clock = time.perf_counter
    latencies = tally.latencies
    poller = select.epoll()
    poll = poller.poll
    IN, OUT = select.EPOLLIN, select.EPOLLOUT  # noqa: N806
    FAILED = select.EPOLLERR | select.EPOLLHUP  # noqa: N806
    by_fd: dict[int, _Caller] = {}
    stop_at = float("inf")
    live = connections

    def send(caller: _Caller) -> None:
        form, text = caller.form, caller.journey[caller.hop]
        data = b"%s%d\r\n\r\n%s%s" % (head, len(form) + len(text), form, text)
        sent = caller.sock.send(data)  # type: ignore[union-attr]
        if sent < len(data):  # the rest once the socket is writable again
            caller.out = data[sent:]

    def connect(caller: _Caller) -> None:
        """Open the caller's connection and send the hop in flight on it."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as asyncio's transports
        err = sock.connect_ex(address)
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            raise OSError(err, f"connecting to {address}: {os.strerror(err)}")
        caller.sock, caller.buf, caller.out = sock, b"", b""
        by_fd[sock.fileno()] = caller
        # On loopback the handshake is over by the time connect() returns (the replies are
        # processed before it does), so send at once; wait for writable only if that fails.
        if caller.hop:  # a reconnect within the session: its connect is not counted
            caller.t0 = clock()
        try:
            send(caller)
        except BlockingIOError:  # not connected yet
            caller.connecting = True
            poller.register(sock, OUT)
        else:
            caller.connecting = False
            poller.register(sock, IN | OUT if caller.out else IN)

    def hang_up(caller: _Caller) -> None:
        assert caller.sock is not None
        del by_fd[caller.sock.fileno()]
        caller.sock.close()  # leaves the epoll set with it
        caller.sock = None

    def begin(caller: _Caller) -> None:
        """Start a session on a new connection, its connect counted in the first hop."""
        caller.t0 = clock()
        session_id = f"ATUid_bench_{caller.tag:08x}_{next(caller.sessions)}"
        caller.form = b"sessionId=" + _quote(session_id) + _SERVICE + next(ring) + _NETWORK
        caller.journey = caller.rng.choice(_JOURNEYS)
        caller.hop = 0
        connect(caller)

    def done(caller: _Caller, now: float) -> None:
        nonlocal live
        hang_up(caller)
        if now < stop_at:
            begin(caller)
        else:
            live -= 1

    for i in range(connections):
        begin(_Caller(random.Random(i)))
    warm_until = clock() + warmup
    start = 0.0
    recording = False
    while live:
        now = clock()
        if not recording and now >= warm_until:
            on_start()
            tally.recording = recording = True
            start = clock()
            stop_at = start + duration
        timeout = (stop_at if recording else warm_until) - now
        for fd, events in poll(timeout if timeout > 0 else -1):
            caller = by_fd[fd]
            sock = caller.sock
            assert sock is not None
            if caller.connecting:
                if events & FAILED:
                    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    raise OSError(err, f"connecting to {address}: {os.strerror(err)}")
                caller.connecting = False
                if caller.hop:  # a reconnect within the session: its wait is not counted
                    caller.t0 = clock()
                send(caller)
                poller.modify(sock, IN | OUT if caller.out else IN)
                continue
            if caller.out:
                if events & OUT:
                    sent = sock.send(caller.out)
                    caller.out = caller.out[sent:]
                    if not caller.out:
                        poller.modify(sock, IN)
                if not events & (IN | FAILED):
                    continue
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as exc:  # reset
                tally.error(f"connection lost mid-hop: {exc}")
                done(caller, clock())
                continue
            if not data:
                tally.error("connection closed mid-hop")
                done(caller, clock())
                continue
            if caller.buf:
                data = caller.buf + data
            end = data.find(b"\r\n\r\n")
            if end < 0:
                caller.buf = data
                continue
            status, length, close = _parse(data[:end])
            end += 4
            if len(data) < end + length:
                caller.buf = data
                continue
            reply = data[end:end + length]
            caller.buf = data[end + length:]
            now = clock()
            prefix = reply[:4]
            if status != 200 or (prefix != b"CON " and prefix != b"END "):
                tally.error(f"HTTP {status}: {reply.decode('utf-8', 'replace')}")
            elif reply[4:] in bad:
                tally.error(reply.decode("utf-8", "replace"))
            elif recording:
                latencies.append(now - caller.t0)
            caller.hop += 1
            if prefix == b"END " or caller.hop == len(caller.journey) or now >= stop_at:
                done(caller, now)
            elif close:  # honoured: the session goes on on a new connection
                hang_up(caller)
                connect(caller)
            else:
                caller.t0 = clock()
                send(caller)
                if caller.out:
                    poller.modify(sock, IN | OUT)
    poller.close()
    tally.recording = False
    return tally, clock() - start


def measure(name: str, target: str, chdir: Path, env: dict[str, str], phones: list[str],
            args: argparse.Namespace) -> tuple[float, float, float, int]:
    """Serve ``target`` under gunicorn, drive it, print and return req/s, p50, p99, errors."""
    from gateway.embedded_redis import free_port

    port = free_port()
    server = start_gunicorn(target, port, args, env, chdir)
    cpu: list[float] = []
    driver = 0.0

    def started() -> None:
        nonlocal driver
        cpu.append(cpu_seconds(server.pid))
        driver = time.process_time()

    try:
        wait_up(port, server)
        tally, seconds = drive(port, phones, args.connections, args.warmup, args.duration,
                               started)
        cpu.append(cpu_seconds(server.pid))
        cpu.append(time.process_time() - driver)
    finally:
        stop(server)
    lat = sorted(tally.latencies)
    rate = len(lat) / seconds
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[max(0, int(len(lat) * 0.99) - 1)] * 1000 if lat else float("nan")
    # Server CPU per hop depends far less on what else the machine runs than req/s does.
    cpu_ms = (cpu[1] - cpu[0]) * 1000 / max(len(lat), 1)
    print(f"{name:>5}: {len(lat):,} hops in {seconds:.1f} s = {rate:,.0f} req/s; "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms; CPU per hop: server {cpu_ms:.2f} ms, "
          f"load generator {cpu[2] * 1000 / max(len(lat), 1):.2f} ms; errors {tally.errors}")
    for sample in tally.samples:
        print(f"       error: {sample!r}")
    return rate, p50, p99, tally.errors


def main() -> None:
    """Seed, measure the floor and the app, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5_000)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured per app")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn worker processes (default: one per core on SQLite, "
                             "two on PostgreSQL)")
    parser.add_argument("--threads", type=int, default=1, help="gthread threads per worker")
    parser.add_argument("--worker-class", choices=sorted(WORKER_CLASSES), default="inline",
                        help="inline: gateway.web.serving.InlineWorker; gthread: gunicorn's")
    parser.add_argument("--reuse-port", action=argparse.BooleanOptionalAction, default=False,
                        help="a listening socket per worker (default: one shared socket)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None,
                        help="default: an embedded redis-server started for the run")
    args = parser.parse_args()
    if args.workers is None:
        per_core = 2 if (args.database_url or "").startswith("postgresql") else 1
        args.workers = per_core * (os.cpu_count() or 1)
    for name in ("size", "connections", "workers", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.duration <= 0 or args.warmup < 0:
        parser.error("--duration must be positive and --warmup not negative")
    if args.database_url and not args.database_url.startswith(("sqlite:", "postgresql")):
        parser.error("--database-url must be a sqlite:// or postgresql:// URL")

    import redis

    from gateway.embedded_redis import EmbeddedRedis

    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
        server = None if args.redis_url else EmbeddedRedis(os.path.join(tmp, "redis"))
        redis_url = args.redis_url or f"{server.url}/0"  # type: ignore[union-attr]
        env = environment(url, redis_url)
        os.environ.update(env)
        t = time.perf_counter()
        phones = seed(url, args.size)
        reuse = ", --reuse-port" if args.reuse_port else ""
        print(f"setup in {time.perf_counter() - t:.1f} s; gunicorn {args.worker_class} "
              f"{args.workers} workers x {args.threads} threads{reuse}, {args.connections} "
              f"keep-alive connections, USSD_HOPS_PER_MINUTE raised to {HOPS_PER_MINUTE:,}")
        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        client.set("bench:floor:state", "menu")
        floor = measure("floor", "ussd_floor:app", ROOT / "bench", env, phones, args)
        client.flushdb()
        app = measure("app", "wsgi:app", ROOT, env, phones, args)
        if server:
            server.stop()
    ratio = app[0] / floor[0] if floor[0] else 0.0
    backend = url.split(":", 1)[0]
    load = os.getloadavg()
    print(f"backend {backend}, {args.size} beneficiaries, {os.cpu_count()} cores, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; app/floor {ratio:.2f}; "
          f"errors app {app[3]}, floor {floor[3]}")
    result = (f"RESULT req_per_s={app[0]:.0f} p50_ms={app[1]:.1f} p99_ms={app[2]:.1f} "
              f"floor_req_per_s={floor[0]:.0f} floor_ratio={ratio:.2f}")
    with open(ROOT / "bench" / "out" / "ussd.txt", "a", encoding="utf-8") as fh:
        fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} size={args.size} backend={backend} "
                 f"worker={args.worker_class} workers={args.workers} threads={args.threads} "
                 f"reuse_port={int(args.reuse_port)} load={load[0]:.2f} {result}\n")
    print(result)


if __name__ == "__main__":
    main()
