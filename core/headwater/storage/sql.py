"""`SqlStorage`: runs, the event log and the asset indexes in one SQL database.

Every write is one transaction. `store_events` appends a batch of events with a single
multi-row insert and updates the run row, the asset indexes and the check executions the
batch touches in the same transaction, so readers never see an event without its index
update (or the reverse).
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
from headwater.events.data import AssetWipedData
from headwater.events.log import RUNLESS_JOB_NAME, RUNLESS_RUN_ID, DagsterEvent, EventLogEntry
from headwater.events.types import RUN_EVENT_STATUS, DagsterEventType
from headwater.storage import partition_status, schema
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
            self._db.ensure_schema()
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
                ids = self._insert_events(conn, [_event_row(entry) for entry in events])
                self._update_indexes(conn, events, ids)
            if in_progress:
                targets = {key_string(key): subset for key, subset in in_progress.items()}
                partition_status.start_run(
                    conn,
                    run.run_id,
                    targets,
                    {key: subset.partitions_def for key, subset in targets.items()},
                )
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
        """Delete a run, its tags and its events (index rows pointing at them go stale)."""
        with self._db.write() as conn:
            conn.execute(schema.runs.delete().where(schema.runs.c.run_id == run_id))
            conn.execute(schema.run_tags.delete().where(schema.run_tags.c.run_id == run_id))
            conn.execute(schema.events.delete().where(schema.events.c.run_id == run_id))
            conn.execute(
                schema.check_executions.delete().where(schema.check_executions.c.run_id == run_id)
            )

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
        with self._db.write() as conn:
            ids = self._insert_events(conn, rows)
            self._update_indexes(conn, entries, ids, partitions_defs)
        for storage_id, entry in zip(ids, entries):
            self._cache.put(storage_id, entry)
        return ids

    def _insert_events(self, conn: sa.Connection, rows: list[dict[str, Any]]) -> list[int]:
        # One multi-row INSERT per chunk, as driver SQL cached per row count: SQLAlchemy would
        # either send ordered RETURNING inserts row by row or recompile a multi-VALUES insert
        # on every call. Ids come from an autoincrement column assigned in row order within
        # one statement of a write transaction, so sorting the returned ids restores the
        # order of ``rows`` (RETURNING itself does not promise an order).
        ids: list[int] = []
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[start : start + _INSERT_CHUNK]
            params = tuple(row[column] for row in chunk for column in _EVENT_COLUMNS)
            result = conn.exec_driver_sql(self._insert_events_sql(len(chunk)), params)
            ids.extend(sorted(row[0] for row in result))
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

    def _update_indexes(
        self,
        conn: sa.Connection,
        entries: Sequence[EventLogEntry],
        ids: Sequence[int],
        partitions_defs: Mapping[AssetKey, Any] | None = None,
    ) -> None:
        runs: dict[str, dict[str, Any]] = {}
        status_changes: dict[str, partition_status.StatusChanges] = {}
        materialized: dict[str, dict[str, Any]] = {}
        observed: dict[str, dict[str, Any]] = {}
        planned: dict[str, dict[str, Any]] = {}
        partitions: dict[tuple[str, str, str], dict[str, Any]] = {}
        check_events: list[tuple[EventLogEntry, int]] = []
        for entry, storage_id in zip(entries, ids):
            event = entry.dagster_event
            if event is None:
                continue
            kind = event.event_type_value
            status = _RUN_STATUS.get(kind)
            if status is not None:
                _merge_run_update(runs, entry, status)
            elif kind in (_MAT, _OBS):
                record = (
                    event.materialization
                    if kind == _MAT
                    else event.asset_observation_data.asset_observation
                )
                key = key_string(record.asset_key)
                values = {
                    "asset_key": key,
                    "event_id": storage_id,
                    "run_id": entry.run_id,
                    "timestamp": entry.timestamp,
                    "data_version": record.tags.get(DATA_VERSION_TAG),
                    "code_version": record.tags.get(CODE_VERSION_TAG),
                }
                (materialized if kind == _MAT else observed)[key] = values
                if record.partition is not None:
                    column = "mat" if kind == _MAT else "obs"
                    partitions[(column, key, record.partition)] = values
                    if kind == _MAT:
                        status_changes.setdefault(key, partition_status.StatusChanges()).record(
                            "mat", record.partition, entry.run_id
                        )
            elif kind == _PLANNED:
                key = event.asset_key.to_string()  # type: ignore[union-attr]
                planned[key] = {"asset_key": key, "event_id": storage_id, "run_id": entry.run_id}
            elif kind == _FAILED and event.partition is not None:
                key = event.asset_key.to_string()  # type: ignore[union-attr]
                partitions[("failed", key, event.partition)] = {
                    "asset_key": key,
                    "event_id": storage_id,
                    "run_id": entry.run_id,
                }
                status_changes.setdefault(key, partition_status.StatusChanges()).record(
                    "failed", event.partition, entry.run_id
                )
            elif kind in (_CHECK_PLANNED, _CHECK_EVAL):
                check_events.append((entry, storage_id))
        for run_id, values in runs.items():
            conn.execute(
                schema.runs.update().where(schema.runs.c.run_id == run_id).values(**values)
            )
        for name, batch in (("mat", materialized), ("obs", observed), ("planned", planned)):
            if batch:
                conn.execute(self._asset_upsert(name), list(batch.values()))
        for column in ("mat", "obs", "failed"):
            batch_rows = [
                {**values, "partition": partition}
                for (kind, _key, partition), values in partitions.items()
                if kind == column
            ]
            if batch_rows:
                conn.execute(self._partition_upsert(column), batch_rows)
        if status_changes:
            defs = {key_string(key): pdef for key, pdef in (partitions_defs or {}).items()}
            partition_status.apply_changes(conn, status_changes, defs)
        finished = [run_id for run_id, values in runs.items() if values["status"] in _FINISHED]
        if finished:
            partition_status.finish_runs(conn, finished)
        for entry, storage_id in check_events:
            self._record_check_event(conn, entry, storage_id)

    def _asset_upsert(self, kind: str) -> Any:
        name = f"asset_upsert_{kind}"
        statement = self._statements.get(name)
        if statement is not None:
            return statement
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
        statement = self._upsert(table, ["asset_key"], values, guard)
        self._statements[name] = statement
        return statement

    def _partition_upsert(self, kind: str) -> Any:
        name = f"partition_upsert_{kind}"
        statement = self._statements.get(name)
        if statement is not None:
            return statement
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
        self._statements[name] = statement
        return statement

    def _record_check_event(self, conn: sa.Connection, entry: EventLogEntry, storage_id: int):
        event = entry.get_dagster_event()
        table = schema.check_executions
        data = event.event_specific_data
        key = data.asset_key.to_string()
        if event.event_type_value == _CHECK_PLANNED:
            conn.execute(
                table.insert().values(
                    asset_key=key,
                    check_name=data.check_name,
                    run_id=entry.run_id,
                    status="PLANNED",
                    create_timestamp=entry.timestamp,
                    update_timestamp=entry.timestamp,
                )
            )
            return
        target = data.target_materialization_data
        values = {
            "status": "SUCCEEDED" if data.passed else "FAILED",
            "evaluation_event_id": storage_id,
            "evaluation_timestamp": entry.timestamp,
            "materialization_event_id": target.storage_id if target is not None else None,
            "update_timestamp": entry.timestamp,
        }
        updated = conn.execute(
            table.update()
            .where(
                table.c.asset_key == key,
                table.c.check_name == data.check_name,
                table.c.run_id == entry.run_id,
                table.c.status == "PLANNED",
            )
            .values(**values)
        )
        if updated.rowcount == 0:
            conn.execute(
                table.insert().values(
                    asset_key=key,
                    check_name=data.check_name,
                    run_id=entry.run_id,
                    create_timestamp=entry.timestamp,
                    **values,
                )
            )

    def wipe_assets(self, asset_keys: Iterable[AssetKey]) -> list[EventLogEntry]:
        """Clear the indexes of ``asset_keys`` and record an ASSET_WIPED event for each.

        The event history stays in the log, but materializations and observations stored
        before the wipe no longer count as an asset's latest, and its partitions read as
        not materialized.

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
            ids = self._insert_events(conn, [_event_row(entry) for entry in entries])
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
                for table in (schema.asset_partition_index, schema.partition_status):
                    conn.execute(table.delete().where(table.c.asset_key == stored_key))
        return entries


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
        statement = insert(table).values(values)
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


def _event_row(entry: EventLogEntry) -> dict[str, Any]:
    event = entry.dagster_event
    asset_key = event.asset_key if event is not None else None
    return {
        "run_id": entry.run_id,
        "timestamp": entry.timestamp,
        "event_type": event.event_type_value if event is not None else None,
        "step_key": entry.step_key,
        "asset_key": key_string(asset_key) if asset_key is not None else None,
        "partition": event.partition if event is not None else None,
        "body": serialize_value(entry),
    }


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
