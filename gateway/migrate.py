"""Run and inspect the Alembic migrations that ship inside the package."""

from __future__ import annotations

from importlib.resources import files

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory


def alembic_config(url: str) -> Config:
    """Return an Alembic config for the packaged migrations and this database URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("gateway") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """Return the newest migration revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    """Return the revision the database is at (None if never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
