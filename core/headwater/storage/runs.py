"""Run records: `DagsterRun`, its status, and `RunsFilter` for queries."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from headwater._serde import serializable
from headwater.definitions.keys import AssetKey

PARTITION_TAG = "dagster/partition"
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


class DagsterRunStatus(str, enum.Enum):
    """Where a run stands. A run moves forward through these as its run events are stored."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


FINISHED_STATUSES = frozenset(
    {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
)
IN_PROGRESS_STATUSES = frozenset(
    {
        DagsterRunStatus.NOT_STARTED,
        DagsterRunStatus.STARTING,
        DagsterRunStatus.STARTED,
        DagsterRunStatus.CANCELING,
    }
)


def _keys(value: Any) -> frozenset[AssetKey] | None:
    if value is None:
        return None
    return frozenset(AssetKey.from_coercible(key) for key in value)


@serializable
@attrs.frozen
class DagsterRun:
    """A run: which job, which assets and checks, with what tags, and where it stands.

    Use `attrs.evolve` (or `with_status`) to derive a changed copy.
    """

    job_name: str
    run_id: str
    status: DagsterRunStatus = attrs.field(
        default=DagsterRunStatus.NOT_STARTED, converter=DagsterRunStatus
    )
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    run_config: Mapping[str, Any] = attrs.field(factory=dict, converter=dict)
    asset_selection: frozenset[AssetKey] | None = attrs.field(default=None, converter=_keys)
    # Typed Any so the converter restores the AssetCheckKey class of each element.
    asset_check_selection: Any = attrs.field(
        default=None, converter=lambda v: None if v is None else frozenset(v)
    )
    parent_run_id: str | None = None
    root_run_id: str | None = None
    start_time: float | None = None
    end_time: float | None = None

    @property
    def is_finished(self) -> bool:
        """Whether the run succeeded, failed or was canceled."""
        return self.status in FINISHED_STATUSES

    @property
    def is_success(self) -> bool:
        return self.status is DagsterRunStatus.SUCCESS

    @property
    def is_failure(self) -> bool:
        return self.status is DagsterRunStatus.FAILURE

    @property
    def partition_key(self) -> str | None:
        """The partition the run targets (its ``dagster/partition`` tag)."""
        return self.tags.get(PARTITION_TAG)

    def with_status(self, status: DagsterRunStatus) -> DagsterRun:
        """A copy with another status."""
        return attrs.evolve(self, status=status)


@attrs.frozen
class RunRecord:
    """A stored run with its storage id and bookkeeping timestamps (seconds since the epoch)."""

    storage_id: int
    dagster_run: DagsterRun
    create_timestamp: float
    update_timestamp: float
    start_time: float | None = None
    end_time: float | None = None


def _statuses(value: Any) -> tuple[DagsterRunStatus, ...] | None:
    if value is None:
        return None
    return tuple(DagsterRunStatus(status) for status in value)


@attrs.frozen
class RunsFilter:
    """Selects runs; every given criterion must hold.

    Args:
        run_ids: only these runs.
        job_name: only runs of this job.
        statuses: only runs in one of these statuses.
        tags: only runs having every tag; a value may be a list of accepted values.
        created_after / created_before: creation time bounds, as datetimes or epoch seconds.
        updated_after / updated_before: last update time bounds.
    """

    run_ids: Sequence[str] | None = attrs.field(
        default=None, converter=lambda v: None if v is None else tuple(v)
    )
    job_name: str | None = None
    statuses: Sequence[DagsterRunStatus] | None = attrs.field(default=None, converter=_statuses)
    tags: Mapping[str, str | Sequence[str]] = attrs.field(factory=dict, converter=dict)
    created_after: Any = None
    created_before: Any = None
    updated_after: Any = None
    updated_before: Any = None
