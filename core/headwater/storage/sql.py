"""`SqlStorage`: runs, the event log and the asset indexes in one SQL database.

Every write is one transaction. `store_events` appends a batch of events with a single
multi-row insert and updates the run row, the asset indexes and the check executions the
batch touches in the same transaction, so readers never see an event without its index
update (or the reverse). The event insert and the index upserts run as driver SQL compiled
once per dialect; a batch that touches nothing else (a step boundary) commits on a bare DBAPI
transaction without SQLAlchemy's connection machinery.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from headwater._serde import deserialize_value, serialize_value
from headwater.definitions.keys import AssetKey
from headwater.errors import InvariantViolationError
from headwater.events.assets import CODE_VERSION_TAG, DATA_VERSION_TAG
from headwater.events.codec import encode_entry
from headwater.events.data import AssetWipedData
from headwater.events.log import RUNLESS_JOB_NAME, RUNLESS_RUN_ID, DagsterEvent, EventLogEntry
from headwater.events.types import RUN_EVENT_STATUS, DagsterEventType
from headwater.storage import check_executions, index_repair, partition_status, schema
from headwater.storage.engine import Database
from headwater.storage.runs import (
    FINISHED_STATUSES,
    PARTITION_RANGE_END_TAG,
    PARTITION_RANGE_START_TAG,
    PARTITION_TAG,
    DagsterRun,
    DagsterRunStatus,
    RunRecord,
    RunsFilter,
)
from headwater.storage.sql_kv import KeyValueStore
from headwater.storage.sql_reads import AssetQueries, EntryCache, key_string, newer

_MAT = DagsterEventType.ASSET_MATERIALIZATION.value
_OBS = DagsterEventType.ASSET_OBSERVATION.value
_PLANNED = DagsterEventType.ASSET_MATERIALIZATION_PLANNED.value
_FAILED = DagsterEventType.ASSET_FAILED_TO_MATERIALIZE.value
_CHECK_PLANNED = DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED.value
_CHECK_EVAL = DagsterEventType.ASSET_CHECK_EVALUATION.value
_RUN_STATUS = {event_type.value: status for event_type, status in RUN_EVENT_STATUS.items()}
_FINISHED = {status.value for status in FINISHED_STATUSES}
# Rows per multi-row INSERT: 7 parameters each stays far below every driver's limit.
_INSERT_CHUNK = 500
_EVENT_COLUMNS = ("run_id", "timestamp", "event_type", "step_key", "asset_key", "partition", "body")


class SqlStorage(AssetQueries, KeyValueStore):
    """Runs, events and indexes in one database reached through SQLAlchemy.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path``, ``sqlite://`` for memory,
            ``postgresql://...``). The schema is created on first use.
        check_schema: refuse a database whose schema is not current (False only to
            migrate it with `upgrade`).

    Raises:
        MigrationError: the database's schema is not the one this headwater writes.
    """

    def __init__(self, url: str, *, check_schema: bool = True):
        self._db = Database(url)
        if check_schema:
            try:
                self._db.ensure_schema()
            except BaseException:
                self._db.dispose()
                raise
        self._upsert = _upsert_factory(self._db.dialect)
        self._statements: dict[Any, Any] = {}
        self._cache = EntryCache()

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._db.url

    @property
    def database(self) -> Database:
        """The engine and transaction helpers (for plugins that add their own tables)."""
        return self._db

    def upgrade(self) -> tuple[str | None, str]:
        """Apply pending schema migrations; returns (revision before, revision after)."""
        return self._db.upgrade()

    def schema_revision(self) -> str | None:
        """The alembic revision the database is stamped with."""
        return self._db.revision()

    def dispose(self) -> None:
        """Close the storage's connections."""
        self._db.dispose()

    # -- runs ---------------------------------------------------------------------------------

    def add_run(
        self,
        run: DagsterRun,
        events: Sequence[EventLogEntry] = (),
        in_progress: Mapping[AssetKey, Any] | None = None,
    ) -> DagsterRun:
        """Insert a new run, and ``events`` (its planned events) in the same transaction.

        ``in_progress`` maps asset keys to the `PartitionsSubset` the run targets; those
        partitions read as in progress until the run ends.

        Raises:
            InvariantViolationError: a run with the same id exists.
        """
        now = time.time()
        ids: list[int] = []
        with self._db.write() as conn:
            exists = conn.execute(
                sa.select(schema.runs.c.id).where(schema.runs.c.run_id == run.run_id)
            ).first()
            if exists is not None:
                raise InvariantViolationError(
                    f"A run with id {run.run_id!r} already exists; pick another run id."
                )
            conn.execute(schema.runs.insert().values(**_run_row(run, now)))
            if run.tags:
                conn.execute(
                    schema.run_tags.insert(),
                    [{"run_id": run.run_id, "key": k, "value": v} for k, v in run.tags.items()],
                )
            if events:
                rows = [_event_row(entry) for entry in events]
                ids = self._write_changes(conn, rows, _IndexChanges(events), None)
            if in_progress:
                targets = {key_string(key): subset for key, subset in in_progress.items()}
                partition_status.start_run(
                    conn,
                    run.run_id,
                    targets,
                    {key: subset.partitions_def for key, subset in targets.items()},
                )
        for storage_id, entry in zip(ids, events):
            self._cache.put(storage_id, entry)
        return run

    def get_run_records(
        self,
        filters: RunsFilter | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> list[RunRecord]:
        """Runs matching ``filters``, newest first unless ``ascending``.

        ``cursor`` is a run id: the page starts after that run.
        """
        runs = schema.runs
        query = sa.select(runs).where(*self._run_conditions(filters))
        if cursor is not None:
            cursor_id = sa.select(runs.c.id).where(runs.c.run_id == cursor).scalar_subquery()
            query = query.where(runs.c.id > cursor_id if ascending else runs.c.id < cursor_id)
        query = query.order_by(runs.c.id.asc() if ascending else runs.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._db.read() as conn:
            return [_run_record(row) for row in conn.execute(query)]

    def get_runs(
        self,
        filters: RunsFilter | None = None,
        cursor: str | None = None,
        limit: int | None = None,
        ascending: bool = False,
    ) -> list[DagsterRun]:
        """Runs matching ``filters``, newest first unless ``ascending``."""
        records = self.get_run_records(filters, limit=limit, cursor=cursor, ascending=ascending)
        return [record.dagster_run for record in records]

    def get_runs_count(self, filters: RunsFilter | None = None) -> int:
        """How many runs match ``filters``."""
        query = sa.select(sa.func.count()).select_from(schema.runs)
        query = query.where(*self._run_conditions(filters))
        with self._db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def get_run_by_id(self, run_id: str) -> DagsterRun | None:
        """The run with this id, or None."""
        records = self.get_run_records(RunsFilter(run_ids=[run_id]), limit=1)
        return records[0].dagster_run if records else None

    def has_run(self, run_id: str) -> bool:
        """Whether a run with this id exists."""
        query = sa.select(schema.runs.c.id).where(schema.runs.c.run_id == run_id)
        with self._db.read() as conn:
            return conn.execute(query).first() is not None

    def delete_run(self, run_id: str) -> None:
        """Delete a run, its tags, events and check executions, in one transaction.

        The asset and partition indexes the run's events fed fall back to the newest
        remaining events, in the same transaction.
        """
        with self._db.write() as conn:
            index_repair.delete_run(conn, run_id)

    def add_run_tags(self, run_id: str, new_tags: Mapping[str, str]) -> None:
        """Add or replace tags on an existing run."""
        runs, run_tags = schema.runs, schema.run_tags
        with self._db.write() as conn:
            row = conn.execute(sa.select(runs.c.tags).where(runs.c.run_id == run_id)).first()
            if row is None:
                raise InvariantViolationError(f"Cannot tag run {run_id!r}: no such run.")
            tags = {**json.loads(row.tags), **new_tags}
            conn.execute(
                runs.update()
                .where(runs.c.run_id == run_id)
                .values(tags=json.dumps(tags), update_timestamp=time.time())
            )
            conn.execute(
                run_tags.delete().where(
                    run_tags.c.run_id == run_id, run_tags.c.key.in_(list(new_tags))
                )
            )
            conn.execute(
                run_tags.insert(),
                [{"run_id": run_id, "key": k, "value": v} for k, v in new_tags.items()],
            )

    def _run_conditions(self, filters: RunsFilter | None) -> list[Any]:
        if filters is None:
            return []
        if not isinstance(filters, RunsFilter):
            example = (
                f"RunsFilter(**{filters!r})" if isinstance(filters, Mapping) else "RunsFilter(...)"
            )
            raise TypeError(
                f"filters must be a RunsFilter, got {type(filters).__name__} {filters!r}; "
                f"pass {example}."
            )
        runs, run_tags = schema.runs, schema.run_tags
        conditions: list[Any] = []
        if filters.run_ids is not None:
            conditions.append(runs.c.run_id.in_(list(filters.run_ids)))
        if filters.job_name is not None:
            conditions.append(runs.c.job_name == filters.job_name)
        if filters.statuses is not None:
            conditions.append(runs.c.status.in_([status.value for status in filters.statuses]))
        for key, value in filters.tags.items():
            values = [value] if isinstance(value, str) else list(value)
            conditions.append(
                runs.c.run_id.in_(
                    sa.select(run_tags.c.run_id).where(
                        run_tags.c.key == key, run_tags.c.value.in_(values)
                    )
                )
            )
        for column, bound, op in (
            (runs.c.create_timestamp, filters.created_after, "gt"),
            (runs.c.create_timestamp, filters.created_before, "lt"),
            (runs.c.update_timestamp, filters.updated_after, "gt"),
            (runs.c.update_timestamp, filters.updated_before, "lt"),
        ):
            if bound is not None:
                seconds = bound.timestamp() if hasattr(bound, "timestamp") else float(bound)
                conditions.append(column > seconds if op == "gt" else column < seconds)
        return conditions

    # -- events -------------------------------------------------------------------------------

    def store_event(self, entry: EventLogEntry) -> int:
        """Store one event; returns its storage id."""
        return self.store_events([entry])[0]

    def store_events(
        self,
        entries: Sequence[EventLogEntry],
        partitions_defs: Mapping[AssetKey, Any] | None = None,
    ) -> list[int]:
        """Append ``entries`` in one transaction and update runs and indexes with them.

        ``partitions_defs`` gives the partitions definitions of the assets the entries
        concern, so their partition status rows are updated in the same transaction; rows of
        partitioned assets without one are marked for a rebuild on their next read.

        Returns:
            The storage ids of the entries, in order. Ids increase in commit order, so a
            run's events (written by one coordinator) read back in the order written.
        """
        if not entries:
            return []
        rows = [_event_row(entry) for entry in entries]
        changes = _IndexChanges(entries)
        if changes.needs_connection:
            with self._db.write() as conn:
                ids = self._write_changes(conn, rows, changes, partitions_defs)
        else:
            # The common batch (a step boundary) only appends events and moves "latest"
            # pointers: driver SQL on a bare DBAPI transaction, a fraction of the cost.
            with self._db.driver_write() as cursor:
                ids = self._write_batch(cursor, rows, changes)
        put = self._cache.put
        for storage_id, entry in zip(ids, entries):
            put(storage_id, entry)
        for position, entry in changes.rewritten.items():
            put(ids[position], entry)
        return ids

    def _write_changes(
        self,
        conn: sa.Connection,
        rows: list[tuple[Any, ...]],
        changes: _IndexChanges,
        partitions_defs: Mapping[AssetKey, Any] | None,
    ) -> list[int]:
        """`_write_batch`, then the updates that need a SQLAlchemy connection."""
        ids = self._write_batch(_driver_cursor(conn), rows, changes)
        for run_id, values in changes.runs.items():
            conn.execute(
                schema.runs.update().where(schema.runs.c.run_id == run_id).values(**values)
            )
        if changes.status_changes:
            defs = {key_string(key): pdef for key, pdef in (partitions_defs or {}).items()}
            partition_status.apply_changes(conn, changes.status_changes, defs)
        finished = [
            run_id for run_id, values in changes.runs.items() if values["status"] in _FINISHED
        ]
        if finished:
            partition_status.finish_runs(conn, finished)
        for position, entry in changes.checks:
            stored = check_executions.record_check_event(conn, entry, ids[position])
            if stored is not None:
                changes.rewritten[position] = stored
        return ids

    def _write_batch(
        self, cursor: Any, rows: list[tuple[Any, ...]], changes: _IndexChanges
    ) -> list[int]:
        """Insert the event rows and upsert the asset and partition indexes, on ``cursor``."""
        ids = self._insert_events(cursor, rows)
        for kind, batch in changes.assets.items():
            if batch:
                sql, names = self._asset_upsert(kind)
                self._execute(cursor, sql, names, batch.values(), ids)
        for kind, batch in changes.partitions.items():
            if batch:
                sql, names = self._partition_upsert(kind)
                self._execute(cursor, sql, names, batch.values(), ids)
        return ids

    @staticmethod
    def _execute(
        cursor: Any,
        sql: str,
        names: tuple[str, ...] | None,
        rows: Iterable[dict[str, Any]],
        ids: Sequence[int],
    ) -> None:
        # ``event_id`` holds the event's position in the batch until the ids are known.
        params = [{**row, "event_id": ids[row["event_id"]]} for row in rows]
        if names is not None:
            params = [tuple(row[name] for name in names) for row in params]  # type: ignore[misc]
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)

    def _insert_events(self, cursor: Any, rows: list[tuple[Any, ...]]) -> list[int]:
        # One multi-row INSERT per chunk, as driver SQL cached per row count. Ids come from an
        # autoincrement column assigned in row order within one statement of a write
        # transaction, so sorting the returned ids restores the order of ``rows``
        # (RETURNING itself does not promise an order).
        ids: list[int] = []
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[start : start + _INSERT_CHUNK]
            cursor.execute(
                self._insert_events_sql(len(chunk)), [value for row in chunk for value in row]
            )
            ids.extend(sorted(row[0] for row in cursor.fetchall()))
        return ids

    def _insert_events_sql(self, n_rows: int) -> str:
        sql = self._statements.get(("insert_events", n_rows))
        if sql is None:
            dialect = self._db.engine.dialect
            quote = dialect.identifier_preparer.quote
            marker = "?" if dialect.paramstyle == "qmark" else "%s"
            values = "(" + ", ".join([marker] * len(_EVENT_COLUMNS)) + ")"
            sql = (
                f"INSERT INTO {quote(schema.events.name)} "
                f"({', '.join(quote(column) for column in _EVENT_COLUMNS)}) "
                f"VALUES {', '.join([values] * n_rows)} RETURNING {quote('id')}"
            )
            self._statements[("insert_events", n_rows)] = sql
        return sql

    def _driver_sql(self, statement: Any) -> tuple[str, tuple[str, ...] | None]:
        """``statement`` compiled once to driver SQL, with its parameter names in order.

        The names are None for drivers with named parameters (rows are passed as dicts).
        """
        compiled = statement.compile(dialect=self._db.engine.dialect)
        names = compiled.positiontup
        return str(compiled), tuple(names) if names is not None else None

    def _asset_upsert(self, kind: str) -> tuple[str, tuple[str, ...] | None]:
        name = f"asset_upsert_{kind}"
        found = self._statements.get(name)
        if found is not None:
            return found
        table = schema.asset_index
        param = sa.bindparam
        if kind == "planned":
            values = {
                "asset_key": param("asset_key"),
                "last_planned_event_id": param("event_id"),
                "last_planned_run_id": param("run_id"),
            }
            guard = "last_planned_event_id"
        else:
            id_column = (
                "last_materialization_event_id" if kind == "mat" else "last_observation_event_id"
            )
            values = {
                "asset_key": param("asset_key"),
                id_column: param("event_id"),
                "last_data_version": param("data_version"),
            }
            if kind == "mat":
                values["last_run_id"] = param("run_id")
                values["last_materialization_timestamp"] = param("timestamp")
                values["code_version"] = param("code_version")
            guard = id_column
        found = self._driver_sql(self._upsert(table, ["asset_key"], values, guard))
        self._statements[name] = found
        return found

    def _partition_upsert(self, kind: str) -> tuple[str, tuple[str, ...] | None]:
        name = f"partition_upsert_{kind}"
        found = self._statements.get(name)
        if found is not None:
            return found
        column = {
            "mat": "last_materialization_event_id",
            "obs": "last_observation_event_id",
            "failed": "last_failed_event_id",
        }[kind]
        values = {
            "asset_key": sa.bindparam("asset_key"),
            "partition": sa.bindparam("partition"),
            column: sa.bindparam("event_id"),
            "last_run_id": sa.bindparam("run_id"),
        }
        statement = self._upsert(
            schema.asset_partition_index, ["asset_key", "partition"], values, column
        )
        found = self._driver_sql(statement)
        self._statements[name] = found
        return found

    def wipe_assets(self, asset_keys: Iterable[AssetKey]) -> list[EventLogEntry]:
        """Clear the indexes of ``asset_keys`` and record an ASSET_WIPED event for each.

        The event history stays in the log, but materializations and observations stored
        before the wipe no longer count as an asset's latest, its partitions read as not
        materialized, and its checks' executions are forgotten.

        Returns:
            The ASSET_WIPED entries written.
        """
        keys = list(dict.fromkeys(AssetKey.from_coercible(key) for key in asset_keys))
        entries = [
            EventLogEntry.from_event(
                DagsterEvent.build(
                    DagsterEventType.ASSET_WIPED,
                    RUNLESS_JOB_NAME,
                    message=f"Wiped asset {key.to_user_string()}.",
                    event_specific_data=AssetWipedData(key),
                ),
                RUNLESS_RUN_ID,
            )
            for key in keys
        ]
        if not entries:
            return []
        index = schema.asset_index
        with self._db.write() as conn:
            rows = [_event_row(entry) for entry in entries]
            ids = self._insert_events(_driver_cursor(conn), rows)
            for key, entry, storage_id in zip(keys, entries, ids):
                stored_key = key_string(key)
                cleared = {
                    "last_materialization_event_id": None,
                    "last_materialization_timestamp": None,
                    "last_observation_event_id": None,
                    "last_planned_event_id": None,
                    "last_planned_run_id": None,
                    "last_run_id": None,
                    "last_data_version": None,
                    "wiped_event_id": storage_id,
                    "wiped_timestamp": entry.timestamp,
                }
                conn.execute(index.update().where(index.c.asset_key == stored_key).values(cleared))
                for table in (
                    schema.asset_partition_index,
                    schema.partition_status,
                    schema.check_executions,
                ):
                    conn.execute(table.delete().where(table.c.asset_key == stored_key))
        return entries


class _IndexChanges:
    """What a batch of events changes besides the log, collected before the batch has ids.

    Index rows hold the event's position in the batch as ``event_id``; `SqlStorage._execute`
    swaps in the storage id once the events are inserted.
    """

    __slots__ = ("assets", "checks", "partitions", "rewritten", "runs", "status_changes")

    def __init__(self, entries: Sequence[EventLogEntry]):
        self.runs: dict[str, dict[str, Any]] = {}
        self.assets: dict[str, dict[str, dict[str, Any]]] = {"mat": {}, "obs": {}, "planned": {}}
        self.partitions: dict[str, dict[tuple[str, str], dict[str, Any]]] = {
            "mat": {},
            "obs": {},
            "failed": {},
        }
        self.status_changes: dict[str, partition_status.StatusChanges] = {}
        self.checks: list[tuple[int, EventLogEntry]] = []
        # Positions of entries stored changed (check evaluations linked to a materialization).
        self.rewritten: dict[int, EventLogEntry] = {}
        for position, entry in enumerate(entries):
            event = entry.dagster_event
            if event is not None:
                self._collect(position, entry, event)

    @property
    def needs_connection(self) -> bool:
        """Whether some change goes through SQLAlchemy (run rows, partition status, checks)."""
        return bool(self.runs or self.status_changes or self.checks)

    def _collect(self, position: int, entry: EventLogEntry, event: DagsterEvent) -> None:
        kind = event.event_type_value
        status = _RUN_STATUS.get(kind)
        if status is not None:
            _merge_run_update(self.runs, entry, status)
        elif kind in (_MAT, _OBS):
            record = (
                event.materialization
                if kind == _MAT
                else event.asset_observation_data.asset_observation
            )
            key = key_string(record.asset_key)
            column = "mat" if kind == _MAT else "obs"
            tags = record.tags
            values = {
                "asset_key": key,
                "event_id": position,
                "run_id": entry.run_id,
                "timestamp": entry.timestamp,
                "data_version": tags.get(DATA_VERSION_TAG),
                "code_version": tags.get(CODE_VERSION_TAG),
            }
            self.assets[column][key] = values
            if record.partition is not None:
                self.partitions[column][(key, record.partition)] = {
                    **values,
                    "partition": record.partition,
                }
                if kind == _MAT:
                    self._status(key).record("mat", record.partition, entry.run_id)
        elif kind == _PLANNED:
            key = key_string(event.asset_key)  # type: ignore[arg-type]
            self.assets["planned"][key] = {
                "asset_key": key,
                "event_id": position,
                "run_id": entry.run_id,
            }
        elif kind == _FAILED and event.partition is not None:
            key = key_string(event.asset_key)  # type: ignore[arg-type]
            self.partitions["failed"][(key, event.partition)] = {
                "asset_key": key,
                "partition": event.partition,
                "event_id": position,
                "run_id": entry.run_id,
            }
            self._status(key).record("failed", event.partition, entry.run_id)
        elif kind in (_CHECK_PLANNED, _CHECK_EVAL):
            self.checks.append((position, entry))

    def _status(self, key: str) -> partition_status.StatusChanges:
        changes = self.status_changes.get(key)
        if changes is None:
            changes = self.status_changes[key] = partition_status.StatusChanges()
        return changes


def _driver_cursor(conn: sa.Connection) -> Any:
    """A DBAPI cursor inside ``conn``'s transaction, for the driver SQL of the hot paths."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _upsert_factory(dialect: str):
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        raise InvariantViolationError(
            f"headwater's SQL storage supports SQLite and PostgreSQL, not {dialect!r}."
        )

    def upsert(table: sa.Table, index: list[str], values: dict[str, Any], guard: str | None) -> Any:
        """INSERT .. ON CONFLICT DO UPDATE; with ``guard``, only when the new id is newer."""
        # inline(): no implicit RETURNING of the primary key (these run as driver SQL).
        statement = insert(table).inline().values(values)
        excluded = statement.excluded
        updates: dict[str, Any] = {}
        for name in values:
            if name in index:
                continue
            if guard is None:
                updates[name] = excluded[name]
            else:
                updates[name] = sa.case(
                    (newer(excluded[guard], table.c[guard]), excluded[name]),
                    else_=table.c[name],
                )
        return statement.on_conflict_do_update(index_elements=index, set_=updates)

    return upsert


def _event_row(entry: EventLogEntry) -> tuple[Any, ...]:
    """The values of ``entry``'s row, in the order of ``_EVENT_COLUMNS``."""
    event = entry.dagster_event
    if event is None:
        return (
            entry.run_id,
            entry.timestamp,
            None,
            entry.step_key,
            None,
            None,
            encode_entry(entry),
        )
    asset_key = event.asset_key
    return (
        entry.run_id,
        entry.timestamp,
        event.event_type_value,
        entry.step_key,
        key_string(asset_key) if asset_key is not None else None,
        event.partition,
        encode_entry(entry),
    )


def _merge_run_update(runs: dict[str, dict[str, Any]], entry: EventLogEntry, status: str):
    values = runs.setdefault(entry.run_id, {})
    values["status"] = status
    values["update_timestamp"] = entry.timestamp
    if status == DagsterRunStatus.STARTED.value:
        values["start_time"] = entry.timestamp
    if status in _FINISHED:
        values["end_time"] = entry.timestamp


def _run_row(run: DagsterRun, now: float) -> dict[str, Any]:
    selection = (
        json.dumps(sorted(key.to_string() for key in run.asset_selection))
        if run.asset_selection is not None
        else None
    )
    return {
        "run_id": run.run_id,
        "job_name": run.job_name,
        "status": run.status.value,
        "create_timestamp": now,
        "update_timestamp": now,
        "start_time": run.start_time,
        "end_time": run.end_time,
        "tags": json.dumps(dict(run.tags)),
        "asset_selection": selection,
        "partition": run.tags.get(PARTITION_TAG),
        "partition_range_start": run.tags.get(PARTITION_RANGE_START_TAG),
        "partition_range_end": run.tags.get(PARTITION_RANGE_END_TAG),
        "parent_run_id": run.parent_run_id,
        "root_run_id": run.root_run_id,
        "body": serialize_value(run),
    }


def _run_record(row: Any) -> RunRecord:
    run = deserialize_value(row.body, DagsterRun)
    run = attrs.evolve(
        run,
        status=DagsterRunStatus(row.status),
        tags=json.loads(row.tags),
        start_time=row.start_time,
        end_time=row.end_time,
    )
    return RunRecord(
        storage_id=row.id,
        dagster_run=run,
        create_timestamp=row.create_timestamp,
        update_timestamp=row.update_timestamp,
        start_time=row.start_time,
        end_time=row.end_time,
    )
