"""The migrations build exactly what the models declare, and each one can be undone and redone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from gateway.db import make_engine
from gateway.migrate import alembic_config
from gateway.models import Base
from tests.support.services import database_url_for_worker

pytestmark = pytest.mark.db


def test_the_migrated_schema_is_what_the_models_declare(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def _snapshot(engine: sa.Engine) -> dict[str, Any]:
    """Describe every table: columns in order, keys, constraints, indexes and rows."""
    described: dict[str, Any] = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in sorted(inspector.get_table_names()):
            described[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"))
                            for c in inspector.get_columns(table)],
                "primary_key": inspector.get_pk_constraint(table),
                "foreign_keys": sorted(
                    (fk["name"], fk["constrained_columns"], fk["referred_table"],
                     fk["referred_columns"], fk["options"].get("ondelete"))
                    for fk in inspector.get_foreign_keys(table)),
                "unique": sorted((u["name"], u["column_names"])
                                 for u in inspector.get_unique_constraints(table)),
                "checks": sorted((c["name"], c["sqltext"])
                                 for c in inspector.get_check_constraints(table)),
                "indexes": sorted(
                    (i["name"], i["column_names"], i["unique"],
                     str(i.get("dialect_options", {}).get(f"{engine.dialect.name}_where")))
                    for i in inspector.get_indexes(table)),
                "rows": sorted(repr(tuple(row))
                               for row in conn.execute(sa.text(f'SELECT * FROM "{table}"'))),
            }
    return described


@pytest.mark.slow
def test_each_migration_undoes_to_the_schema_before_it_and_redoes(
        worker_id: str, tmp_path: Path) -> None:
    with database_url_for_worker(f"{worker_id}_steps", str(tmp_path)) as url:
        config = alembic_config(url)
        revisions = [s.revision for s in
                     reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]
        engine = make_engine(url)
        try:
            command.downgrade(config, "base")
            before = {"base": _snapshot(engine)}
            for revision in revisions:
                command.upgrade(config, revision)
                before[revision] = _snapshot(engine)
            assert set(before["base"]) == {"alembic_version"}
            assert set(before[revisions[-1]]) == set(Base.metadata.tables) | {"alembic_version"}
            for previous, revision in reversed(list(zip(["base", *revisions], revisions,
                                                        strict=False))):
                command.downgrade(config, previous)
                assert _snapshot(engine) == before[previous], f"downgrade of {revision}"
            for revision in revisions:
                command.upgrade(config, revision)
                assert _snapshot(engine) == before[revision], f"upgrade to {revision} again"
        finally:
            engine.dispose()
