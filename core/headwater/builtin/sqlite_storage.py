"""Built-in plugin: SQL storage for SQLite (the embedded default) and PostgreSQL.

Both backends are the same `SqlStorage` class: the schema and queries are shared, and only
the engine set-up differs by URL scheme. PostgreSQL needs a driver (``psycopg`` or
``psycopg2``) installed; SQLAlchemy names the missing one if it is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from headwater.hookspecs import hookimpl

if TYPE_CHECKING:
    from headwater.storage.sql import SqlStorage


class SqlStorageBackend:
    """A storage backend factory: call it with a URL to open a `SqlStorage`.

    Attributes:
        name: the registered name.
        url_schemes: the URL schemes this backend opens.
    """

    def __init__(self, name: str, url_schemes: tuple[str, ...]):
        self.name = name
        self.url_schemes = url_schemes

    def __call__(self, url: str, *, check_schema: bool = True) -> SqlStorage:
        from headwater.storage.sql import SqlStorage

        return SqlStorage(url, check_schema=check_schema)

    def __repr__(self) -> str:
        return f"SqlStorageBackend({self.name!r}, url_schemes={self.url_schemes!r})"


@hookimpl(trylast=True)
def register_storage_backends() -> Mapping[str, object]:
    return {
        "sqlite": SqlStorageBackend("sqlite", ("sqlite",)),
        "postgresql": SqlStorageBackend("postgresql", ("postgresql", "postgres")),
    }
