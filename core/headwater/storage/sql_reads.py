"""Read queries over the event log and the asset indexes (mixed into `SqlStorage`)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from headwater.definitions.keys import AssetKey
from headwater.events.codec import decode_entry
from headwater.events.log import EventLogEntry
from headwater.events.records import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
    AssetEntry,
    AssetRecord,
    AssetRecordsFilter,
    EventLogRecord,
    EventRecordsFilter,
    EventRecordsResult,
)
from headwater.events.types import ASSET_EVENT_TYPES, DagsterEventType
from headwater.storage import schema

if TYPE_CHECKING:
    from headwater.storage.engine import Database


@functools.lru_cache(maxsize=65536)
def key_string(key: AssetKey) -> str:
    """The stored (JSON list) form of a key, memoised: hot paths convert the same keys often."""
    return key.to_string()


def newer(candidate: Any, current: Any) -> Any:
    """SQL condition: ``candidate`` id is newer than ``current`` (or there is none)."""
    return sa.or_(current.is_(None), candidate > current)


# Event types whose rows always name an asset: the partial indexes on the events table
# (`schema.ABOUT_AN_ASSET`) hold exactly these rows.
_TYPES_ABOUT_AN_ASSET = ASSET_EVENT_TYPES | {DagsterEventType.ASSET_CHECK_EVALUATION}


class EntryCache:
    """Parsed log entries by storage id (bounded, oldest evicted first).

    A stored event never changes and its id is never reused, so a parsed entry stays valid;
    the cache spares reads (of "latest" events above all) the cost of parsing JSON bodies.
    """

    def __init__(self, size: int = 20_000):
        self._size = size
        self._entries: dict[int, EventLogEntry] = {}

    def put(self, storage_id: int, entry: EventLogEntry) -> None:
        entries = self._entries
        if len(entries) >= self._size:
            # dicts keep insertion order: drop the oldest tenth in one go.
            for old in list(itertools.islice(entries, self._size // 10)):
                del entries[old]
        entries[storage_id] = entry

    def get(self, storage_id: int, body: str) -> EventLogEntry:
        entry = self._entries.get(storage_id)
        if entry is None:
            entry = decode_entry(body)
            self.put(storage_id, entry)
        return entry


def _types(of_type: Any) -> list[str] | None:
    if of_type is None:
        return None
    if isinstance(of_type, (str, DagsterEventType)):
        of_type = [of_type]
    return [DagsterEventType(value).value for value in of_type]


def _live(index: sa.Table) -> Any:
    return sa.or_(
        index.c.last_materialization_event_id.is_not(None),
        index.c.last_observation_event_id.is_not(None),
        index.c.last_planned_event_id.is_not(None),
    )


class AssetQueries:
    """Event-log and asset-index reads; needs ``self._db`` (a `Database`)."""

    _db: Database
    _cache: EntryCache

    def _entry(self, storage_id: int, body: str) -> EventLogEntry:
        return self._cache.get(storage_id, body)

    def _record(self, row: Any) -> EventLogRecord:
        return EventLogRecord(storage_id=row.id, event_log_entry=self._cache.get(row.id, row.body))

    # -- the event log ------------------------------------------------------------------------

    def get_records_for_run(
        self,
        run_id: str,
        cursor: str | None = None,
        of_type: DagsterEventType | Iterable[DagsterEventType] | None = None,
        limit: int | None = None,
        ascending: bool = True,
    ) -> EventRecordsResult:
        """A page of one run's events in storage order; ``cursor`` is a previous page's."""
        events = schema.events
        query = sa.select(events.c.id, events.c.body).where(events.c.run_id == run_id)
        types = _types(of_type)
        if types is not None:
            query = query.where(events.c.event_type.in_(types))
        return self._page(query, cursor, limit, ascending)

    def all_logs(
        self,
        run_id: str,
        of_type: DagsterEventType | Iterable[DagsterEventType] | None = None,
    ) -> list[EventLogEntry]:
        """Every event of a run in the order stored, optionally only some types."""
        result = self.get_records_for_run(run_id, of_type=of_type)
        return [record.event_log_entry for record in result.records]

    def get_event_records(
        self,
        event_records_filter: EventRecordsFilter,
        limit: int | None = None,
        ascending: bool = False,
    ) -> list[EventLogRecord]:
        """Stored events matching the filter, newest first unless ``ascending``."""
        query = self._filtered(event_records_filter)
        events = schema.events
        query = query.order_by(events.c.id.asc() if ascending else events.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._db.read() as conn:
            return [self._record(row) for row in conn.execute(query)]

    def fetch_materializations(
        self,
        records_filter: AssetKey | AssetRecordsFilter,
        limit: int,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> EventRecordsResult:
        """A page of an asset's materializations; pass the result's cursor for the next."""
        return self._fetch(
            DagsterEventType.ASSET_MATERIALIZATION, records_filter, limit, cursor, ascending
        )

    def fetch_observations(
        self,
        records_filter: AssetKey | AssetRecordsFilter,
        limit: int,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> EventRecordsResult:
        """A page of an asset's observations; pass the result's cursor for the next."""
        return self._fetch(
            DagsterEventType.ASSET_OBSERVATION, records_filter, limit, cursor, ascending
        )

    def fetch_failed_materializations(
        self,
        records_filter: AssetKey | AssetRecordsFilter,
        limit: int,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> EventRecordsResult:
        """A page of an asset's ASSET_FAILED_TO_MATERIALIZE events."""
        return self._fetch(
            DagsterEventType.ASSET_FAILED_TO_MATERIALIZE, records_filter, limit, cursor, ascending
        )

    def _fetch(self, event_type, records_filter, limit, cursor, ascending) -> EventRecordsResult:
        if not isinstance(records_filter, AssetRecordsFilter):
            records_filter = AssetRecordsFilter(asset_key=records_filter)
        query = self._filtered(records_filter.to_event_records_filter(event_type))
        return self._page(query, cursor, limit, ascending)

    def _page(self, query, cursor, limit, ascending) -> EventRecordsResult:
        events = schema.events
        if cursor is not None:
            after = int(cursor)
            query = query.where(events.c.id > after if ascending else events.c.id < after)
        query = query.order_by(events.c.id.asc() if ascending else events.c.id.desc())
        if limit is not None:
            query = query.limit(limit + 1)
        with self._db.read() as conn:
            rows = conn.execute(query).all()
        has_more = limit is not None and len(rows) > limit
        if has_more:
            rows = rows[:limit]
        records = [self._record(row) for row in rows]
        next_cursor = str(records[-1].storage_id) if records else cursor
        return EventRecordsResult(records=records, cursor=next_cursor, has_more=has_more)

    def _filtered(self, f: EventRecordsFilter) -> Any:
        events = schema.events
        query = sa.select(events.c.id, events.c.body).where(
            events.c.event_type == f.event_type.value
        )
        if f.asset_key is not None:
            key = f.asset_key.to_string()
            index = schema.asset_index
            wiped = (
                sa.select(index.c.wiped_event_id).where(index.c.asset_key == key).scalar_subquery()
            )
            query = query.where(events.c.asset_key == key, events.c.id > sa.func.coalesce(wiped, 0))
        elif f.event_type in _TYPES_ABOUT_AN_ASSET:
            # Always true of these rows; stated so the planner can use the partial type index.
            query = query.where(schema.ABOUT_AN_ASSET)
        if f.asset_partitions is not None:
            query = query.where(events.c.partition.in_(list(f.asset_partitions)))
        if f.after_cursor is not None:
            query = query.where(events.c.id > f.after_cursor)
        if f.before_cursor is not None:
            query = query.where(events.c.id < f.before_cursor)
        if f.after_timestamp is not None:
            query = query.where(events.c.timestamp > f.after_timestamp)
        if f.before_timestamp is not None:
            query = query.where(events.c.timestamp < f.before_timestamp)
        if f.storage_ids is not None:
            query = query.where(events.c.id.in_(list(f.storage_ids)))
        if f.run_ids is not None:
            query = query.where(events.c.run_id.in_(list(f.run_ids)))
        return query

    # -- the asset index ----------------------------------------------------------------------

    def get_asset_keys(
        self,
        prefix: Sequence[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> list[AssetKey]:
        """Keys of assets with a materialization, observation or planned run (not wiped).

        Sorted by their stored form; ``cursor`` is a key's `AssetKey.to_string` form and the
        result starts after it.
        """
        index = schema.asset_index
        query = sa.select(index.c.asset_key).where(_live(index)).order_by(index.c.asset_key)
        if prefix:
            exact = AssetKey(list(prefix)).to_string()
            query = query.where(
                sa.or_(
                    index.c.asset_key == exact,
                    index.c.asset_key.startswith(exact[:-1] + ", ", autoescape=True),
                )
            )
        if cursor is not None:
            query = query.where(index.c.asset_key > cursor)
        if limit is not None:
            query = query.limit(limit)
        with self._db.read() as conn:
            return [AssetKey.from_db_string(value) for value in conn.execute(query).scalars()]  # type: ignore[misc]

    def has_asset_key(self, asset_key: AssetKey) -> bool:
        """Whether the asset has a (non-wiped) materialization, observation or planned run."""
        index = schema.asset_index
        query = sa.select(index.c.id).where(
            index.c.asset_key == asset_key.to_string(), _live(index)
        )
        with self._db.read() as conn:
            return conn.execute(query).first() is not None

    def get_asset_records(self, asset_keys: Sequence[AssetKey] | None = None) -> list[AssetRecord]:
        """Index rows (with their latest materialization and observation) in one query."""
        index = schema.asset_index
        mat = schema.events.alias("mat")
        obs = schema.events.alias("obs")
        query = (
            sa.select(
                index,
                mat.c.body.label("mat_body"),
                obs.c.body.label("obs_body"),
            )
            .select_from(
                index.outerjoin(mat, mat.c.id == index.c.last_materialization_event_id).outerjoin(
                    obs, obs.c.id == index.c.last_observation_event_id
                )
            )
            .where(_live(index))
            .order_by(index.c.id)
        )
        if asset_keys is not None:
            query = query.where(index.c.asset_key.in_([key.to_string() for key in asset_keys]))
        with self._db.read() as conn:
            rows = conn.execute(query).all()
        return [AssetRecord(storage_id=row.id, asset_entry=self._asset_entry(row)) for row in rows]

    def get_latest_materialization_events(
        self, asset_keys: Iterable[AssetKey]
    ) -> dict[AssetKey, EventLogEntry]:
        """The latest materialization of each key that has one (not wiped), in one query.

        Keys never materialized (or wiped since) are left out; the others keep their order.
        """
        by_string = {key_string(key): key for key in asset_keys}
        if not by_string:
            return {}
        index, events = schema.asset_index, schema.events
        query = (
            sa.select(index.c.asset_key, events.c.id, events.c.body)
            .select_from(index.join(events, events.c.id == index.c.last_materialization_event_id))
            .where(index.c.asset_key.in_(list(by_string)))
        )
        with self._db.read() as conn:
            found = {row.asset_key: self._entry(row.id, row.body) for row in conn.execute(query)}
        return {key: found[stored] for stored, key in by_string.items() if stored in found}

    def get_latest_materialization_event(self, asset_key: AssetKey) -> EventLogEntry | None:
        """The asset's latest materialization, or None."""
        return self.get_latest_materialization_events([asset_key]).get(asset_key)

    def get_materialized_partitions(self, asset_key: AssetKey) -> set[str]:
        """Partitions of the asset materialized at least once since it was last wiped."""
        table = schema.asset_partition_index
        query = sa.select(table.c.partition).where(
            table.c.asset_key == asset_key.to_string(),
            table.c.last_materialization_event_id.is_not(None),
        )
        with self._db.read() as conn:
            return set(conn.execute(query).scalars())

    def get_partition_status(self, asset_key: AssetKey, partitions_def: Any) -> Any:
        """The asset's materialized, failed and in-progress subsets (one row read).

        A row marked stale (events stored without the partitions definition) is rebuilt from
        the per-partition index and written back.
        """
        from headwater.storage import partition_status

        with self._db.read() as conn:
            status, rebuilt = partition_status.read_status(conn, asset_key, partitions_def)
        if rebuilt:
            with self._db.write() as conn:
                partition_status.store_rebuilt(conn, status)
        return status

    def get_latest_storage_id_by_partition(
        self, asset_key: AssetKey, event_type: DagsterEventType
    ) -> dict[str, int]:
        """For each partition, the storage id of its latest event of ``event_type``."""
        table = schema.asset_partition_index
        column = {
            DagsterEventType.ASSET_MATERIALIZATION: table.c.last_materialization_event_id,
            DagsterEventType.ASSET_OBSERVATION: table.c.last_observation_event_id,
            DagsterEventType.ASSET_FAILED_TO_MATERIALIZE: table.c.last_failed_event_id,
        }[DagsterEventType(event_type)]
        query = sa.select(table.c.partition, column).where(
            table.c.asset_key == asset_key.to_string(), column.is_not(None)
        )
        with self._db.read() as conn:
            return {row[0]: row[1] for row in conn.execute(query)}

    # -- asset checks -------------------------------------------------------------------------

    def get_asset_check_execution_history(
        self, check_key: Any, limit: int, cursor: int | None = None
    ) -> list[AssetCheckExecutionRecord]:
        """Executions of a check (an `AssetCheckKey`), newest first; ``cursor`` is an id."""
        table, events = schema.check_executions, schema.events
        query = (
            sa.select(table, events.c.body)
            .select_from(table.outerjoin(events, events.c.id == table.c.evaluation_event_id))
            .where(
                table.c.asset_key == check_key.asset_key.to_string(),
                table.c.check_name == check_key.name,
            )
            .order_by(table.c.id.desc())
            .limit(limit)
        )
        if cursor is not None:
            query = query.where(table.c.id < cursor)
        with self._db.read() as conn:
            return [self._check_record(check_key, row) for row in conn.execute(query)]

    def get_latest_asset_check_execution_by_key(
        self, check_keys: Sequence[Any]
    ) -> Mapping[Any, AssetCheckExecutionRecord]:
        """The latest execution of each check that has one."""
        out = {}
        for key in check_keys:
            history = self.get_asset_check_execution_history(key, limit=1)
            if history:
                out[key] = history[0]
        return out

    def _asset_entry(self, row: Any) -> AssetEntry:
        mat = obs = None
        if row.mat_body is not None:
            mat_id = row.last_materialization_event_id
            mat = EventLogRecord(mat_id, self._entry(mat_id, row.mat_body))
        if row.obs_body is not None:
            obs_id = row.last_observation_event_id
            obs = EventLogRecord(obs_id, self._entry(obs_id, row.obs_body))
        # ``last_run_id`` holds the latest materialization's run; a later planned run wins.
        planned_id = row.last_planned_event_id
        last_run_id = row.last_run_id
        if planned_id is not None and planned_id > (row.last_materialization_event_id or 0):
            last_run_id = row.last_planned_run_id
        return AssetEntry(
            asset_key=AssetKey.from_db_string(row.asset_key),  # type: ignore[arg-type]
            last_materialization_record=mat,
            last_observation_record=obs,
            last_run_id=last_run_id,
            last_planned_materialization_storage_id=row.last_planned_event_id,
            last_planned_materialization_run_id=row.last_planned_run_id,
            cached_data_version=row.last_data_version,
            code_version=row.code_version,
            wipe_timestamp=row.wiped_timestamp,
        )

    def _check_record(self, check_key: Any, row: Any) -> AssetCheckExecutionRecord:
        event_id = row.evaluation_event_id
        return AssetCheckExecutionRecord(
            key=check_key,
            id=row.id,
            run_id=row.run_id,
            status=AssetCheckExecutionRecordStatus(row.status),
            event=self._entry(event_id, row.body) if row.body is not None else None,
            create_timestamp=row.create_timestamp,
            evaluation_storage_id=event_id,
            materialization_storage_id=row.materialization_event_id,
        )
