"""Building blocks of the migrations, so that each one reads as the list of what it creates.

Names follow ``gateway.db.NAMING`` and are given final (``op.f``), so the schema a migration
builds does not depend on the naming convention of the day. A later migration uses them so:

    from gateway.migrations import schema as ddl   # as 0001-0011 do, next to sa and op

    def upgrade() -> None:
        ddl.create_table(
            "thing", ddl.key(), ddl.ref(), ddl.refers("cycle_id", "cycle", null=True),
            ddl.string("status", 10), *ddl.timestamps(),
            checks=[ddl.one_of("status", "open", "closed")],
            unique=["ref"], indexes=["cycle_id"])

    def downgrade() -> None:
        ddl.drop_tables("thing")

A table's constraints come in the order autogenerate wrote them (CHECKs, foreign keys sorted
by column, primary key, UNIQUEs as listed), so SQLite stores the same CREATE TABLE text.

Columns: ``key`` (the ``id``), ``ref`` (the public reference), ``column`` (any type),
``string``, ``text``, ``moment``, ``integers``/``moments`` (several alike at once), ``actor``
(who did it), ``signed`` (``<verb>_by`` and ``<verb>_at``), ``timestamps``,
``sealed``/``blind_index`` (an encrypted personal field and its search index) and ``refers``
(an integer foreign key to ``<table>.id``). Table parts: ``one_of``/``check`` (CHECK
constraints), ``index`` (a named, unique or partial index), ``create_indexes``/``drop_indexes``
(all of a table's indexes in one call, e.g. when adding some to an existing table),
``create_table`` and ``drop_tables``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import op

_REFERS = "refers"


def column(name: str, type_: Any, *, null: bool = False, **kw: Any) -> sa.Column[Any]:
    """Return a column of this type, NOT NULL unless ``null``."""
    return sa.Column(name, type_, nullable=null, **kw)


def key(*, big: bool = False, autoincrement: bool | str = "auto") -> sa.Column[Any]:
    """Return the ``id`` primary-key column (64-bit on PostgreSQL when ``big``)."""
    type_ = sa.BigInteger().with_variant(sa.Integer(), "sqlite") if big else sa.Integer()
    return column("id", type_, autoincrement=autoincrement)


def ref() -> sa.Column[Any]:
    """Return the ``ref`` column: the public reference (list "ref" in ``unique=``)."""
    return string("ref", 32)


def string(name: str, length: int, *, null: bool = False) -> sa.Column[Any]:
    """Return a VARCHAR column of this length."""
    return column(name, sa.String(length=length), null=null)


def text(name: str, *, null: bool = False) -> sa.Column[Any]:
    """Return a TEXT column."""
    return column(name, sa.Text(), null=null)


def moment(name: str, *, null: bool = False) -> sa.Column[Any]:
    """Return a (naive UTC) DATETIME column."""
    return column(name, sa.DateTime(), null=null)


def integers(*names: str, null: bool = False, type_: Any = None) -> list[sa.Column[Any]]:
    """Return one INTEGER column (or ``type_``) per name, in order."""
    return [column(n, type_ if type_ is not None else sa.Integer(), null=null) for n in names]


def moments(*names: str, null: bool = False) -> list[sa.Column[Any]]:
    """Return one DATETIME column per name, in order."""
    return [moment(n, null=null) for n in names]


def actor(name: str = "actor", *, null: bool = False) -> sa.Column[Any]:
    """Return a column naming who acted (an API key name or an officer)."""
    return string(name, 64, null=null)


def signed(*verbs: str) -> list[sa.Column[Any]]:
    """Return the optional ``<verb>_by`` and ``<verb>_at`` columns of each step, in order."""
    return [c for v in verbs for c in (actor(f"{v}_by", null=True), moment(f"{v}_at", null=True))]


def timestamps() -> list[sa.Column[Any]]:
    """Return the ``created_at`` and ``updated_at`` columns."""
    return moments("created_at", "updated_at")


def sealed(field: str, *, null: bool = False, searchable: bool = False) -> list[sa.Column[Any]]:
    """Return ``<field>_enc`` (the ciphertext) and, if ``searchable``, its blind index after it."""
    columns = [text(f"{field}_enc", null=null)]
    return columns + [blind_index(field, null=null)] if searchable else columns


def blind_index(field: str, *, null: bool = False) -> sa.Column[Any]:
    """Return ``<field>_bidx``: the keyed hash that finds a sealed field without decrypting it."""
    return string(f"{field}_bidx", 32, null=null)


def refers(name: str, table: str, *, null: bool = False,
           ondelete: str | None = None) -> sa.Column[Any]:
    """Return an integer column referring to ``table.id`` (its constraint comes with the table)."""
    return column(name, sa.Integer(), null=null, info={_REFERS: (table, ondelete)})


def check(name: str, condition: str) -> tuple[str, str]:
    """Return the CHECK constraint ``ck_<table>_<name>`` on this SQL condition."""
    return name, condition


def one_of(name: str, *values: str) -> tuple[str, str]:
    """Return the CHECK constraint that keeps column ``name`` within these values."""
    return check(name, f"{name} IN ({', '.join(repr(v) for v in values)})")


@dataclass(frozen=True)
class Index:
    """A named index, possibly unique or partial (``where`` applies on both dialects)."""

    name: str
    columns: Sequence[str]
    unique: bool = False
    where: str | None = None


def index(name: str, *columns: str, unique: bool = False, where: str | None = None) -> Index:
    """Return a named index over these columns (for ``indexes=`` or ``create_indexes``)."""
    return Index(name, columns, unique, where)


def _index(table: str, spec: str | Index) -> Index:
    return spec if isinstance(spec, Index) else Index(f"ix_{table}_{spec}", [spec])


def create_indexes(table: str, specs: Iterable[str | Index]) -> None:
    """Create the table's indexes: a column name means the plain ``ix_<table>_<column>``."""
    for spec in (_index(table, s) for s in specs):
        where = {} if spec.where is None else {
            "sqlite_where": sa.text(spec.where), "postgresql_where": sa.text(spec.where)}
        op.create_index(op.f(spec.name), table, list(spec.columns), unique=spec.unique, **where)


def drop_indexes(table: str, specs: Iterable[str | Index]) -> None:
    """Drop the indexes ``create_indexes`` made from the same specs, newest first."""
    for spec in reversed([_index(table, s) for s in specs]):
        op.drop_index(op.f(spec.name), table_name=table)


def create_table(name: str, *columns: sa.Column[Any] | list[sa.Column[Any]],
                 checks: Iterable[tuple[str, str]] = (),
                 unique: Iterable[str | Sequence[str]] = (),
                 indexes: Iterable[str | Index] = (), primary_key: str = "id") -> None:
    """Create a table from its columns, then its constraints and indexes, all named by NAMING."""
    flat = [c for part in columns for c in (part if isinstance(part, list) else [part])]
    foreign = sorted((c for c in flat if _REFERS in c.info), key=lambda c: c.name)
    op.create_table(
        name, *flat,
        *(sa.CheckConstraint(sql, name=op.f(f"ck_{name}_{ck}")) for ck, sql in checks),
        *(sa.ForeignKeyConstraint(
            [c.name], [f"{c.info[_REFERS][0]}.id"],
            name=op.f(f"fk_{name}_{c.name}_{c.info[_REFERS][0]}"),
            ondelete=c.info[_REFERS][1]) for c in foreign),
        sa.PrimaryKeyConstraint(primary_key, name=op.f(f"pk_{name}")),
        *(_unique(name, [u] if isinstance(u, str) else list(u)) for u in unique),
    )
    create_indexes(name, indexes)


def _unique(table: str, columns: list[str]) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{columns[0]}"))


def drop_tables(*names: str) -> None:
    """Drop these tables (and with them their indexes), in the order given."""
    for name in names:
        op.drop_table(name)
