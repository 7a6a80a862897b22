"""Database engine, sessions and the declarative base.

Domain functions take a ``Session`` and plain values; the web layer, the CLI and the workers
open sessions through ``Database.session()`` so each is one thin door into the same rooms.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = sa.MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers work while one writer commits; FULL syncs the log on every commit,
    # so a committed payment outcome survives an OS crash or power loss too (NORMAL would
    # only survive a process crash; no visible cost at the engine's batch sizes, see
    # docs/performance.md);
    # foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """Create an engine with the settings ChiTra relies on for this backend."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # The psycopg 3 driver is the one we install.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


class Database:
    """One engine and session factory per app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._reads: sa.Engine | None = None
        self._reads_lock = threading.Lock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session that commits on success and rolls back on error."""
        with self.sessionmaker() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def reads(self) -> sa.Engine:
        """Give the engine of ``FastRead``: autocommit, no pre-ping, no reset on return.

        The same database (SQLite's pragmas apply), its own pool. Each hot read is one
        statement, which sees one snapshot anyway: in autocommit there is no BEGIN and no
        ROLLBACK round trip on PostgreSQL, and a dead connection is found by the read itself
        (and retried once) rather than by a ping round trip before every read.
        """
        if self._reads is None:
            with self._reads_lock:
                if self._reads is None:
                    self._reads = make_engine(self.url, isolation_level="AUTOCOMMIT",
                                              pool_pre_ping=False, pool_reset_on_return=None)
        return self._reads

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self._reads is not None:
            self._reads.dispose()


class FastRead:
    """A Core SELECT compiled once per dialect and run on the driver's own cursor.

    For the few small reads on the USSD hot path. SQLAlchemy's execution of a cached
    statement (parameter construction, execution context, result metadata and row objects)
    costs several times what SQLite spends answering a one-row lookup by index (figures in
    docs/performance.md), and on PostgreSQL the usual checkout adds a pre-ping round trip and
    the usual transaction a BEGIN and a ROLLBACK. So the statement runs on a connection
    of ``Database.reads``; bind and result values go through the same type processors
    SQLAlchemy would apply, and rows come back as plain tuples in the statement's column
    order. A read that failed because its connection was gone (a server restart, an idle
    timeout) is retried once on a new one.
    """

    def __init__(self, statement: sa.Select[Any]) -> None:
        """Keep ``statement`` (named ``bindparam`` values, given to ``rows``)."""
        self._statement = statement
        self._compiled: dict[str, _CompiledRead] = {}

    def rows(self, db: Database, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement with ``params`` and return every row."""
        engine = db.reads
        compiled = self._compiled.get(engine.dialect.name)
        if compiled is None:
            compiled = self._compiled[engine.dialect.name] = _CompiledRead(
                self._statement, engine.dialect)
        bound = compiled.bind(params)
        try:
            return compiled.convert(_execute(engine, compiled.sql, bound, retry=True))
        except _ConnectionGone:
            pass  # once more, on a new connection
        return compiled.convert(_execute(engine, compiled.sql, bound, retry=False))


class _ConnectionGone(Exception):
    """The connection was dead (a server restart, an idle timeout): worth one retry."""


def _execute(engine: sa.Engine, sql: str, bound: Any, *, retry: bool) -> list[Any]:
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, bound)
            return cursor.fetchall()
        finally:
            cursor.close()
    except Exception as exc:
        dialect = engine.dialect
        if isinstance(exc, dialect.loaded_dbapi.Error) and dialect.is_disconnect(
                exc, raw.driver_connection, None):
            raw.invalidate()  # the pool opens a new one next time
            if retry:
                raise _ConnectionGone from exc
        raise
    finally:
        raw.close()


class _CompiledRead:
    """One dialect's SQL text, parameter order and type processors for a ``FastRead``."""

    def __init__(self, statement: sa.Select[Any], dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._defaults = {k: v for k, v in compiled.construct_params(
            _check=False).items() if v is not None}
        self._positions = list(compiled.positiontup or []) if compiled.positional else None
        self._binders = dict(compiled._bind_processors)  # noqa: SLF001 (SQLAlchemy's own)
        self._results = [
            (i, proc) for i, column in enumerate(statement.selected_columns)
            if (proc := column.type.dialect_impl(dialect).result_processor(dialect, None))
            is not None]

    def bind(self, params: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = {**self._defaults, **params}
        for name, proc in self._binders.items():
            if name in values:
                values[name] = proc(values[name])
        if self._positions is not None:
            return tuple(values[name] for name in self._positions)
        return values

    def convert(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self._results:
            return [tuple(row) for row in rows]
        out = []
        for row in rows:
            values = list(row)
            for i, proc in self._results:
                values[i] = proc(values[i])
            out.append(tuple(values))
        return out


def init_app(app: Flask) -> None:
    """Attach a ``Database`` for ``DATABASE_URL`` to the app."""
    app.extensions["chitra.db"] = Database(app.config["DATABASE_URL"])


def get_db(app: Flask | None = None) -> Database:
    """Return the app's ``Database`` (the current app's by default)."""
    return (app or current_app).extensions["chitra.db"]


_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def id_in(session: Session, column: sa.ColumnElement[Any], values: Iterable[Any]) -> Any:
    """Return ``column IN values`` as the fastest form for the session's database.

    On PostgreSQL it is ``column = ANY(array)``: one bound array instead of a placeholder per
    value, which psycopg would otherwise parse out of the statement text each time (with
    1,000 ids that costs more than the query). SQLite keeps a plain IN list.
    """
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def _sqlite_dates(values: tuple[Any, ...], positions: list[int],
                  cache: dict[Any, str]) -> tuple[Any, ...]:
    out = list(values)
    for i in positions:
        v = out[i]
        if isinstance(v, date):  # datetime is a date too
            text = cache.get(v)
            if text is None:
                text = cache[v] = (v.strftime(_SQLITE_DATETIME) if isinstance(v, datetime)
                                   else v.isoformat())
            out[i] = text
    return tuple(out)


def bulk_insert(session: Session, table: sa.Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert many plain rows through the driver's executemany, in the session's transaction.

    SQLAlchemy's per-row parameter processing costs more than the database's own work for
    tens of thousands of rows; this path binds values directly. Only for columns holding
    str, int, bool, date, datetime or None (dates are written as SQLAlchemy writes them).
    ``rows`` may be a generator: rows are then produced while the database writes (on
    PostgreSQL, COPY streams them, so computing and writing overlap on two cores).
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    given = list(first)
    # Column defaults the ORM would have applied, evaluated once for the whole batch.
    defaults = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or not hasattr(default, "arg"):
            continue
        if default.is_scalar:
            defaults[column.name] = default.arg
        elif default.is_callable:
            defaults[column.name] = default.arg(None)
    columns = list(defaults) + given
    conn = session.connection()
    dialect = conn.dialect
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    marks = ", ".join(("?" if dialect.paramstyle == "qmark" else "%s") for _ in columns)
    target = dialect.identifier_preparer.format_table(table)
    fixed = tuple(defaults.values())
    params: Iterable[tuple[Any, ...]] = (
        fixed + tuple(row[c] for c in given) for row in itertools.chain([first], iterator))
    if dialect.name == "sqlite":
        # Store dates as SQLAlchemy does on SQLite (ISO text), converting only those columns.
        stamps = [i for i, c in enumerate(columns)
                  if isinstance(table.c[c].type, sa.DateTime | sa.Date)]
        if stamps:
            cache: dict[Any, str] = {}  # batches share a few timestamps: format each once
            params = (_sqlite_dates(p, stamps, cache) for p in params)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect.name == "postgresql":
            # COPY is the fastest way into PostgreSQL: one stream instead of a statement per row.
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})", params)
    finally:
        cursor.close()
