"""Records read back from storage, and the filters that select them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.events.assets import AssetMaterialization, AssetObservation
from headwater.events.log import EventLogEntry
from headwater.events.types import DagsterEventType


def _optional_key(value: Any) -> AssetKey | None:
    return None if value is None else AssetKey.from_coercible(value)


def _optional_tuple(value: Any) -> tuple[Any, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen
class EventLogRecord:
    """A stored event with its storage id (increasing in commit order across the instance)."""

    storage_id: int
    event_log_entry: EventLogEntry

    @property
    def run_id(self) -> str:
        return self.event_log_entry.run_id

    @property
    def timestamp(self) -> float:
        return self.event_log_entry.timestamp

    @property
    def event_type(self) -> DagsterEventType | None:
        return self.event_log_entry.dagster_event_type

    @property
    def asset_key(self) -> AssetKey | None:
        event = self.event_log_entry.dagster_event
        return event.asset_key if event is not None else None

    @property
    def partition_key(self) -> str | None:
        event = self.event_log_entry.dagster_event
        return event.partition if event is not None else None

    @property
    def asset_materialization(self) -> AssetMaterialization | None:
        return self.event_log_entry.asset_materialization

    @property
    def asset_observation(self) -> AssetObservation | None:
        return self.event_log_entry.asset_observation

    @property
    def asset_event(self) -> AssetMaterialization | AssetObservation | None:
        """The materialization or observation this event records, else None."""
        return self.asset_materialization or self.asset_observation


@attrs.frozen
class EventRecordsFilter:
    """Selects stored events of one type (`Instance.get_event_records`).

    Args:
        event_type: the type to select.
        asset_key: only events about this asset.
        asset_partitions: only events about these partitions.
        after_cursor / before_cursor: storage ids bounding the result (exclusive).
        after_timestamp / before_timestamp: timestamps bounding the result (exclusive).
        storage_ids: only these storage ids.
        run_ids: only events of these runs.
    """

    event_type: DagsterEventType = attrs.field(converter=DagsterEventType)
    asset_key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    asset_partitions: Sequence[str] | None = attrs.field(default=None, converter=_optional_tuple)
    after_cursor: int | None = None
    before_cursor: int | None = None
    after_timestamp: float | None = None
    before_timestamp: float | None = None
    storage_ids: Sequence[int] | None = attrs.field(default=None, converter=_optional_tuple)
    run_ids: Sequence[str] | None = attrs.field(default=None, converter=_optional_tuple)


@attrs.frozen
class AssetRecordsFilter:
    """Selects materializations or observations of one asset (`Instance.fetch_materializations`).

    Args:
        asset_key: the asset.
        asset_partitions: only these partitions.
        after_storage_id / before_storage_id: storage ids bounding the result (exclusive).
        after_timestamp / before_timestamp: timestamps bounding the result (exclusive).
        storage_ids: only these storage ids.
    """

    asset_key: AssetKey = attrs.field(converter=AssetKey.from_coercible)
    asset_partitions: Sequence[str] | None = attrs.field(default=None, converter=_optional_tuple)
    after_storage_id: int | None = None
    before_storage_id: int | None = None
    after_timestamp: float | None = None
    before_timestamp: float | None = None
    storage_ids: Sequence[int] | None = attrs.field(default=None, converter=_optional_tuple)

    def to_event_records_filter(self, event_type: DagsterEventType) -> EventRecordsFilter:
        """The same selection as an `EventRecordsFilter` of ``event_type``."""
        return EventRecordsFilter(
            event_type=event_type,
            asset_key=self.asset_key,
            asset_partitions=self.asset_partitions,
            after_cursor=self.after_storage_id,
            before_cursor=self.before_storage_id,
            after_timestamp=self.after_timestamp,
            before_timestamp=self.before_timestamp,
            storage_ids=self.storage_ids,
        )


@attrs.frozen
class EventRecordsResult:
    """One page of event records; pass ``cursor`` back to get the next page."""

    records: Sequence[EventLogRecord] = attrs.field(converter=tuple)
    cursor: str | None
    has_more: bool


@attrs.frozen
class AssetEntry:
    """What the asset index knows about one asset.

    ``last_run_id`` is the run that last planned or materialized the asset, so a run that
    failed to materialize it counts; the latest materialization's run is
    ``last_materialization.run_id``.
    """

    asset_key: AssetKey
    last_materialization_record: EventLogRecord | None = None
    last_observation_record: EventLogRecord | None = None
    last_run_id: str | None = None
    last_planned_materialization_storage_id: int | None = None
    last_planned_materialization_run_id: str | None = None
    cached_data_version: str | None = None
    code_version: str | None = None
    wipe_timestamp: float | None = None

    @property
    def last_materialization(self) -> EventLogEntry | None:
        """The latest materialization's log entry."""
        record = self.last_materialization_record
        return record.event_log_entry if record is not None else None

    @property
    def last_materialization_storage_id(self) -> int | None:
        record = self.last_materialization_record
        return record.storage_id if record is not None else None

    @property
    def last_observation(self) -> EventLogEntry | None:
        record = self.last_observation_record
        return record.event_log_entry if record is not None else None

    @property
    def last_observation_storage_id(self) -> int | None:
        record = self.last_observation_record
        return record.storage_id if record is not None else None

    @property
    def last_event_storage_id(self) -> int | None:
        """The newest of the latest materialization, observation and planned materialization."""
        ids = [
            self.last_materialization_storage_id,
            self.last_observation_storage_id,
            self.last_planned_materialization_storage_id,
        ]
        present = [storage_id for storage_id in ids if storage_id is not None]
        return max(present) if present else None


@attrs.frozen
class AssetRecord:
    """An asset index row: ``storage_id`` orders assets by when they were first indexed."""

    storage_id: int
    asset_entry: AssetEntry


class AssetCheckExecutionRecordStatus(str, enum.Enum):
    """Where a check execution stands."""

    PLANNED = "PLANNED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


@attrs.frozen
class AssetCheckExecutionRecord:
    """One execution of an asset check: planned in a run, then evaluated (or not)."""

    key: Any  # AssetCheckKey
    id: int
    run_id: str
    status: AssetCheckExecutionRecordStatus
    event: EventLogEntry | None
    create_timestamp: float
    evaluation_storage_id: int | None = None
    materialization_storage_id: int | None = None

    @property
    def partition(self) -> None:
        """The checked partition: always None, as asset checks are not partitioned."""
        return None

    @property
    def evaluation(self) -> Any:
        """The `AssetCheckEvaluation` once evaluated, else None."""
        return self.event.asset_check_evaluation if self.event is not None else None
