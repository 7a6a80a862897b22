"""FastRead: the hot path's SELECTs on the driver's cursor give what SQLAlchemy would give."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from gateway.channels import port
from gateway.db import Database, FastRead, get_db
from gateway.pii.codec import get_pii
from gateway.registry.models import Beneficiary
from tests.channels.test_ussd import AN, make_caregiver, pay
from tests.support.scenario import add_people, due_cycle
from tests.support.ussd import give_pin


def _core(db: Database, statement: sa.Select, params: dict) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(statement, params)]


def test_rows_equal_sqlalchemys_with_the_same_types(app: Flask) -> None:
    ids = due_cycle(app, names=["an", "binh"])
    pay(app, ids[0])
    give_pin(app, AN, "5938")
    db = get_db(app)
    digest = get_pii(app).phone_index(AN)
    with db.sessionmaker() as s:
        refs = list(s.scalars(sa.select(Beneficiary.ref).order_by(Beneficiary.id)))
    make_caregiver(app, refs[1:], phone=AN)  # An's phone now also receives for Binh
    cases = [(port._PEOPLE_BY_PHONE, {"digest": digest}),
             (port._PEOPLE_BY_PHONE, {"digest": "no such digest"})]
    cases += [(port._LATEST_BY_REF, {"ref": ref}) for ref in [*refs, "nope"]]
    cases += [(port._PIN_STATUS_BY_REF, {"ref": ref}) for ref in [*refs, "nope"]]
    seen_dates = seen_bools = 0
    for fast, params in cases:
        got = fast.rows(db, params)
        assert got == _core(db, fast._statement, params)
        for row in got:
            seen_dates += sum(type(v) is date for v in row)
            seen_bools += sum(type(v) is bool for v in row)
    assert len(port._PEOPLE_BY_PHONE.rows(db, {"digest": digest})) == 2
    assert seen_dates >= 4 and seen_bools >= 4  # dates and flags came back typed, not as text


def test_each_read_sees_what_was_just_committed(app: Flask) -> None:
    refs = add_people(app, ["an"])
    db = get_db(app)
    read = FastRead(sa.select(Beneficiary.status).where(Beneficiary.ref == sa.bindparam("ref")))
    for status in ("suspended", "active", "suspended"):
        with db.session() as s:
            s.execute(sa.update(Beneficiary).values(status=status))
        # Autocommit: no snapshot lingers on the kept connection from the read before.
        assert read.rows(db, {"ref": refs["an"]}) == [(status,)]


def test_a_failed_read_gives_its_connection_back(app: Flask) -> None:
    db = get_db(app)
    read = FastRead(sa.select(Beneficiary.id).where(Beneficiary.ref == sa.bindparam("ref")))
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own type
        read.rows(db, {"ref": object()})  # a value no driver can bind
    assert db.reads.pool.checkedout() == 0
    assert read.rows(db, {"ref": "nope"}) == []


def test_a_read_on_a_dead_connection_is_retried_on_a_new_one(app: Flask) -> None:
    refs = add_people(app, ["an"])
    db = get_db(app)
    read = FastRead(sa.select(Beneficiary.ref).where(Beneficiary.ref == sa.bindparam("ref")))
    assert read.rows(db, {"ref": refs["an"]}) == [(refs["an"],)]
    raw = db.reads.raw_connection()  # the one pooled connection the read used
    if db.reads.dialect.name == "postgresql":
        pid = raw.driver_connection.info.backend_pid
        with db.engine.connect() as admin:  # as a server restart or an idle timeout would
            assert admin.scalar(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    else:
        raw.driver_connection.close()
    raw.close()
    assert db.reads.pool.checkedin() == 1
    assert read.rows(db, {"ref": refs["an"]}) == [(refs["an"],)]
    assert read.rows(db, {"ref": refs["an"]}) == [(refs["an"],)]
