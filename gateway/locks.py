"""Named database locks that serialise rare, money-moving operations on every backend.

Taking the lock is an UPDATE and must be the transaction's first statement: on PostgreSQL it
locks the row until commit; on SQLite it takes the database's write lock before the
transaction has read anything, so no later write can fail on a stale snapshot.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.db import Base

PAYROLL = "payroll"  # cycle state changes and funding


class AppLock(Base):
    """One row per lock name."""

    __tablename__ = "app_lock"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


def acquire(session: Session, name: str) -> None:
    """Take the named lock for the rest of the session's transaction.

    Raises:
        RuntimeError: the lock row does not exist (a migration creates each one).
    """
    table = AppLock.__table__
    result = session.execute(
        table.update().where(table.c.name == name).values(version=table.c.version + 1))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError(f"lock {name!r} is missing: run `gateway db upgrade`")
