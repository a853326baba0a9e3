"""Alembic glue: the migration scripts shipped in this package, and running them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(connection: sa.Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    """The shipped migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest revision among the shipped scripts."""
    head = script_directory().get_current_head()
    assert head is not None, "the shipped migrations have no head revision"
    return head


def known_revisions() -> set[str]:
    """Every revision the shipped scripts know."""
    return {script.revision for script in script_directory().walk_revisions()}


def current_revision(connection: sa.Connection) -> str | None:
    """The revision a database is stamped with, or None for an unstamped database."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: sa.Connection, revision: str = "head") -> None:
    """Apply the shipped migrations on ``connection`` up to ``revision``."""
    from alembic import command

    command.upgrade(_config(connection), revision)


def stamp(connection: sa.Connection, revision: str) -> None:
    """Record ``revision`` as the database's schema version without running migrations."""
    from alembic.migration import MigrationContext

    MigrationContext.configure(connection).stamp(script_directory(), revision)
