"""Shared by the payroll endpoints: who acts, payroll errors as JSON, cycles by reference."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from apiflask import HTTPError
from sqlalchemy.orm import Session

from gateway.api.auth import current_caller
from gateway.db import get_db
from gateway.payroll.errors import NotFound, PayrollError
from gateway.payroll.models import Cycle

# Cycle refs are 16 hex digits; ids are small integers. Anything else cannot name a cycle,
# and a 30-digit "id" must not reach an integer column (it overflows the driver).
_REF = re.compile(r"^[0-9a-f]{1,32}$")
_MAX_ID_DIGITS = 9


def actor() -> str:
    """Return the calling key as an actor, ``apikey:<name>`` (so maker-checker spans keys)."""
    return f"apikey:{current_caller().name}"


def payroll_http_error(exc: PayrollError) -> HTTPError:
    """Return the HTTP error for a payroll error: its code and status, both languages."""
    return HTTPError(exc.http_status, exc.en, detail={"en": exc.en, "vi": exc.vi},
                     extra_data={"code": exc.code})


@contextmanager
def domain_session(commit: bool = True) -> Iterator[Session]:
    """Open a session (committing on success if ``commit``); answer payroll errors as JSON."""
    db = get_db()
    try:
        if commit:
            with db.session() as session:
                yield session
        else:
            with db.sessionmaker() as session:
                yield session
    except PayrollError as exc:
        raise payroll_http_error(exc) from None


def find_cycle(session: Session, ref: str) -> Cycle:
    """Return a cycle by ref or numeric id.

    Raises:
        NotFound: no cycle is named so (including refs that cannot be one).
    """
    cycle = None
    if _REF.match(ref):
        query = sa.select(Cycle).where(Cycle.ref == ref)
        if ref.isdigit() and len(ref) <= _MAX_ID_DIGITS:
            query = sa.select(Cycle).where(sa.or_(Cycle.ref == ref, Cycle.id == int(ref)))
        cycle = session.scalar(query)
    if cycle is None:
        shown = ref[:40]  # echo enough to recognise, not a megabyte of garbage
        raise NotFound(f"no cycle {shown!r}", f"Không có kỳ chi trả {shown!r}.")
    return cycle
