"""Engines and transactions: one code path for SQLite and server databases.

SQLite gets what concurrent use by several processes needs: WAL journal (readers never block
the writer), a 30 s busy timeout on every connection, ``synchronous=NORMAL`` (durable at
checkpoints, safe against corruption), and ``BEGIN IMMEDIATE`` for write transactions so a
writer takes the write lock up front and queues on the busy timeout, instead of failing with
"database is locked" when a read lock cannot be upgraded mid-transaction.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from headwater.errors import MigrationError, StorageError
from headwater.storage import migrate, schema

BUSY_TIMEOUT_SECONDS = 30.0
_WRITE = "headwater_write"
_VERSION_TABLE = "alembic_version"  # alembic's default, which migrate.py uses


def _is_memory(url: sa.URL) -> bool:
    return url.database in (None, "", ":memory:") or (url.query.get("mode") == "memory")


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url`` configured for headwater's transaction discipline."""
    if url.startswith("postgres://"):
        # SQLAlchemy only knows the long scheme name; many hosting services hand out the short.
        url = "postgresql://" + url[len("postgres://") :]
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StorageError(f"Storage URL {url!r} is not a valid database URL: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    if _is_memory(parsed):
        # One shared connection, so every thread sees the same in-memory database.
        engine = sa.create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
        )
    _configure_sqlite(engine, memory=_is_memory(parsed))
    return engine


def _configure_sqlite(engine: sa.Engine, *, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Let us issue BEGIN ourselves (the driver would otherwise defer it and never
        # take the write lock up front).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        if not memory:
            _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Statement journals (opened by multi-row and upsert statements inside a transaction)
        # are scratch space with no role in crash safety; in memory they save a temp file
        # per statement (measured: ~0.1 ms of a ~0.35 ms step write).
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        # Straight to the driver: BEGIN needs no statement compilation or result handling,
        # and this runs once per transaction.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def _enable_wal(cursor: Any) -> None:
    # Switching a new database to WAL needs an exclusive lock. When another process opens
    # the same new file at the same moment, SQLite may refuse at once ("database is
    # locked") instead of waiting on the busy timeout, to avoid a deadlock between lock
    # upgrades; the statement holds no lock once it fails, so trying again is safe.
    import sqlite3

    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


# CREATE TABLE / CREATE INDEX statements per dialect, compiled once per process: every new
# database (each test's temporary instance, say) would otherwise recompile them all.
_SCHEMA_DDL: dict[tuple[str, Any], list[str]] = {}


def _create_schema(conn: sa.Connection) -> None:
    """Create every table and index of the schema in an empty database."""
    dialect = conn.dialect
    cache_key = (dialect.name, dialect.server_version_info)
    statements = _SCHEMA_DDL.get(cache_key)
    if statements is None:
        from sqlalchemy.schema import CreateIndex, CreateTable

        schema.prepare_for_dialect(dialect.name)
        statements = []
        for table in schema.metadata.sorted_tables:
            statements.append(str(CreateTable(table).compile(dialect=dialect)))
            for index in sorted(table.indexes, key=lambda index: str(index.name)):
                statements.append(str(CreateIndex(index).compile(dialect=dialect)))
        _SCHEMA_DDL[cache_key] = statements
    for statement in statements:
        conn.exec_driver_sql(statement)


def _stamped_with_head(conn: sa.Connection) -> bool:
    # Every open of a current database takes this path: one small query instead of
    # importing alembic (hundreds of milliseconds) just to read the stamp.
    if not conn.dialect.has_table(conn, _VERSION_TABLE):
        return False
    rows = conn.execute(sa.text(f"SELECT version_num FROM {_VERSION_TABLE}")).all()
    return [row[0] for row in rows] == [schema.HEAD_REVISION]


class Database:
    """An engine plus the transaction helpers every storage method uses."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        self.dialect = self.engine.dialect.name
        # An in-memory SQLite database is one connection shared by all threads; serialise
        # its use so one thread's transaction never interleaves with another's.
        self._lock: threading.RLock | None = None
        if self.dialect == "sqlite" and _is_memory(self.engine.url):
            self._lock = threading.RLock()
        # SQLite connections run in driver autocommit mode (see `_configure_sqlite`), so a
        # driver-level write transaction is begun explicitly; server drivers begin implicitly.
        self._begin_sql: str | None = "BEGIN IMMEDIATE" if self.dialect == "sqlite" else None

    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reads (a deferred transaction, rolled back at the end)."""
        with self._locked(), self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction, committed on success, rolled back on error."""
        with (
            self._locked(),
            self.engine.connect() as conn,
            conn.execution_options(**{_WRITE: True}).begin(),
        ):
            yield conn

    @contextlib.contextmanager
    def driver_write(self) -> Iterator[Any]:
        """A driver (DBAPI) cursor in a write transaction, committed on success.

        For hot write paths: the same transaction discipline as `write` (``BEGIN IMMEDIATE``
        on SQLite; servers begin implicitly), without SQLAlchemy's connection, transaction
        and result machinery. Statements must be driver SQL in the dialect's paramstyle.
        """
        with self._locked():
            dbapi_connection = self.engine.raw_connection()
            try:
                cursor = dbapi_connection.cursor()
                if self._begin_sql is not None:
                    cursor.execute(self._begin_sql)
                try:
                    yield cursor
                except BaseException:
                    dbapi_connection.rollback()
                    raise
                dbapi_connection.commit()
            finally:
                dbapi_connection.close()  # back to the pool

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock is None:
            yield
        else:
            with self._lock:
                yield

    def ensure_schema(self) -> None:
        """Create the schema in a new database, or check an existing one is current.

        Raises:
            MigrationError: the database is older than this headwater (run
                ``Instance.upgrade()``), newer, or not a headwater database.
        """
        with self.write() as conn:
            if _stamped_with_head(conn):
                return
            revision = migrate.current_revision(conn)
            if revision == schema.HEAD_REVISION:
                return
            if revision is None:
                existing = set(sa.inspect(conn).get_table_names())
                known = {table.name for table in schema.metadata.sorted_tables}
                if existing & known:
                    raise MigrationError(
                        f"The database at {self.describe()} has headwater tables "
                        f"({', '.join(sorted(existing & known))}) but no schema revision. "
                        "It was not created by headwater or its alembic_version table was "
                        "dropped; restore it from a backup or point the instance at a new "
                        "database."
                    )
                _create_schema(conn)
                migrate.stamp(conn, schema.HEAD_REVISION)
                return
        self._raise_for_revision(revision)

    def _raise_for_revision(self, revision: str) -> None:
        if revision in migrate.known_revisions():
            raise MigrationError(
                f"The database at {self.describe()} has schema revision {revision!r}; this "
                f"headwater needs {schema.HEAD_REVISION!r}. Back it up, then run "
                "`Instance.get().upgrade()` (or `headwater instance migrate`)."
            )
        raise MigrationError(
            f"The database at {self.describe()} has schema revision {revision!r}, which this "
            f"headwater does not know (it knows up to {schema.HEAD_REVISION!r}). It was "
            "probably written by a newer headwater: upgrade headwater, or point the instance "
            "at another database."
        )

    def upgrade(self) -> tuple[str | None, str]:
        """Apply pending migrations; returns (revision before, revision after)."""
        with self.write() as conn:
            before = migrate.current_revision(conn)
            if before is not None and before not in migrate.known_revisions():
                self._raise_for_revision(before)
            migrate.upgrade(conn)
            after = migrate.current_revision(conn)
        assert after is not None
        return before, after

    def revision(self) -> str | None:
        """The database's schema revision."""
        with self.read() as conn:
            return migrate.current_revision(conn)

    def describe(self) -> str:
        """The URL with any password hidden."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
